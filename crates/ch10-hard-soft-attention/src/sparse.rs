//! Between hard and soft: top-k attention and sparsemax. Both give
//! weights that are exactly 0 for some tokens and still carry a gradient
//! for the others.

use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::{Array1, Array2, ArrayView1};

/// The positions of `scores` from the largest score to the smallest; equal
/// scores keep their order (the earlier position first).
fn ranked(scores: ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // A stable sort keeps tied positions in their original order.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order
}

// ANCHOR: top_k
/// Top-k attention: a softmax over the `k` largest scores only; every
/// other token gets weight exactly 0. Ties are broken towards the earlier
/// position. `k = 1` is hard arg-max attention; `k = T` is the softmax.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`, with at most `k` non-zero entries
///
/// # Errors
/// Empty or non-finite scores, or `k` outside `1..=T`.
pub fn top_k(scores: ArrayView1<f64>, k: usize) -> Result<Array1<f64>> {
    check::usable("scores", &scores)?;
    ensure!(
        (1..=scores.len()).contains(&k),
        "k = {k} must lie between 1 and the number of scores; `scores` has \
         shape {}",
        check::shape(&scores)
    );
    let kept: Vec<usize> = ranked(scores).into_iter().take(k).collect();
    let kept_scores = Array1::from_iter(kept.iter().map(|&i| scores[i]));
    let kept_weights = softmax(kept_scores.view())?;
    let mut weights = Array1::zeros(scores.len());
    for (&i, &w) in kept.iter().zip(&kept_weights) {
        weights[i] = w;
    }
    Ok(weights)
}
// ANCHOR_END: top_k

// ANCHOR: sparsemax
/// Sparsemax (Martins and Astudillo, 2016): the point of the probability
/// simplex closest to the scores. It has the form
/// `w_i = max(s_i - threshold, 0)`, with the one threshold that makes the
/// weights sum to 1.
///
/// To find it, sort the scores from the largest, `z_1 >= z_2 >= ...`. The
/// support is the first `k` of them, for the largest `k` with
/// `1 + k z_k > z_1 + ... + z_k`, and the threshold is
/// `(z_1 + ... + z_k - 1) / k`.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`, entries in `[0, 1]` summing to 1
///
/// # Errors
/// Empty or non-finite scores.
pub fn sparsemax(scores: ArrayView1<f64>) -> Result<Array1<f64>> {
    let threshold = sparsemax_threshold(scores)?;
    // The clamp only removes rounding: a lone weight can come out one ulp
    // above 1.
    Ok(scores.mapv(|s| (s - threshold).clamp(0.0, 1.0)))
}

/// The threshold of [`sparsemax`]: scores above it get weight
/// `score - threshold`, the others 0.
///
/// # Shapes
/// - `scores`: `(T,)` -> a number
///
/// # Errors
/// Empty or non-finite scores.
pub fn sparsemax_threshold(scores: ArrayView1<f64>) -> Result<f64> {
    check::usable("scores", &scores)?;
    let sorted: Vec<f64> = ranked(scores).iter().map(|&i| scores[i]).collect();
    let mut running = 0.0;
    let (mut support, mut support_sum) = (0, 0.0);
    for (k, &z) in sorted.iter().enumerate() {
        running += z;
        // The largest k with 1 + k z_k > z_1 + ... + z_k; the condition
        // holds for k = 1 always and stops holding once it fails.
        if 1.0 + (k + 1) as f64 * z > running {
            support = k + 1;
            support_sum = running;
        }
    }
    Ok((support_sum - 1.0) / support as f64)
}
// ANCHOR_END: sparsemax

