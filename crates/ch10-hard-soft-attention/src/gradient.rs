//! The gradient problem: a loss through hard attention is flat almost
//! everywhere, a loss through soft attention is smooth, and the soft
//! gradient fades as the temperature falls.
//!
//! The task is example 2, "The cat sat on the mat": reading "sat", the
//! model should look at its subject, "cat". Reading "cat" costs 0, reading
//! any other word costs 1. Soft attention pays the weighted average of the
//! costs; hard attention pays the cost of the one word it picks.

use crate::choose::arg_max;
use anyhow::Result;
use attn_common::check;
use ch03_queries_keys_values::softmax::softmax_with_temperature;
use ndarray::{Array1, ArrayView1};

/// The cost of reading each of example 2's tokens when looking for the
/// subject of "sat": 0 for "cat", 1 for every other word.
pub const CAT_SAT_COSTS: [f64; 5] = [1.0, 0.0, 1.0, 1.0, 1.0];

/// Fails unless `scores` and `costs` are usable and equally long.
pub fn check_scores_costs(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
) -> Result<()> {
    check::usable("scores", &scores)?;
    check::usable("costs", &costs)?;
    check::same_len(
        "the number of scores and costs",
        ("scores", scores.len(), &check::shape(&scores)),
        ("costs", costs.len(), &check::shape(&costs)),
    )
}

// ANCHOR: losses
/// Soft attention's loss: the weighted average of the costs, with
/// weights `softmax(scores / temperature)`.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> a number
///
/// # Errors
/// Empty or non-finite inputs, different lengths, or a temperature that
/// is not a finite positive number.
pub fn soft_loss(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    temperature: f64,
) -> Result<f64> {
    check_scores_costs(scores, costs)?;
    let weights = softmax_with_temperature(scores, temperature)?;
    Ok(weights.dot(&costs))
}

/// Hard attention's loss: the cost of the arg-max token.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> a number
///
/// # Errors
/// Empty or non-finite inputs, or different lengths.
pub fn hard_loss(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
) -> Result<f64> {
    check_scores_costs(scores, costs)?;
    Ok(costs[arg_max(scores)?])
}
// ANCHOR_END: losses

// ANCHOR: soft_gradient
/// The exact gradient of [`soft_loss`] with respect to the scores.
///
/// With `w = softmax(s / tau)` and `L = sum_i w_i c_i`, the derivative
/// `dw_i / ds_j = w_i (delta_ij - w_j) / tau` gives
/// `dL / ds_j = w_j (c_j - L) / tau`.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> `(T,)`
///
/// # Errors
/// As [`soft_loss`].
pub fn soft_loss_gradient(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    temperature: f64,
) -> Result<Array1<f64>> {
    check_scores_costs(scores, costs)?;
    let w = softmax_with_temperature(scores, temperature)?;
    let loss = w.dot(&costs);
    Ok(&w * &costs.mapv(|c| c - loss) / temperature)
}
// ANCHOR_END: soft_gradient

// ANCHOR: central_difference
/// The central finite difference of `f` at `scores`, one score at a time:
/// `(f(s + h e_j) - f(s - h e_j)) / (2 h)`. It needs nothing but `f`
/// itself, so it works for hard attention too, and shows what a gradient
/// would see.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`
///
/// # Errors
/// Empty or non-finite scores, a step that is not a finite positive
/// number, or an error from `f`.
pub fn central_difference(
    f: impl Fn(ArrayView1<f64>) -> Result<f64>,
    scores: ArrayView1<f64>,
    h: f64,
) -> Result<Array1<f64>> {
    check::usable("scores", &scores)?;
    anyhow::ensure!(
        h.is_finite() && h > 0.0,
        "the step h must be a finite number above 0, got {h}"
    );
    let mut grad = Array1::zeros(scores.len());
    for j in 0..scores.len() {
        let mut up = scores.to_owned();
        up[j] += h;
        let mut down = scores.to_owned();
        down[j] -= h;
        grad[j] = (f(up.view())? - f(down.view())?) / (2.0 * h);
    }
    Ok(grad)
}
// ANCHOR_END: central_difference

/// The Euclidean length of a vector.
///
/// # Shapes
/// - `x`: `(n,)` -> a number
pub fn norm(x: ArrayView1<f64>) -> f64 {
    x.dot(&x).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn hard_loss_is_the_cost_of_the_arg_max() {
        let s = array![0.1, 0.9, 0.3];
        let c = array![1.0, 0.0, 1.0];
        assert_eq!(hard_loss(s.view(), c.view()).unwrap(), 0.0);
    }

    #[test]
    fn mismatched_scores_and_costs_name_both_shapes() {
        let err = soft_loss(
            array![0.1, 0.9, 0.3].view(),
            array![1.0, 0.0].view(),
            1.0,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(3,)") && err.contains("(2,)"), "{err}");
    }

    #[test]
    fn temperature_and_step_must_be_positive() {
        let s = array![0.1, 0.9];
        let c = array![1.0, 0.0];
        assert!(soft_loss(s.view(), c.view(), 0.0).is_err());
        let f = |x: ArrayView1<f64>| Ok(x.sum());
        assert!(central_difference(f, s.view(), 0.0).is_err());
    }

    proptest! {
        #[test]
        fn the_exact_gradient_matches_finite_differences(
            t in 1usize..8, temperature in 0.2f64..5.0, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let c = Array1::from_shape_simple_fn(t, || rng.uniform());
            let exact =
                soft_loss_gradient(s.view(), c.view(), temperature).unwrap();
            let f = |x: ArrayView1<f64>| soft_loss(x, c.view(), temperature);
            let fd = central_difference(f, s.view(), 1e-5).unwrap();
            for (a, b) in exact.iter().zip(&fd) {
                prop_assert!((a - b).abs() < 1e-7, "{exact} vs {fd}");
            }
        }

        #[test]
        fn hard_loss_has_zero_finite_differences_away_from_ties(
            t in 2usize..8, seed in any::<u64>(),
        ) {
            // Scores on a grid of step 1 never come within h of a tie
            // unless two are equal; spread them so none are.
            let mut rng = SplitMix64::new(seed);
            let mut s: Vec<f64> = (0..t).map(|i| i as f64).collect();
            for i in (1..t).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                s.swap(i, j);
            }
            let s = Array1::from(s);
            let c = Array1::from_shape_simple_fn(t, || rng.uniform());
            let f = |x: ArrayView1<f64>| hard_loss(x, c.view());
            let fd = central_difference(f, s.view(), 1e-3).unwrap();
            prop_assert!(fd.iter().all(|&g| g == 0.0), "{fd}");
        }
    }
}
