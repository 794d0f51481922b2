//! Counting: how many weights a multi-head layer has, and how many scores
//! it computes.

use anyhow::{Result, ensure};

/// The weights of one multi-head layer, by matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterCount {
    /// `W_q`, `W_k` and `W_v` together: `3 * d_in * d_out`.
    pub projections: usize,
    /// Their biases `b_q`, `b_k`, `b_v`: `3 * d_out` (0 without biases).
    pub projection_biases: usize,
    /// `W_o`: `d_out * d_out`.
    pub output: usize,
    /// Its bias `b_o`: `d_out` (0 without biases).
    pub output_bias: usize,
}

impl ParameterCount {
    /// Every weight of the layer.
    pub fn total(&self) -> usize {
        self.projections
            + self.projection_biases
            + self.output
            + self.output_bias
    }
}

// ANCHOR: parameter_count
/// The weights of a multi-head layer, matrix by matrix.
///
/// `n_heads` does not appear in the result: the heads share `d_out`
/// between them, so more heads means narrower heads, not more weights. It
/// is checked all the same, because a layer whose `d_out` does not split
/// into `n_heads` equal heads cannot be built. Nor does the sequence length
/// `T` appear: the same matrices serve a sequence of any length.
///
/// # Shapes
/// - `W_q`, `W_k`, `W_v`: `(d_in, d_out)`; `W_o`: `(d_out, d_out)`;
///   with `bias`, one `(d_out,)` bias per matrix.
///
/// # Errors
/// `d_in == 0`, `n_heads == 0`, or `d_out` not a multiple of `n_heads`.
pub fn parameter_breakdown(
    d_in: usize,
    d_out: usize,
    n_heads: usize,
    bias: bool,
) -> Result<ParameterCount> {
    ensure!(d_in > 0, "d_in must be at least 1, got d_in = 0");
    crate::heads::head_width(d_out, n_heads)?;
    let biases = usize::from(bias);
    Ok(ParameterCount {
        projections: 3 * d_in * d_out,
        projection_biases: biases * 3 * d_out,
        output: d_out * d_out,
        output_bias: biases * d_out,
    })
}

/// The total number of weights of a multi-head layer; see
/// [`parameter_breakdown`].
///
/// # Shapes
/// - as [`parameter_breakdown`]
///
/// # Errors
/// As [`parameter_breakdown`].
pub fn parameter_count(
    d_in: usize,
    d_out: usize,
    n_heads: usize,
    bias: bool,
) -> Result<usize> {
    Ok(parameter_breakdown(d_in, d_out, n_heads, bias)?.total())
}
// ANCHOR_END: parameter_count

// ANCHOR: naive_count
/// The weights of the common mistake: a stack in which every head is given
/// the full width `d_out` instead of `d_out / n_heads`.
///
/// Each head then has three `(d_in, d_out)` projections, the
/// concatenation is `n_heads * d_out` wide, and `W_o` must be
/// `(n_heads * d_out, d_out)` to bring it back to `d_out`.
///
/// # Shapes
/// - per head: `(d_in, d_out)` projections; `W_o`: `(n_heads * d_out,
///   d_out)`; with `bias`, `3 * d_out` per head and `d_out` for `W_o`.
///
/// # Errors
/// `d_in`, `d_out` or `n_heads` equal to 0.
pub fn full_width_heads_count(
    d_in: usize,
    d_out: usize,
    n_heads: usize,
    bias: bool,
) -> Result<ParameterCount> {
    ensure!(
        d_in > 0 && d_out > 0 && n_heads > 0,
        "d_in, d_out and n_heads must be at least 1, got ({d_in}, {d_out}, \
         {n_heads})"
    );
    let biases = usize::from(bias);
    Ok(ParameterCount {
        projections: n_heads * 3 * d_in * d_out,
        projection_biases: biases * n_heads * 3 * d_out,
        output: n_heads * d_out * d_out,
        output_bias: biases * d_out,
    })
}
// ANCHOR_END: naive_count

/// The number of attention scores one layer computes for one sequence:
/// one `(T, T)` matrix per head.
///
/// # Shapes
/// - `n_heads` matrices of `(T, T)` -> `n_heads * T * T` entries
pub fn score_entries(n_heads: usize, t: usize) -> usize {
    n_heads * t * t
}

/// Writes a count with commas between groups of three digits:
/// `2362368` becomes `2,362,368` (the book's one formatter,
/// [`attn_common::fmt::count`], for `usize` counts).
pub fn with_commas(n: usize) -> String {
    attn_common::fmt::count(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gpt2_small_has_2_362_368_attention_parameters_per_layer() {
        // Python: 4 * 768 * 768 + 4 * 768 = 2359296 + 3072 = 2362368.
        // In GPT-2's checkpoint: c_attn (768, 2304) + bias 2304, and
        // c_proj (768, 768) + bias 768.
        assert_eq!(parameter_count(768, 768, 12, true).unwrap(), 2_362_368);
        assert_eq!(parameter_count(768, 768, 12, false).unwrap(), 2_359_296);
    }

    #[test]
    fn full_width_heads_cost_about_n_heads_times_more() {
        // Python: 12*3*768*768 + 12*768*768 = 21233664 + 7077888 = 28311552.
        let naive = full_width_heads_count(768, 768, 12, false).unwrap();
        assert_eq!(naive.total(), 28_311_552);
        let with_bias = full_width_heads_count(768, 768, 12, true).unwrap();
        assert_eq!(with_bias.total(), 28_311_552 + 12 * 3 * 768 + 768);
    }

    #[test]
    fn counting_checks_the_head_split() {
        let err = parameter_count(768, 768, 5, true).unwrap_err().to_string();
        assert!(err.contains("d_out = 768"), "{err}");
        assert!(err.contains("n_heads = 5"), "{err}");
        assert!(parameter_count(768, 768, 0, true).is_err());
        assert!(parameter_count(0, 768, 12, true).is_err());
        assert!(full_width_heads_count(3, 8, 0, false).is_err());
    }

    #[test]
    fn commas_group_digits_in_threes() {
        assert_eq!(with_commas(0), "0");
        assert_eq!(with_commas(999), "999");
        assert_eq!(with_commas(1000), "1,000");
        assert_eq!(with_commas(2_362_368), "2,362,368");
    }

    #[test]
    fn score_entries_grow_with_heads_and_square_of_length() {
        assert_eq!(score_entries(12, 1024), 12_582_912);
        assert_eq!(score_entries(1, 3), 9);
    }

    proptest! {
        #[test]
        fn the_count_ignores_the_number_of_heads(
            d_in in 1usize..100, d_head in 1usize..20, n_heads in 1usize..20,
            bias in any::<bool>(),
        ) {
            let d_out = d_head * n_heads;
            let one = parameter_count(d_in, d_out, 1, bias).unwrap();
            let many = parameter_count(d_in, d_out, n_heads, bias).unwrap();
            prop_assert_eq!(one, many);
        }

        #[test]
        fn one_full_width_head_is_the_fused_layer(
            d_in in 1usize..100, d_out in 1usize..100, bias in any::<bool>(),
        ) {
            let fused = parameter_count(d_in, d_out, 1, bias).unwrap();
            let naive = full_width_heads_count(d_in, d_out, 1, bias).unwrap();
            prop_assert_eq!(fused, naive.total());
        }
    }
}
