//! Chapter 10's exercises. Each function states its task; the reference
//! solution sits between the `SOLUTION-START` and `SOLUTION-END` markers, and
//! `tests/exercises.rs` checks it:
//! `cargo test -p ch10-hard-soft-attention --test exercises`.
//!
//! # How your answers are graded
//! The same rules hold in every chapter; each exercise's `# Grading`
//! section gives its tolerance.
//! - Your answers are compared with the reference answers: exactly, or
//!   within the relative tolerance the exercise states (a difference is
//!   also accepted when it is that fraction of the answer's largest
//!   entry, so rounding noise in a tiny entry next to large ones passes).
//!   NaN never matches a number, and shapes must match exactly.
//! - A refusal is an `Err`; a panic is not a refusal. Where an
//!   exercise's documentation says that the error names shapes or values,
//!   the message must contain them. A shape may be written `(2, 3)`, `[2, 3]`, `(2,3)` or `2x3`,
//!   and a one-dimensional shape `(2,)`, `[2]` or plain `2`; a number
//!   must stand alone (`5`, not inside `15`); other words as the
//!   documentation gives them, in any case and spacing.
//! - Refusing bad input and keeping a property earn points only once
//!   your answers match the reference on real cases: answers of zeros,
//!   constants or uniform weights earn nothing, however well they refuse.

use anyhow::{Result, bail, ensure};
use attn_common::check;
use ndarray::{Array1, ArrayView1};

// ANCHOR: ex_10_1
/// Exercise 10.1: sparsemax at a temperature.
///
/// Return `sparsemax(scores / temperature)`: divide the scores by the
/// temperature, then find the threshold `t` such that the weights
/// `w_i = max(s_i - t, 0)` sum to 1 (sort the scaled scores from the
/// largest, `z_1 >= z_2 >= ...`; keep the largest `k` with
/// `1 + k z_k > z_1 + ... + z_k`; then `t = (z_1 + ... + z_k - 1) / k`).
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`, entries in `[0, 1]` summing to 1
///
/// # Errors
/// Empty or non-finite scores (the error names the shape of `scores`), or
/// a temperature that is not a finite number above 0.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn sparsemax_at(
    scores: ArrayView1<f64>,
    temperature: f64,
) -> Result<Array1<f64>> {
    // TODO(ex 10.1): check the inputs, scale, sort, find k and t, then
    // clip. [0.1, 0.9, 0.3, 0.2, 0.1] at temperature 1
    // -> [0, 0.7667, 0.1667, 0.0667, 0] (t = 0.1333); [2, 0, 2] at
    // temperature 1 -> [0.5, 0, 0.5]; [0.4, 0] at 0.2 -> [1, 0].
    // SOLUTION-START(ex 10.1)
    check::usable("scores", &scores)?;
    ensure!(
        temperature.is_finite() && temperature > 0.0,
        "temperature must be a finite number above 0, got {temperature}"
    );
    let z = scores.mapv(|s| s / temperature);
    let mut sorted = z.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let (mut running, mut k, mut sum_k) = (0.0, 0, 0.0);
    for (i, &v) in sorted.iter().enumerate() {
        running += v;
        if 1.0 + (i + 1) as f64 * v > running {
            k = i + 1;
            sum_k = running;
        }
    }
    let t = (sum_k - 1.0) / k as f64;
    Ok(z.mapv(|v| (v - t).clamp(0.0, 1.0)))
    // SOLUTION-END
}
// ANCHOR_END: ex_10_1

// ANCHOR: ex_10_2
/// Exercise 10.2: top-k attention weights.
///
/// Keep the `k` largest scores, give them the softmax of those `k` scores
/// alone, and give every other position weight exactly 0. When scores are
/// equal, the earlier position counts as larger.
///
/// # Shapes
/// - `scores`: `(T,)` -> `(T,)`, with exactly `k` non-zero entries
///
/// # Errors
/// Empty or non-finite scores, or `k` outside `1..=T`; the error names
/// the shape of `scores`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn top_k_weights(scores: ArrayView1<f64>, k: usize) -> Result<Array1<f64>> {
    // TODO(ex 10.2): rank the positions, keep the first k, softmax their
    // scores (subtract the largest first), scatter back.
    // [0.1, 0.9, 0.3, 0.2, 0.1], k = 2 -> [0, 0.6457, 0.3543, 0, 0];
    // [1, 1, 0], k = 1 -> [1, 0, 0].
    // SOLUTION-START(ex 10.2)
    check::usable("scores", &scores)?;
    ensure!(
        (1..=scores.len()).contains(&k),
        "k = {k} must lie between 1 and the number of scores; `scores` has \
         shape {}",
        check::shape(&scores)
    );
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let kept = &order[..k];
    let top = scores[kept[0]];
    let exps: Vec<f64> =
        kept.iter().map(|&i| (scores[i] - top).exp()).collect();
    let total: f64 = exps.iter().sum();
    let mut w = Array1::zeros(scores.len());
    for (&i, e) in kept.iter().zip(exps) {
        w[i] = e / total;
    }
    Ok(w)
    // SOLUTION-END
}
// ANCHOR_END: ex_10_2

// ANCHOR: ex_10_3
/// Exercise 10.3: the REINFORCE estimate from given samples.
///
/// Hard attention drew the indices in `samples` from `p = softmax(scores)`
/// and paid `costs[i]` for each. Return the mean over the samples of
/// `(costs[i] - baseline) * (e_i - p)`, where `e_i` is the vector with 1 at
/// position `i` and 0 elsewhere.
///
/// # Shapes
/// - `scores`, `costs`: `(T,)`; `samples`: `N` indices in `0..T`
///   -> `(T,)`
///
/// # Errors
/// Empty or non-finite scores or costs (naming the shape), scores and
/// costs of different lengths (naming both shapes), no samples, a sample
/// that is not an index of `scores` (naming the shape of `scores`), or a
/// non-finite baseline.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn reinforce_estimate(
    scores: ArrayView1<f64>,
    costs: ArrayView1<f64>,
    samples: &[usize],
    baseline: f64,
) -> Result<Array1<f64>> {
    // TODO(ex 10.3): check everything, compute p, then average.
    // scores [0, 0], costs [1, 0], samples [0, 1], baseline 0
    // -> [0.25, -0.25] (draw 0 gives 1 * ([1, 0] - [0.5, 0.5]), draw 1
    // gives 0); the same with baseline 0.5 -> [0.25, -0.25] too.
    // SOLUTION-START(ex 10.3)
    check::usable("scores", &scores)?;
    check::usable("costs", &costs)?;
    check::same_len(
        "the number of scores and costs",
        ("scores", scores.len(), &check::shape(&scores)),
        ("costs", costs.len(), &check::shape(&costs)),
    )?;
    ensure!(!samples.is_empty(), "REINFORCE needs at least one sample");
    ensure!(baseline.is_finite(), "the baseline must be finite");
    if let Some(&i) = samples.iter().find(|&&i| i >= scores.len()) {
        bail!(
            "sample {i} is not an index of `scores` with shape {}",
            check::shape(&scores)
        );
    }
    let top = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let exps = scores.mapv(|s| (s - top).exp());
    let p = &exps / exps.sum();
    let mut total = Array1::zeros(scores.len());
    for &i in samples {
        let mut g = -&p;
        g[i] += 1.0;
        total += &(g * (costs[i] - baseline));
    }
    Ok(total / samples.len() as f64)
    // SOLUTION-END
}
// ANCHOR_END: ex_10_3
