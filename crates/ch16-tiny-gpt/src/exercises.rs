//! Chapter 16's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 16.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch16-tiny-gpt --test exercises`, or one exercise's with
//! `cargo test -p ch16-tiny-gpt --test exercises ex_16_1`. Grading runs
//! further checks on inputs you do not see.
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
//!   the message must contain them. A shape may be written `(2, 3)`,
//!   `[2, 3]`, `(2,3)` or `2x3`, and a one-dimensional shape `(2,)`,
//!   `[2]` or plain `2`; a number must stand alone (`5`, not inside
//!   `15`) and is written as Rust's `{}` writes it (`1.5`, `-0.25`,
//!   `NaN`, `inf`); other words as the documentation gives them, in any
//!   case and spacing.
//! - Refusing bad input and keeping a property earn points only once
//!   your answers match the reference on real cases: answers of zeros,
//!   constants or uniform weights earn nothing, however well they refuse.

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, ArrayView1};
use std::f64::consts::PI;

/// The `0.044715` of GPT-2's tanh form of GELU.
const GELU_CUBIC: f64 = 0.044_715;

// ANCHOR: ex_16_1
/// Exercise 16.1: the backward pass of GELU.
///
/// GELU acts on each entry alone, in the tanh form GPT-2 uses (chapter
/// 14's `block::gelu`): `gelu(x) = 0.5 x (1 + tanh(u))` with
/// `u = c (x + 0.044715 x^3)` and `c = sqrt(2 / pi)`. Given the inputs
/// `x` and the gradient `dy` of the loss with respect to the outputs,
/// return the gradient with respect to the inputs,
/// `dx_i = dy_i * gelu'(x_i)`. Differentiate the product and the chain:
/// `d tanh(u) / du = 1 - tanh(u)^2`.
///
/// # Shapes
/// - `x`: `(n,)`, `dy`: `(n,)` -> `(n,)`
///
/// # Errors
/// An empty or non-finite `x`, a non-finite `dy`, or `x` and `dy` of
/// different lengths; the error names the shapes, such as `(3,)` and
/// `(2,)`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference answer,
/// or within 1e-12 times the answer's largest entry. The grader also
/// compares your gradient with central differences of `gelu`.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names.
pub fn gelu_backward(
    x: ArrayView1<f64>,
    dy: ArrayView1<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 16.1): check the inputs, then multiply each dy by the
    // slope of GELU at its x. x = [0, 1], dy = [1, 2] -> the slopes are
    // 0.5 and 1.0830, so dx = [0.5, 2.1659].
    // SOLUTION-START(ex 16.1)
    check::usable("x", &x)?;
    check::finite("dy", &dy)?;
    check::same_len(
        "the lengths of the inputs and their gradient",
        ("x", x.len(), &check::shape(&x)),
        ("dy", dy.len(), &check::shape(&dy)),
    )?;
    let c = (2.0 / PI).sqrt();
    let slope = |x: f64| {
        let t = (c * (x + GELU_CUBIC * x.powi(3))).tanh();
        let sech2 = 1.0 - t * t;
        // Once tanh has saturated (|x| above about 7.3) the second term
        // is 0; skipping it keeps a huge x^2 from making 0 * inf.
        let through_tanh = if sech2 > 0.0 {
            0.5 * x * sech2 * c * (1.0 + 3.0 * GELU_CUBIC * x * x)
        } else {
            0.0
        };
        0.5 * (1.0 + t) + through_tanh
    };
    Ok(x.iter().zip(dy).map(|(&x, &d)| d * slope(x)).collect())
    // SOLUTION-END
}
// ANCHOR_END: ex_16_1

