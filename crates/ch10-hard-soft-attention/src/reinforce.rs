//! The score-function (REINFORCE) estimator: a gradient for sampled hard
//! attention, from samples alone.
//!
//! Hard attention draws token `i` with probability `p_i = softmax(s)_i`
//! and pays its cost `c_i`. The expected cost `J = sum_i p_i c_i` is smooth
//! in the scores even though each draw is not, and its gradient is an
//! expectation that samples can estimate:
//! `dJ/ds = E[c_i grad log p_i]`, with `grad log p_i = e_i - p`.

use crate::choose::Sampler;
use crate::gradient::check_scores_costs;
use anyhow::{Result, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::{Array1, ArrayView1};

// ANCHOR: exact
/// The expected cost `J = sum_i p_i c_i` of sampled hard attention, and
/// its exact gradient `dJ/ds_j = p_j (c_j - J)`, with `p = softmax(s)`.
/// (It is [`crate::gradient::soft_loss_gradient`] at temperature 1: the
/// expected cost of a sample is the soft loss.)
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> a number and `(T,)`
///
/// # Errors
/// Empty or non-finite inputs, or different lengths.
pub fn exact_gradient(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
) -> Result<(f64, Array1<f64>)> {
    check_scores_costs(scores, costs)?;
    let p = softmax(scores)?;
    let expected = p.dot(&costs);
    Ok((expected, &p * &costs.mapv(|c| c - expected)))
}
// ANCHOR_END: exact

// ANCHOR: reinforce
/// The REINFORCE estimate of `dJ/ds` from the drawn indices `samples`:
/// the mean over the samples of `(c_i - baseline) (e_i - p)`.
///
/// `e_i - p` is the gradient of `log p_i` with respect to the scores (the
/// "score function"). The baseline is any number that does not depend on
/// the draw; since `sum_i p_i (e_i - p) = 0`, it leaves the mean of the
/// estimate unchanged and only changes its spread.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)`; `samples`: `N` indices in `0..T`
///   -> `(T,)`
///
/// # Errors
/// Empty or non-finite inputs, different lengths, no samples, an index
/// outside `0..T`, or a non-finite baseline.
pub fn reinforce(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    samples: &[usize],
    baseline: f64,
) -> Result<Array1<f64>> {
    check_scores_costs(scores, costs)?;
    ensure!(!samples.is_empty(), "REINFORCE needs at least one sample");
    ensure!(baseline.is_finite(), "the baseline must be finite");
    if let Some(&i) = samples.iter().find(|&&i| i >= scores.len()) {
        anyhow::bail!(
            "sample {i} is not an index of `scores` with shape {}",
            check::shape(&scores)
        );
    }
    let p = softmax(scores)?;
    let mut total = Array1::zeros(scores.len());
    for &i in samples {
        let mut grad_log_p = -&p; // e_i - p
        grad_log_p[i] += 1.0;
        total += &(grad_log_p * (costs[i] - baseline));
    }
    Ok(total / samples.len() as f64)
}
// ANCHOR_END: reinforce

/// `n` indices drawn from `softmax(scores)` with `rng`.
///
/// # Shapes
/// - `scores`: `(T,)` -> `n` indices in `0..T`
///
/// # Errors
/// Empty or non-finite scores.
pub fn draw(
    scores: ArrayView1<f64>,
    n: usize,
    rng: &mut SplitMix64,
) -> Result<Vec<usize>> {
    let sampler = Sampler::new(softmax(scores)?.view())?;
    Ok((0..n).map(|_| sampler.draw(rng)).collect())
}

// ANCHOR: variance
/// The variance of the `n`-sample estimate, exactly: the mean squared
/// distance `E |g_n - dJ/ds|^2` from the true gradient, summed over the
/// `T` entries. One sample has
/// `V_1 = sum_i p_i (c_i - b)^2 |e_i - p|^2 - |dJ/ds|^2`, and `n`
/// independent samples average it down to `V_1 / n`.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> a number
///
/// # Errors
/// As [`exact_gradient`], `n` of 0, or a non-finite baseline.
pub fn exact_variance(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    baseline: f64,
    n: usize,
) -> Result<f64> {
    let (_, g) = exact_gradient(scores, costs)?;
    ensure!(n > 0, "the number of samples must be at least 1");
    ensure!(baseline.is_finite(), "the baseline must be finite");
    let p = softmax(scores)?;
    let mut second_moment = 0.0;
    for i in 0..p.len() {
        let mut grad_log_p = -&p;
        grad_log_p[i] += 1.0;
        let sq = grad_log_p.dot(&grad_log_p);
        second_moment += p[i] * (costs[i] - baseline).powi(2) * sq;
    }
    Ok((second_moment - g.dot(&g)) / n as f64)
}
// ANCHOR_END: variance

/// What [`measured_variance`] found for one number of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Samples per estimate.
    pub n: usize,
    /// Mean of `|g_n - dJ/ds|^2` over the repeats, without a baseline.
    pub plain: f64,
    /// The same with the baseline, on the same draws.
    pub with_baseline: f64,
}

