//! Checks and summaries for attention weight matrices: what a heatmap
//! shows, as numbers.

use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array1, ArrayView1, ArrayView2};

/// How far a row's sum may stray from 1 and still count as a
/// distribution (rounding in a softmax is far smaller).
pub const SUM_TOLERANCE: f64 = 1e-9;

/// Fails unless `w` is a non-empty, finite matrix whose rows are
/// probability distributions: no negative entry, every row summing to 1.
///
/// # Shapes
/// - `w`: `(T_q, T_k)`, one row per query
pub fn check_rows(name: &str, w: ArrayView2<f64>) -> Result<()> {
    check::usable(name, &w)?;
    for (i, row) in w.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|&x| x < 0.0) {
            bail!(
                "`{name}` with shape {} has a negative weight {} at ({i}, \
                 {j}); attention weights are never negative",
                check::shape(&w),
                row[j]
            );
        }
        let sum = row.sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            bail!(
                "row {i} of `{name}` with shape {} sums to {sum}, not 1: \
                 attention weights come out of a softmax",
                check::shape(&w)
            );
        }
    }
    Ok(())
}

/// The entropy of one row of weights in nats, `-sum w ln w`, with
/// `0 ln 0 = 0`.
///
/// # Shapes
/// - `row`: `(T_k,)`
pub fn entropy(row: ArrayView1<f64>) -> f64 {
    -row.iter()
        .filter(|&&w| w > 0.0)
        .map(|&w| w * w.ln())
        .sum::<f64>()
}

/// How many keys each query effectively reads: `exp` of the row's
/// entropy. A row with all its weight on one key gives 1; a uniform row
/// over `T_k` keys gives `T_k`.
///
/// # Shapes
/// - `w`: `(T_q, T_k)` -> `(T_q,)`
///
/// # Errors
/// An empty or non-finite matrix, or a row that is not a distribution.
pub fn effective_keys(w: ArrayView2<f64>) -> Result<Array1<f64>> {
    check_rows("weights", w)?;
    Ok(w.rows().into_iter().map(|r| entropy(r).exp()).collect())
}

/// The largest weight of each row and the key (column) that holds it;
/// ties go to the earlier key.
///
/// # Shapes
/// - `w`: `(T_q, T_k)` -> `T_q` pairs `(column, weight)`
pub fn favourites(w: ArrayView2<f64>) -> Vec<(usize, f64)> {
    w.rows()
        .into_iter()
        .map(|r| {
            r.iter().enumerate().fold(
                (0, f64::NEG_INFINITY),
                |best, (j, &x)| {
                    if x > best.1 { (j, x) } else { best }
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn one_hot_reads_one_key_and_uniform_reads_all() {
        let w = array![[1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]];
        let e = effective_keys(w.view()).unwrap();
        assert!((e[0] - 1.0).abs() < 1e-12);
        assert!((e[1] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_rows_that_are_not_distributions() {
        let err = check_rows("w", array![[0.5, 0.6]].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("(1, 2)"), "{err}");
        let err = check_rows("w", array![[1.5, -0.5]].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("negative"), "{err}");
    }
}