// ANCHOR: jacobian
/// The derivative of [`sparsemax`]'s weights with respect to the scores,
/// wherever it exists (everywhere except where a score sits exactly on
/// the threshold): `dw_i / ds_j = [i, j in S] (delta_ij - 1 / |S|)`,
/// where `S` is the set of tokens with a positive weight. Outside the
/// support everything is 0; inside it, a score's rise is shared out as a
/// fall of `1/|S|` for every weight in the support.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T, T)`, row `i` holding `dw_i / ds`
///
/// # Errors
/// Empty or non-finite scores.
pub fn sparsemax_jacobian(scores: ArrayView1<f64>) -> Result<Array2<f64>> {
    let w = sparsemax(scores)?;
    let support: Vec<bool> = w.iter().map(|&x| x > 0.0).collect();
    let size = support.iter().filter(|&&s| s).count() as f64;
    let t = scores.len();
    Ok(Array2::from_shape_fn((t, t), |(i, j)| {
        if support[i] && support[j] {
            f64::from(u8::from(i == j)) - 1.0 / size
        } else {
            0.0
        }
    }))
}
// ANCHOR_END: jacobian

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;
    use ndarray::array;
    use proptest::prelude::*;

    fn assert_close(a: &Array1<f64>, b: &Array1<f64>) {
        assert!(
            a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12),
            "{a} vs {b}"
        );
    }

    #[test]
    fn sparsemax_of_example_2_by_hand() {
        // Sorted: 0.9, 0.3, 0.2, 0.1, 0.1. k = 3: 1 + 3(0.2) = 1.6 > 1.4;
        // k = 4: 1 + 4(0.1) = 1.4 < 1.5. Threshold (1.4 - 1)/3 = 0.1333.
        let w = sparsemax(array![0.1, 0.9, 0.3, 0.2, 0.1].view()).unwrap();
        let t = 0.4 / 3.0;
        assert_close(&w, &array![0.0, 0.9 - t, 0.3 - t, 0.2 - t, 0.0]);
    }

    #[test]
    fn sparsemax_of_two_scores() {
        // Gap d < 1: [(1 + d)/2, (1 - d)/2]; gap of 1 or more: one-hot.
        let w = sparsemax(array![0.4, 0.0].view()).unwrap();
        assert_close(&w, &array![0.7, 0.3]);
        let w = sparsemax(array![0.0, 1.5].view()).unwrap();
        assert_close(&w, &array![0.0, 1.0]);
    }

    #[test]
    fn top_k_keeps_the_largest_and_breaks_ties_early() {
        // k = 2 keeps 0.9 and 0.3: e^0.9 / (e^0.9 + e^0.3) = 0.6457...
        let s = array![0.1, 0.9, 0.3, 0.2, 0.1];
        let w = top_k(s.view(), 2).unwrap();
        let a = 1.0 / (1.0 + (-0.6f64).exp());
        assert_close(&w, &array![0.0, a, 1.0 - a, 0.0, 0.0]);
        // k = 4 must drop one of the two 0.1s: the later one, "mat".
        let w = top_k(s.view(), 4).unwrap();
        assert!(w[0] > 0.0 && w[4] == 0.0, "{w}");
        let all = top_k(s.view(), 5).unwrap();
        assert_close(&all, &softmax(s.view()).unwrap());
    }

    #[test]
    fn k_out_of_range_names_the_shape() {
        let s = array![1.0, 2.0, 3.0];
        for k in [0, 4] {
            let err = top_k(s.view(), k).unwrap_err().to_string();
            assert!(err.contains("(3,)"), "{err}");
        }
    }

    proptest! {
        #[test]
        fn sparsemax_is_a_probability_vector(
            t in 1usize..12, scale in 0.01f64..100.0, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || scale * rng.normal());
            let w = sparsemax(s.view()).unwrap();
            prop_assert!(w.iter().all(|&x| (0.0..=1.0).contains(&x)));
            prop_assert!((w.sum() - 1.0).abs() < 1e-9, "{}", w.sum());
        }

        #[test]
        fn sparsemax_becomes_softmax_arg_max_as_scores_spread(
            t in 2usize..10, seed in any::<u64>(),
        ) {
            // Once the top score leads the runner-up by 1 or more, sparsemax
            // is exactly one-hot on softmax's largest weight.
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let order = ranked(s.view());
            let gap = s[order[0]] - s[order[1]];
            prop_assume!(gap > 1e-6);
            let spread = &s * (1.0 / gap);
            let w = sparsemax(spread.view()).unwrap();
            let soft = softmax(s.view()).unwrap();
            let top = crate::choose::arg_max(soft.view()).unwrap();
            for (i, &x) in w.iter().enumerate() {
                let want = if i == top { 1.0 } else { 0.0 };
                prop_assert!((x - want).abs() < 1e-9, "{w}");
            }
        }

        #[test]
        fn top_k_keeps_exactly_k_distinct_scores(
            t in 1usize..12, seed in any::<u64>(), pick in any::<usize>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let k = 1 + pick % t;
            let w = top_k(s.view(), k).unwrap();
            prop_assert_eq!(w.iter().filter(|&&x| x > 0.0).count(), k);
            prop_assert!((w.sum() - 1.0).abs() < 1e-12);
        }

        #[test]
        fn the_jacobian_matches_finite_differences(
            t in 1usize..8, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let s = Array1::from_shape_simple_fn(t, || rng.normal());
            let threshold = sparsemax_threshold(s.view()).unwrap();
            // Away from the kinks the weights are linear in the scores.
            prop_assume!(s.iter().all(|x| (x - threshold).abs() > 1e-3));
            let jac = sparsemax_jacobian(s.view()).unwrap();
            let h = 1e-5;
            for j in 0..t {
                let mut up = s.clone();
                up[j] += h;
                let mut down = s.clone();
                down[j] -= h;
                let fd = (sparsemax(up.view()).unwrap()
                    - sparsemax(down.view()).unwrap())
                    / (2.0 * h);
                for i in 0..t {
                    prop_assert!((fd[i] - jac[[i, j]]).abs() < 1e-6);
                }
            }
        }
    }
}
