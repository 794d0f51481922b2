//! Level 1: every token is its own query, key and value.

use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::{
    Attended, AttentionOutput, Scale, attend, attention,
};
use ndarray::ArrayView2;

// ANCHOR: one_query
/// Token `i` of `x` attends over the whole sequence, itself included.
///
/// The query is row `i` of `x`; the keys and the values are all the rows
/// of `x`. No weights are learned and the scores are not scaled.
///
/// # Shapes
/// - `x`: `(T, d_in)`, one embedding per row; `i < T`
/// - returns scores `(T,)`, weights `(T,)` and context `(d_in,)`
///
/// # Errors
/// An empty or non-finite `x`, or `i` outside `0..T`.
pub fn self_attend_one(x: ArrayView2<f64>, i: usize) -> Result<Attended> {
    check::usable("x", &x)?;
    ensure!(
        i < x.nrows(),
        "query index {i} is out of range for `x` with shape {}: it has {} \
         tokens",
        check::shape(&x),
        x.nrows()
    );
    attend(x.row(i), x, x, Scale::None)
}
// ANCHOR_END: one_query

// ANCHOR: self_attention
/// Self-attention without trainable weights: `softmax(X X^T) X`.
///
/// Every token is a query, a key and a value at once, so chapter 3's
/// `attention` is called with `X` three times and no scaling.
///
/// # Shapes
/// - `x`: `(T, d_in)`, one embedding per row
/// - returns scores and weights `(T, T)` (row = query, column = key) and
///   context `(T, d_in)`
///
/// # Errors
/// An empty or non-finite `x`; the error names its shape.
pub fn self_attention(x: ArrayView2<f64>) -> Result<AttentionOutput> {
    check::usable("x", &x)?;
    // Q = K = V = X:
    // scores  (T, d_in) x (d_in, T) -> (T, T)
    // context (T, T) x (T, d_in) -> (T, d_in)
    attention(x, x, x, Scale::None)
}
// ANCHOR_END: self_attention

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::journey;
    use attn_common::rng::SplitMix64;
    use ndarray::{Array2, array};
    use proptest::prelude::*;

    #[test]
    fn the_score_of_journey_with_your_is_their_dot_product() {
        // 0.55 * 0.43 + 0.87 * 0.15 + 0.66 * 0.89
        //   = 0.2365 + 0.1305 + 0.5874 = 0.9544
        let s = journey();
        let one = self_attend_one(s.x.view(), 1).unwrap();
        assert!((one.scores[0] - 0.9544).abs() < 1e-12);
        let all = self_attention(s.x.view()).unwrap();
        assert!((all.scores[[1, 0]] - 0.9544).abs() < 1e-12);
        assert!((all.scores[[0, 1]] - 0.9544).abs() < 1e-12);
    }

    #[test]
    fn one_token_attends_only_to_itself() {
        let x = array![[2.0, -1.0]];
        let out = self_attention(x.view()).unwrap();
        assert_eq!(out.weights, array![[1.0]]);
        assert_eq!(out.context, x);
    }

    #[test]
    fn an_empty_sequence_is_an_error_naming_its_shape() {
        let x = Array2::<f64>::zeros((0, 3));
        let err = self_attention(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (0, 3) is empty"), "{err}");
    }

    #[test]
    fn tokens_without_features_are_an_error() {
        let x = Array2::<f64>::zeros((4, 0));
        let err = self_attention(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (4, 0) is empty"), "{err}");
    }

    #[test]
    fn a_non_finite_embedding_is_an_error_naming_its_shape() {
        let x = array![[0.1, 0.2], [f64::NAN, 0.4], [0.5, 0.6]];
        let err = self_attention(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (3, 2)"), "{err}");
        assert!(err.contains("NaN at (1, 0)"), "{err}");
    }

    #[test]
    fn one_query_checks_its_input_and_its_index() {
        let s = journey();
        let err = self_attend_one(s.x.view(), 6).unwrap_err().to_string();
        assert!(err.contains("query index 6"), "{err}");
        assert!(err.contains("shape (6, 3)"), "{err}");
        let x = array![[f64::INFINITY]];
        let err = self_attend_one(x.view(), 0).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (1, 1)"), "{err}");
    }

    proptest! {
        #[test]
        fn every_row_of_weights_is_a_distribution(
            t in 1usize..12, d_in in 1usize..6, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let x = rng.uniform_matrix(t, d_in, -3.0, 3.0);
            let out = self_attention(x.view()).unwrap();
            prop_assert_eq!(out.weights.dim(), (t, t));
            prop_assert_eq!(out.context.dim(), (t, d_in));
            for row in out.weights.rows() {
                prop_assert!(row.iter().all(|&w| (0.0..=1.0).contains(&w)));
                prop_assert!((row.sum() - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn the_matrix_form_equals_one_query_at_a_time(
            t in 1usize..9, d_in in 1usize..6, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let x = rng.normal_matrix(t, d_in);
            let all = self_attention(x.view()).unwrap();
            // Any order works: no row needs another row's result.
            for i in (0..t).rev() {
                let one = self_attend_one(x.view(), i).unwrap();
                for (a, b) in one.weights.iter().zip(all.weights.row(i)) {
                    prop_assert!((a - b).abs() < 1e-12);
                }
                for (a, b) in one.output.iter().zip(all.context.row(i)) {
                    prop_assert!((a - b).abs() < 1e-12);
                }
            }
        }

        #[test]
        fn only_a_longer_vector_can_outscore_the_query_itself(
            t in 1usize..9, d_in in 1usize..6, seed in any::<u64>(),
        ) {
            // Cauchy-Schwarz: x_i . x_j <= |x_i| |x_j|, so x_i . x_j can
            // exceed x_i . x_i only if |x_j| > |x_i|.
            let mut rng = SplitMix64::new(seed);
            let x = rng.normal_matrix(t, d_in);
            let out = self_attention(x.view()).unwrap();
            let norm = |r: usize| x.row(r).dot(&x.row(r)).sqrt();
            for i in 0..t {
                for j in 0..t {
                    if out.scores[[i, j]] > out.scores[[i, i]] + 1e-12 {
                        prop_assert!(norm(j) > norm(i));
                    }
                }
            }
        }

        #[test]
        fn the_score_matrix_is_symmetric(
            t in 1usize..9, d_in in 1usize..6, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let x = rng.normal_matrix(t, d_in);
            let out = self_attention(x.view()).unwrap();
            for i in 0..t {
                for j in 0..t {
                    let (a, b) = (out.scores[[i, j]], out.scores[[j, i]]);
                    prop_assert!((a - b).abs() < 1e-12);
                }
            }
        }
    }
}