// ANCHOR: ex_16_2
/// Exercise 16.2: the backward pass of layer norm, for one row.
///
/// The forward pass: `mu = mean(x)`, `var = mean((x - mu)^2)` (dividing
/// by the width `n`), `xhat = (x - mu) / sqrt(var + eps)` and
/// `y = gamma * xhat + beta`. Given the gradient `dy` of the loss with
/// respect to `y`, return its gradient with respect to `x`. Every `x_j`
/// moves `mu` and `var`, so every output depends on every input: write
/// `g = gamma * dy` and `r = 1 / sqrt(var + eps)`, and show that
/// `dx = r (g - mean(g) - xhat * mean(g * xhat))`. `beta` does not
/// matter.
///
/// # Shapes
/// - `x`, `gamma`, `dy`: `(n,)` -> `(n,)`
///
/// # Errors
/// An empty or non-finite `x`, a non-finite `gamma` or `dy`, a `gamma`
/// or `dy` whose length is not that of `x` (the error names both
/// shapes, such as `(3,)` and `(2,)`), or an `eps` that is not a finite
/// number above 0 (the error names it).
///
/// # Grading
/// Each number must be within a relative 1e-8 of the reference answer,
/// or within 1e-10 times the answer's largest entry. The grader also
/// checks that the gradient sums to 0 and agrees with central
/// differences of the layer norm.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names.
pub fn layer_norm_backward(
    x: ArrayView1<f64>,
    gamma: ArrayView1<f64>,
    dy: ArrayView1<f64>,
    eps: f64,
) -> Result<Array1<f64>> {
    // TODO(ex 16.2): check the inputs, compute mu, var, r and xhat as
    // the forward pass does, then the formula above. x = [0, 1, 2],
    // gamma = [1, 1, 1], dy = [1, 0, 0], eps = 1e-5: r = 1.2247,
    // xhat = [-1.2247, 0, 1.2247], mean(g) = 1/3,
    // mean(g * xhat) = -0.4082, so dx = [0.2041, -0.4082, 0.2041].
    // SOLUTION-START(ex 16.2)
    check::usable("x", &x)?;
    check::finite("gamma", &gamma)?;
    check::finite("dy", &dy)?;
    let x_shape = check::shape(&x);
    check::same_len(
        "the widths of the row and its scale",
        ("x", x.len(), &x_shape),
        ("gamma", gamma.len(), &check::shape(&gamma)),
    )?;
    check::same_len(
        "the widths of the row and its gradient",
        ("x", x.len(), &x_shape),
        ("dy", dy.len(), &check::shape(&dy)),
    )?;
    ensure!(
        eps.is_finite() && eps > 0.0,
        "eps must be a finite number > 0, got {eps}"
    );
    let n = x.len() as f64;
    let mu = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / n;
    let r = 1.0 / (var + eps).sqrt();
    let xhat: Vec<f64> = x.iter().map(|v| (v - mu) * r).collect();
    let g: Vec<f64> = gamma.iter().zip(dy).map(|(a, b)| a * b).collect();
    let mean_g = g.iter().sum::<f64>() / n;
    let mean_gx = g.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / n;
    Ok(g.iter()
        .zip(&xhat)
        .map(|(gi, xi)| r * (gi - mean_g - xi * mean_gx))
        .collect())
    // SOLUTION-END
}
// ANCHOR_END: ex_16_2

