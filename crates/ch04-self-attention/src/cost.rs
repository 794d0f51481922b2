//! What the `T x T` score matrix costs: entries and bytes.

use anyhow::{Result, anyhow};
use attn_common::fmt;

// ANCHOR: cost
/// How many scores self-attention computes for `t` tokens: one per
/// (query, key) pair, `t * t`.
///
/// # Shapes
/// - the score matrix is `(T, T)` with `T = t`
///
/// # Errors
/// A `t` so large that `t * t` does not fit in a `u64`.
pub fn score_matrix_entries(t: u64) -> Result<u64> {
    t.checked_mul(t).ok_or_else(|| {
        anyhow!("a ({t}, {t}) score matrix has too many entries")
    })
}

/// How many bytes the `(t, t)` score matrix takes when each entry uses
/// `bytes_per_entry` bytes (4 for `f32`, 8 for `f64`).
///
/// # Shapes
/// - the score matrix is `(T, T)` with `T = t`
///
/// # Errors
/// A result that does not fit in a `u64`.
pub fn score_matrix_bytes(t: u64, bytes_per_entry: u64) -> Result<u64> {
    score_matrix_entries(t)?
        .checked_mul(bytes_per_entry)
        .ok_or_else(|| anyhow!("a ({t}, {t}) score matrix has too many bytes"))
}
// ANCHOR_END: cost

/// Writes a byte count in decimal units (kB, MB, GB, TB; 1 kB = 1000 B),
/// the number through the book's formatter.
pub fn readable_bytes(bytes: u64) -> String {
    let units = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in units {
        if bytes as f64 >= size {
            return format!("{} {unit}", fmt::num(bytes as f64 / size));
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_tokens_make_thirty_six_scores() {
        assert_eq!(score_matrix_entries(6).unwrap(), 36);
        // 36 entries * 4 bytes = 144 bytes.
        assert_eq!(score_matrix_bytes(6, 4).unwrap(), 144);
    }

    #[test]
    fn a_hundred_thousand_tokens_need_forty_gigabytes_in_f32() {
        // (1e5)^2 = 1e10 entries, * 4 bytes = 4e10 bytes = 40 GB.
        let bytes = score_matrix_bytes(100_000, 4).unwrap();
        assert_eq!(bytes, 40_000_000_000);
        assert_eq!(readable_bytes(bytes), "40.0000 GB");
    }

    #[test]
    fn readable_bytes_picks_the_largest_unit_that_fits() {
        assert_eq!(readable_bytes(144), "144 B");
        assert_eq!(readable_bytes(1_500), "1.5000 kB");
        assert_eq!(readable_bytes(4_000_000), "4.0000 MB");
    }

    #[test]
    fn overflow_is_an_error() {
        let err = score_matrix_entries(u64::MAX).unwrap_err().to_string();
        assert!(err.contains("too many entries"), "{err}");
        let err = score_matrix_bytes(1 << 31, 8).unwrap_err().to_string();
        assert!(err.contains("too many bytes"), "{err}");
    }
}
