//! The one number formatter.
//!
//! Every number the book shows passes through [`num`], so the prose, the
//! locked snapshots and the figures agree to the same four decimals.

use ndarray::{ArrayView1, ArrayView2};
use std::fmt::Write as _;

/// How many decimals every printed number carries.
pub const DECIMALS: usize = 4;

/// Formats one number with [`DECIMALS`] decimals.
///
/// Negative zero prints as `0.0000` (a value that rounds to zero has no
/// meaningful sign), and non-finite values print as `NaN`, `inf` or `-inf`.
///
/// ```
/// use attn_common::fmt::num;
/// assert_eq!(num(0.123456), "0.1235");
/// assert_eq!(num(-0.00001), "0.0000");
/// assert_eq!(num(f64::NEG_INFINITY), "-inf");
/// ```
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let s = format!("{x:.DECIMALS$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Formats a whole number (a count of parameters, multiply-adds or
/// bytes) with commas between groups of three digits, as the chapters'
/// tables print them.
///
/// ```
/// use attn_common::fmt::count;
/// assert_eq!(count(999), "999");
/// assert_eq!(count(2_362_368), "2,362,368");
/// ```
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a vector as `[a, b, c]` with every entry through [`num`].
///
/// # Shapes
/// - `xs`: `(n,)`
pub fn vector(xs: ArrayView1<f64>) -> String {
    list(xs.iter().copied())
}

/// Formats any sequence of numbers as `[a, b, c]` through [`num`].
pub fn list(xs: impl IntoIterator<Item = f64>) -> String {
    let parts: Vec<String> = xs.into_iter().map(num).collect();
    format!("[{}]", parts.join(", "))
}

/// Formats a matrix as an aligned table with row and column labels.
///
/// Labels may be empty slices, in which case rows are numbered from 1 and
/// columns are left unlabelled.
///
/// # Shapes
/// - `m`: `(rows, cols)`; `row_labels` has `rows` entries (or none) and
///   `col_labels` has `cols` entries (or none).
pub fn matrix(
    m: ArrayView2<f64>,
    row_labels: &[&str],
    col_labels: &[&str],
) -> String {
    let cells: Vec<Vec<String>> = m
        .rows()
        .into_iter()
        .map(|row| row.iter().map(|&x| num(x)).collect())
        .collect();
    let row_names: Vec<String> = if row_labels.is_empty() {
        (1..=m.nrows()).map(|i| i.to_string()).collect()
    } else {
        row_labels.iter().map(|s| s.to_string()).collect()
    };
    let label_width = row_names.iter().map(|s| s.len()).max().unwrap_or(0);
    let cell_width = cells
        .iter()
        .flatten()
        .map(|s| s.len())
        .chain(col_labels.iter().map(|s| s.len()))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    if !col_labels.is_empty() {
        let _ = write!(out, "{:label_width$}", "");
        for label in col_labels {
            let _ = write!(out, "  {label:>cell_width$}");
        }
        out.push('\n');
    }
    for (name, row) in row_names.iter().zip(&cells) {
        let _ = write!(out, "{name:<label_width$}");
        for cell in row {
            let _ = write!(out, "  {cell:>cell_width$}");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn counts_get_commas_every_three_digits() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(67_108_864), "67,108,864");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn num_rounds_to_four_decimals() {
        assert_eq!(num(1.0), "1.0000");
        assert_eq!(num(2.0 / 3.0), "0.6667");
        assert_eq!(num(-1.23456), "-1.2346");
    }

    #[test]
    fn num_never_prints_negative_zero() {
        assert_eq!(num(-0.0), "0.0000");
        assert_eq!(num(-0.00004), "0.0000");
        assert_eq!(num(-0.00005), "-0.0001");
    }

    #[test]
    fn num_names_non_finite_values() {
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::INFINITY), "inf");
    }

    #[test]
    fn matrix_aligns_columns_under_labels() {
        let m = array![[1.0, -0.5], [0.25, 10.0]];
        let text = matrix(m.view(), &["a", "bb"], &["x", "y"]);
        assert_eq!(
            text,
            "          x        y\n\
             a    1.0000  -0.5000\n\
             bb   0.2500  10.0000\n"
        );
    }

    #[test]
    fn vector_uses_the_formatter() {
        assert_eq!(vector(array![0.5, 1.0 / 3.0].view()), "[0.5000, 0.3333]");
    }
}