// ANCHOR: measured
/// The variance of the `n`-sample estimate, measured: `repeats`
/// estimates from one generator seeded with `seed`, each compared with
/// the exact gradient. The plain and the baseline estimates use the same
/// draws, so they differ only by the baseline.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)` -> one [`Spread`]
///
/// # Errors
/// As [`reinforce`], or `n` or `repeats` of 0.
pub fn measured_variance(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    baseline: f64,
    n: usize,
    repeats: usize,
    seed: u64,
) -> Result<Spread> {
    ensure!(n > 0 && repeats > 0, "n and repeats must be at least 1");
    ensure!(baseline.is_finite(), "the baseline must be finite");
    let (_, exact) = exact_gradient(scores, costs)?;
    let p = softmax(scores)?;
    let sampler = Sampler::new(p.view())?;
    let t = scores.len();
    // The estimate depends on the draws only through how often each index
    // came up: g = sum_i (count_i / n) (c_i - b) (e_i - p).
    let one = |i: usize, b: f64| {
        let mut g = -&p;
        g[i] += 1.0;
        g * (costs[i] - b)
    };
    let plain_terms: Vec<Array1<f64>> = (0..t).map(|i| one(i, 0.0)).collect();
    let based_terms: Vec<Array1<f64>> =
        (0..t).map(|i| one(i, baseline)).collect();
    let mut rng = SplitMix64::new(seed);
    let (mut plain, mut with_baseline) = (0.0, 0.0);
    let mut counts = vec![0usize; t];
    for _ in 0..repeats {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            counts[sampler.draw(&mut rng)] += 1;
        }
        let mut a = -&exact;
        let mut b = -&exact;
        for i in 0..t {
            let share = counts[i] as f64 / n as f64;
            a.scaled_add(share, &plain_terms[i]);
            b.scaled_add(share, &based_terms[i]);
        }
        plain += a.dot(&a);
        with_baseline += b.dot(&b);
    }
    let r = repeats as f64;
    Ok(Spread {
        n,
        plain: plain / r,
        with_baseline: with_baseline / r,
    })
}
// ANCHOR_END: measured

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn two_equal_scores_by_hand() {
        // p = [1/2, 1/2], costs [1, 0]: J = 1/2, dJ/ds = [1/4, -1/4].
        // Draw 0: (1 - 0)([1, 0] - p) = [1/2, -1/2]; draw 1: cost 0 -> 0.
        let s = array![0.0, 0.0];
        let c = array![1.0, 0.0];
        let (j, g) = exact_gradient(s.view(), c.view()).unwrap();
        assert_eq!(j, 0.5);
        assert_eq!(g, array![0.25, -0.25]);
        let est = reinforce(s.view(), c.view(), &[0, 1], 0.0).unwrap();
        assert_eq!(est, array![0.25, -0.25]);
        // With the baseline 1/2 every single draw gives the exact answer.
        for i in 0..2 {
            let one = reinforce(s.view(), c.view(), &[i], 0.5).unwrap();
            assert_eq!(one, array![0.25, -0.25]);
        }
        assert_eq!(exact_variance(s.view(), c.view(), 0.5, 1).unwrap(), 0.0);
    }

    #[test]
    fn bad_samples_are_rejected_with_the_shape() {
        let s = array![0.0, 1.0, 2.0];
        let c = array![1.0, 0.0, 1.0];
        let err = reinforce(s.view(), c.view(), &[0, 3], 0.0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("sample 3") && err.contains("(3,)"), "{err}");
        assert!(reinforce(s.view(), c.view(), &[], 0.0).is_err());
        assert!(reinforce(s.view(), c.view(), &[0], f64::NAN).is_err());
    }

    #[test]
    fn measured_variance_agrees_with_the_formula() {
        // 4000 repeats: the measured value lies within 10% of the exact.
        let s = array![0.1, 0.9, 0.3, 0.2, 0.1];
        let c = array![1.0, 0.0, 1.0, 1.0, 1.0];
        let (j, _) = exact_gradient(s.view(), c.view()).unwrap();
        let m = measured_variance(s.view(), c.view(), j, 5, 4000, 7).unwrap();
        let plain = exact_variance(s.view(), c.view(), 0.0, 5).unwrap();
        let based = exact_variance(s.view(), c.view(), j, 5).unwrap();
        assert!((m.plain / plain - 1.0).abs() < 0.1, "{m:?} {plain}");
        assert!((m.with_baseline / based - 1.0).abs() < 0.1, "{based}");
    }

    proptest! {
        #[test]
        fn averaging_every_index_by_its_probability_is_exact(
            t in 1usize..7, seed in any::<u64>(), baseline in -3.0f64..3.0,
        ) {
            // sum_i p_i (c_i - b)(e_i - p) = dJ/ds for any baseline b:
            // the estimator is unbiased.
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let c = Array1::from_shape_simple_fn(t, || rng.normal());
            let (_, g) = exact_gradient(s.view(), c.view()).unwrap();
            let p = softmax(s.view()).unwrap();
            let mut mean = Array1::<f64>::zeros(t);
            for i in 0..t {
                let one = reinforce(s.view(), c.view(), &[i], baseline)
                    .unwrap();
                mean += &(one * p[i]);
            }
            for (a, b) in mean.iter().zip(&g) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }

        #[test]
        fn every_estimate_sums_to_zero(
            t in 1usize..7, seed in any::<u64>(), n in 1usize..20,
        ) {
            // Each e_i - p sums to 1 - 1 = 0, and so does any mix of them.
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let c = Array1::from_shape_simple_fn(t, || rng.normal());
            let samples = draw(s.view(), n, &mut rng).unwrap();
            let est = reinforce(s.view(), c.view(), &samples, 0.3).unwrap();
            prop_assert!(est.sum().abs() < 1e-12);
        }
    }
}
