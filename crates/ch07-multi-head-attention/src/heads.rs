//! What both implementations share: how wide a head is, whether it may see
//! the future, and what a multi-head layer returns.

use anyhow::{Result, ensure};
use ch03_queries_keys_values::softmax::softmax_rows;
use ch06_causal_attention::{causal_mask, masked_softmax};
use ndarray::{Array2, Array3, Array4, ArrayView2};

/// Which keys every head lets a query see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    /// Every query sees every key, as in chapters 4 and 5.
    None,
    /// Query `i` sees keys `0..=i` only, as in chapter 6.
    Causal,
}

// ANCHOR: head_width
/// The width of one head, `d_head = d_out / n_heads`.
///
/// The heads share the layer's width `d_out` between them, so it must
/// split into `n_heads` equal parts.
///
/// # Shapes
/// - returns `d_head`, the number of columns each head gets
///
/// # Errors
/// `n_heads == 0`, `d_out == 0`, or `d_out` not a multiple of `n_heads`;
/// the error names both numbers.
pub fn head_width(d_out: usize, n_heads: usize) -> Result<usize> {
    ensure!(n_heads > 0, "n_heads must be at least 1, got n_heads = 0");
    ensure!(d_out > 0, "d_out must be at least 1, got d_out = 0");
    ensure!(
        d_out.is_multiple_of(n_heads),
        "d_out = {d_out} does not split into n_heads = {n_heads} equal \
         heads: {d_out} / {n_heads} leaves a remainder of {}",
        d_out % n_heads
    );
    Ok(d_out / n_heads)
}
// ANCHOR_END: head_width

/// Turns one head's `(T, T)` scores into weights: a row softmax, with the
/// future hidden first when the mask is causal (chapter 6's
/// `masked_softmax`).
///
/// # Shapes
/// - `scores`: `(T, T)` -> `(T, T)`
///
/// # Errors
/// Empty or non-finite scores.
pub fn head_weights(
    scores: ArrayView2<f64>,
    mask: Mask,
) -> Result<Array2<f64>> {
    match mask {
        Mask::None => softmax_rows(scores),
        Mask::Causal => {
            masked_softmax(scores, causal_mask(scores.nrows()).view())
        }
    }
}

/// What a multi-head layer computes for one sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiHeadOutput {
    /// Each head's scaled scores, `Q_h K_h^T / sqrt(d_head)`.
    /// Shape `(n_heads, T, T)`.
    pub scores: Array3<f64>,
    /// Each head's attention weights. Shape `(n_heads, T, T)`.
    pub weights: Array3<f64>,
    /// The heads' context vectors side by side, before `W_o`: columns
    /// `h * d_head .. (h + 1) * d_head` belong to head `h`.
    /// Shape `(T, d_out)`.
    pub concatenated: Array2<f64>,
    /// The layer's output, `concatenated W_o`. Shape `(T, d_out)`.
    pub context: Array2<f64>,
}

/// What a multi-head layer computes for a batch of sequences.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutput {
    /// Each sequence's and head's scaled scores.
    /// Shape `(B, n_heads, T, T)`.
    pub scores: Array4<f64>,
    /// Each sequence's and head's weights. Shape `(B, n_heads, T, T)`.
    pub weights: Array4<f64>,
    /// The heads' contexts side by side, before `W_o`.
    /// Shape `(B, T, d_out)`.
    pub concatenated: Array3<f64>,
    /// The layer's output. Shape `(B, T, d_out)`.
    pub context: Array3<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eight_columns_make_four_heads_of_two() {
        assert_eq!(head_width(8, 4).unwrap(), 2);
        assert_eq!(head_width(768, 12).unwrap(), 64);
        assert_eq!(head_width(5, 1).unwrap(), 5);
    }

    #[test]
    fn an_uneven_split_names_both_numbers() {
        // Chapter 7 quotes this message word for word.
        let err = head_width(10, 4).unwrap_err().to_string();
        assert_eq!(
            err,
            "d_out = 10 does not split into n_heads = 4 equal heads: \
             10 / 4 leaves a remainder of 2"
        );
    }

    #[test]
    fn zero_heads_or_zero_width_is_an_error() {
        let err = head_width(8, 0).unwrap_err().to_string();
        assert!(err.contains("n_heads = 0"), "{err}");
        let err = head_width(0, 2).unwrap_err().to_string();
        assert!(err.contains("d_out = 0"), "{err}");
    }

    #[test]
    fn a_causal_head_puts_the_first_query_on_itself() {
        let scores = array![[0.0, 5.0], [1.0, 1.0]];
        let w = head_weights(scores.view(), Mask::Causal).unwrap();
        assert_eq!(w, array![[1.0, 0.0], [0.5, 0.5]]);
        let w = head_weights(scores.view(), Mask::None).unwrap();
        assert!(w[[0, 1]] > 0.99);
    }
}
