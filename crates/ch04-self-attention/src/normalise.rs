//! Two ways to turn scores into weights: divide by the sum, or softmax.
//!
//! Dividing by the sum is the obvious first idea. It works for the
//! positive scores of example 3, and fails in ways the chapter shows:
//! negative weights, a division by zero, and derivatives that explode.

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1};

// ANCHOR: sum_normalise
/// Divides every score by the sum of all scores: `s_i / sum_j s_j`.
///
/// The results sum to 1, but they are only a probability distribution
/// when every score is positive: a negative score gives a negative weight.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`
///
/// # Errors
/// Empty or non-finite scores, or scores whose sum is 0.
pub fn sum_normalise(scores: ArrayView1<f64>) -> Result<Array1<f64>> {
    check::usable("scores", &scores)?;
    let total = scores.sum();
    ensure!(
        total != 0.0,
        "`scores` with shape {} sum to 0: division by zero",
        check::shape(&scores)
    );
    Ok(&scores / total)
}
// ANCHOR_END: sum_normalise

/// The derivatives `d w_i / d s_j` of [`sum_normalise`] at `scores`.
///
/// With `S = sum_j s_j`, `w_i = s_i / S`, so
/// `d w_i / d s_j = (delta_ij S - s_i) / S^2`: it grows without bound as
/// `S` approaches 0.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T, T)`, row `i` holds the derivatives of `w_i`.
///
/// # Errors
/// As [`sum_normalise`].
pub fn sum_normalise_jacobian(scores: ArrayView1<f64>) -> Result<Array2<f64>> {
    sum_normalise(scores)?;
    let total = scores.sum();
    let t = scores.len();
    Ok(Array2::from_shape_fn((t, t), |(i, j)| {
        let delta = if i == j { total } else { 0.0 };
        (delta - scores[i]) / (total * total)
    }))
}

/// The derivatives `d w_i / d s_j` of softmax, given its output `weights`.
///
/// `d w_i / d s_j = w_i (delta_ij - w_j)`. On the diagonal that is
/// `w_i (1 - w_i)`, at most 1/4; off it, `-w_i w_j` with `w_i + w_j <= 1`,
/// again at most 1/4 in size. So no entry ever exceeds 1/4.
///
/// # Shapes
/// - `weights`: `(T,)` -> `(T, T)`, row `i` holds the derivatives of `w_i`.
///
/// # Errors
/// Empty or non-finite weights.
pub fn softmax_jacobian(weights: ArrayView1<f64>) -> Result<Array2<f64>> {
    check::usable("weights", &weights)?;
    let t = weights.len();
    Ok(Array2::from_shape_fn((t, t), |(i, j)| {
        let delta = if i == j { 1.0 } else { 0.0 };
        weights[i] * (delta - weights[j])
    }))
}

/// The largest absolute entry of a matrix (0 for an empty one).
pub fn largest_magnitude(m: &Array2<f64>) -> f64 {
    m.iter().fold(0.0, |acc, &v| acc.max(v.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ch03_queries_keys_values::softmax::softmax;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn a_negative_score_gives_a_negative_weight() {
        // [2, -1, 0.5] / 1.5 = [4/3, -2/3, 1/3]
        let w = sum_normalise(array![2.0, -1.0, 0.5].view()).unwrap();
        assert!((w[0] - 4.0 / 3.0).abs() < 1e-15);
        assert!((w[1] + 2.0 / 3.0).abs() < 1e-15);
        assert!((w[2] - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn scores_that_cancel_are_an_error() {
        let err = sum_normalise(array![1.0, -1.0].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("shape (2,) sum to 0"), "{err}");
        let err = sum_normalise(array![f64::NAN].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("shape (1,)"), "{err}");
    }

    #[test]
    fn the_jacobian_explodes_near_a_zero_sum() {
        // S = 0.1: d w_1 / d s_1 = (0.1 + 0.9) / 0.01 = 100.
        let j = sum_normalise_jacobian(array![1.0, -0.9].view()).unwrap();
        assert!((j[[1, 1]] - 100.0).abs() < 1e-9);
        assert!((largest_magnitude(&j) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn softmax_jacobian_of_two_equal_weights() {
        // w = [1/2, 1/2]: diagonal 1/4, off-diagonal -1/4.
        let j = softmax_jacobian(array![0.5, 0.5].view()).unwrap();
        assert_eq!(j, array![[0.25, -0.25], [-0.25, 0.25]]);
        assert!(softmax_jacobian(array![f64::NAN].view()).is_err());
    }

    /// Central differences of `f` at `s`: row `i` is `d f_i / d s_j`.
    fn numeric_jacobian(
        f: impl Fn(ArrayView1<f64>) -> Array1<f64>,
        s: &Array1<f64>,
    ) -> Array2<f64> {
        let h = 1e-6;
        let t = s.len();
        let mut j = Array2::zeros((t, t));
        for col in 0..t {
            let (mut up, mut down) = (s.clone(), s.clone());
            up[col] += h;
            down[col] -= h;
            let diff = (f(up.view()) - f(down.view())) / (2.0 * h);
            j.column_mut(col).assign(&diff);
        }
        j
    }

    #[test]
    fn both_jacobians_match_finite_differences() {
        let s = array![0.9544, -0.3, 1.2, 0.4];
        let by_sum = sum_normalise_jacobian(s.view()).unwrap();
        let numeric = numeric_jacobian(|v| sum_normalise(v).unwrap(), &s);
        for (a, b) in by_sum.iter().zip(&numeric) {
            assert!((a - b).abs() < 1e-6, "{by_sum} vs {numeric}");
        }
        let w = softmax(s.view()).unwrap();
        let soft = softmax_jacobian(w.view()).unwrap();
        let numeric = numeric_jacobian(|v| softmax(v).unwrap(), &s);
        for (a, b) in soft.iter().zip(&numeric) {
            assert!((a - b).abs() < 1e-6, "{soft} vs {numeric}");
        }
    }

    proptest! {
        #[test]
        fn softmax_derivatives_never_exceed_a_quarter(
            scores in prop::collection::vec(-20f64..20.0, 1..12),
        ) {
            let w = softmax(Array1::from(scores).view()).unwrap();
            let j = softmax_jacobian(w.view()).unwrap();
            prop_assert!(largest_magnitude(&j) <= 0.25 + 1e-12);
        }

        #[test]
        fn sum_normalised_weights_sum_to_one(
            scores in prop::collection::vec(0.01f64..10.0, 1..12),
        ) {
            let w = sum_normalise(Array1::from(scores).view()).unwrap();
            prop_assert!((w.sum() - 1.0).abs() < 1e-12);
        }
    }
}