// ANCHOR: ex_16_3
/// Exercise 16.3: sample the next token with a temperature and top-k.
///
/// Rank the tokens by decreasing logit, ties going to the lower index,
/// and keep the first `k`. Their probabilities are the softmax of
/// `logits[i] / temperature` over the kept tokens only (subtract the
/// largest kept logit first, so nothing overflows). Walk the kept tokens
/// in rank order, adding up their probabilities, and return the first
/// token (its index in `logits`) whose running sum is greater than `u`;
/// if rounding leaves none, return the last kept token. `u` is a uniform
/// number in `[0, 1)`, as `SplitMix64::uniform` draws it; the model
/// draws one per generated token.
///
/// # Shapes
/// - `logits`: `(vocab,)` -> a token index below `vocab`
///
/// # Errors
/// Empty or non-finite logits (the error names their shape); a
/// temperature that is not a finite number above 0; `k == 0` or
/// `k > vocab` (the error names `k` and the shape of the logits); `u`
/// outside `[0, 1)`. The errors for the temperature and `u` name the
/// value given.
///
/// # Grading
/// Your token must equal the reference's exactly. The checks include
/// ties; a `u` equal to a running sum where the sums are exact (four
/// tied tokens, 0.25 each); and values of `u` just below and just above
/// a running sum, though never so close that adding in another order
/// could decide. A refusal is an `Err` (a panic is not); its message
/// must name what this documentation says it names.
pub fn sample_top_k(
    logits: ArrayView1<f64>,
    temperature: f64,
    k: usize,
    u: f64,
) -> Result<usize> {
    // TODO(ex 16.3): check the inputs, rank the tokens, take the softmax
    // of the first k and walk their running sum. logits [1, 3, 3],
    // temperature 1, k = 2: the kept tokens are 1 and 2 with
    // probabilities 0.5 each, so u = 0.25 -> 1 and u = 0.5 -> 2.
    // SOLUTION-START(ex 16.3)
    check::usable("logits", &logits)?;
    let vocab = logits.len();
    ensure!(
        temperature.is_finite() && temperature > 0.0,
        "the temperature must be a finite number > 0, got {temperature}"
    );
    ensure!(
        (1..=vocab).contains(&k),
        "k = {k} must be between 1 and the vocabulary size, but the \
         logits have shape {}",
        check::shape(&logits)
    );
    ensure!((0.0..1.0).contains(&u), "u must lie in [0, 1), got u = {u}");
    let mut rank: Vec<usize> = (0..vocab).collect();
    // A stable sort keeps tied tokens in index order.
    rank.sort_by(|&a, &b| {
        logits[b]
            .partial_cmp(&logits[a])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let kept = &rank[..k];
    let max = logits[kept[0]];
    let weights: Vec<f64> = kept
        .iter()
        .map(|&i| ((logits[i] - max) / temperature).exp())
        .collect();
    let total: f64 = weights.iter().sum();
    let mut running = 0.0;
    for (&token, w) in kept.iter().zip(&weights) {
        running += w / total;
        if running > u {
            return Ok(token);
        }
    }
    Ok(kept[k - 1])
    // SOLUTION-END
}
// ANCHOR_END: ex_16_3

// ANCHOR: ex_16_4
/// Exercise 16.4: the learning rate at one step of training.
///
/// Steps count from 0 to `total - 1`. During the first `warmup` steps
/// the rate climbs in a straight line, `peak * (step + 1) / warmup`, so
/// it reaches `peak` at step `warmup - 1`. From step `warmup` on it
/// follows half a cosine from `peak` down towards `floor`: with
/// `p = (step - warmup) / (total - warmup)`,
/// `floor + 0.5 (peak - floor) (1 + cos(pi p))`.
///
/// # Errors
/// `warmup == 0`; `warmup >= total` (the error names both); `step >=
/// total` (the error names both); a `peak` or `floor` that is negative
/// or not finite, or a `floor` above the `peak` (the error names the
/// values given).
///
/// # Grading
/// Your rate must be within a relative 1e-9 of the reference answer.
/// The grader also checks the schedule's shape: it rises to `peak`,
/// never rises after the warm-up, and never falls below `floor`.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names.
pub fn learning_rate(
    step: usize,
    warmup: usize,
    total: usize,
    peak: f64,
    floor: f64,
) -> Result<f64> {
    // TODO(ex 16.4): check the arguments, then pick the branch.
    // warmup 2, total 6, peak 1, floor 0: steps 0..6 give
    // 0.5, 1, 1, 0.8536, 0.5, 0.1464.
    // SOLUTION-START(ex 16.4)
    ensure!(
        peak.is_finite() && peak >= 0.0 && floor.is_finite() && floor >= 0.0,
        "the rates must be finite numbers >= 0, got peak = {peak} and \
         floor = {floor}"
    );
    ensure!(
        floor <= peak,
        "the floor {floor} must not be above the peak {peak}"
    );
    ensure!(
        warmup > 0 && warmup < total,
        "the warm-up must last at least one step and end before the \
         last: need 1 <= warmup < total, got warmup = {warmup} and \
         total = {total}"
    );
    ensure!(
        step < total,
        "step {step} is outside a schedule of total = {total} steps \
         (steps 0 to total - 1)"
    );
    if step < warmup {
        return Ok(peak * (step + 1) as f64 / warmup as f64);
    }
    let p = (step - warmup) as f64 / (total - warmup) as f64;
    Ok(floor + 0.5 * (peak - floor) * (1.0 + (PI * p).cos()))
    // SOLUTION-END
}
// ANCHOR_END: ex_16_4
