//! Chapter 3's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 3.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch03-queries-keys-values --test exercises`, or one
//! exercise's with `cargo test -p ch03-queries-keys-values --test exercises
//! ex_3_1`. Grading runs further checks on inputs you do not see.
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

use crate::softmax::softmax_with_temperature;
use anyhow::{Result, bail, ensure};
use attn_common::check;
use ndarray::{Array1, ArrayView1};

/// Exercise 3.1: the logarithm of the softmax, computed stably.
///
/// `log_softmax(x)_i = x_i - log(sum_j exp(x_j))`. Computing `softmax` and
/// then taking the logarithm fails for far-apart scores: a weight that
/// underflows to 0 has logarithm `-inf`. Subtract the largest score `m`
/// first, as the safe softmax does:
/// `log(sum_j exp(x_j)) = m + log(sum_j exp(x_j - m))` (the log-sum-exp
/// trick).
///
/// # Shapes
/// - `scores`: `(n,)` -> `(n,)`, every entry at most 0.
///
/// # Errors
/// An empty vector or a non-finite score; the error names the shape of
/// `scores`, as `check::usable` does.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn log_softmax(scores: ArrayView1<f64>) -> Result<Array1<f64>> {
    // TODO(ex 3.1): check the input with `check::usable`, then return
    // x_i - m - ln(sum_j exp(x_j - m)) with m the largest score.
    // [0, 0] -> [-0.6931, -0.6931] (that is, -ln 2 twice);
    // [-1000, 0] -> [-1000, 0], where ln(softmax) would give -inf.
    // SOLUTION-START(ex 3.1)
    check::usable("scores", &scores)?;
    let m = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let log_sum = m + scores.mapv(|x| (x - m).exp()).sum().ln();
    Ok(scores.mapv(|x| x - log_sum))
    // SOLUTION-END
}

/// Exercise 3.2: the entropy of a weight vector, in nats.
///
/// `H(w) = -sum_i w_i ln w_i`, with `0 ln 0` taken as 0. It measures how
/// spread out the attention is: 0 when one weight is 1 (all attention on one
/// token), and its largest value `ln n` when all `n` weights are equal.
///
/// # Shapes
/// - `weights`: `(n,)` -> a single number in `[0, ln n]`.
///
/// # Errors
/// An empty vector, a non-finite or negative weight, or weights whose sum is
/// further than `1e-9` from 1. Every error names the shape of `weights`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn entropy(weights: ArrayView1<f64>) -> Result<f64> {
    // TODO(ex 3.2): reject what is not a probability distribution (see
    // # Errors), then sum -w ln w over the non-zero weights.
    // [0.5, 0.5] -> 0.6931 (ln 2); [0, 1, 0] -> 0.
    // SOLUTION-START(ex 3.2)
    check::usable("weights", &weights)?;
    if let Some((i, w)) = weights.indexed_iter().find(|(_, w)| **w < 0.0) {
        bail!(
            "`weights` with shape {} holds a negative weight {w} at {i}",
            check::shape(&weights)
        );
    }
    let total = weights.sum();
    ensure!(
        (total - 1.0).abs() <= 1e-9,
        "`weights` with shape {} sum to {total}, not 1",
        check::shape(&weights)
    );
    Ok(weights
        .iter()
        .filter(|&&w| w > 0.0)
        .map(|&w| -w * w.ln())
        .sum())
    // SOLUTION-END
}

/// Exercise 3.3: the temperature at which the largest weight equals
/// `target`.
///
/// The largest weight of `softmax(scores / tau)` falls steadily as the
/// temperature `tau` rises: towards `1/k` as `tau -> 0` (where `k` scores
/// tie for the largest) and towards `1/n` as `tau -> inf`. So every target
/// strictly between `1/n` and `1/k` is reached at exactly one temperature,
/// which bisection finds: keep an interval `[lo, hi]` with the top weight
/// at least `target` at `lo` and at most `target` at `hi`, and halve it
/// until it is tiny.
///
/// # Shapes
/// - `scores`: `(n,)` -> a single temperature above 0.
///
/// # Errors
/// An empty vector, a non-finite score, or a target outside `(1/n, 1/k)`;
/// every error names the shape of `scores`.
///
/// # Grading
/// Each number must be within a relative 1e-8 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn temperature_for_top_weight(
    scores: ArrayView1<f64>,
    target: f64,
) -> Result<f64> {
    // TODO(ex 3.3): check the input and the target's range, find `lo` and
    // `hi` by halving and doubling from 1, then bisect ~100 times using
    // `softmax_with_temperature`.
    // [1, 0] with target 0.75 -> 1 / ln 3 = 0.9102 (check it by hand).
    // SOLUTION-START(ex 3.3)
    check::usable("scores", &scores)?;
    let n = scores.len();
    let max = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let k = scores.iter().filter(|&&x| x == max).count();
    ensure!(
        target > 1.0 / n as f64 && target < 1.0 / k as f64,
        "a top weight of {target} is out of reach for `scores` with shape \
         {}: it must lie strictly between 1/{n} (tau -> inf) and \
         1/{k} (tau -> 0, {k} tied for the top)",
        check::shape(&scores)
    );
    let top = |t: f64| -> Result<f64> {
        let w = softmax_with_temperature(scores, t)?;
        Ok(w.fold(0.0, |m: f64, &x| m.max(x)))
    };
    let (mut lo, mut hi) = (1.0, 1.0);
    while top(lo)? < target {
        lo /= 2.0;
    }
    while top(hi)? > target {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if top(mid)? >= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
    // SOLUTION-END
}
