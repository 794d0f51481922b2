//! Chapter 14's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 14.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch14-where-attention-lives --test exercises`, or one
//! exercise's with `cargo test -p ch14-where-attention-lives --test
//! exercises ex_14_1`. Grading runs further checks on inputs you do not
//! see.
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

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1};

/// Exercise 14.1: the sinusoidal position encodings of positions `0..t`.
///
/// Entry `(p, c)` is `sin(p * w)` when column `c` is even and `cos(p * w)`
/// when it is odd, with `w = 1 / 10000^(2i / d_model)` and `i = c / 2`
/// (integer division). An odd `d_model` is allowed: its last column is a
/// sine.
///
/// # Shapes
/// - returns `(t, d_model)`
///
/// # Errors
/// `t == 0` or `d_model == 0`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn sinusoidal_encoding(t: usize, d_model: usize) -> Result<Array2<f64>> {
    // TODO(ex 14.1): refuse t == 0 or d_model == 0, then fill the matrix.
    // t = 2, d_model = 2 -> [[0, 1], [sin 1, cos 1]]
    // = [[0, 1], [0.8415, 0.5403]].
    // SOLUTION-START(ex 14.1)
    ensure!(
        t > 0 && d_model > 0,
        "need t >= 1 and d_model >= 1, got ({t}, {d_model})"
    );
    let mut pe = Array2::zeros((t, d_model));
    for p in 0..t {
        for c in 0..d_model {
            let i = (c / 2) as f64;
            let w = 10_000f64.powf(-2.0 * i / d_model as f64);
            let angle = p as f64 * w;
            pe[[p, c]] = if c % 2 == 0 { angle.sin() } else { angle.cos() };
        }
    }
    Ok(pe)
    // SOLUTION-END
}

/// Exercise 14.2: rotate `x` as RoPE does for a token at `position`.
///
/// For each pair `i` (features `2i` and `2i + 1`), turn `(a, b)` by the
/// angle `position * theta_i`, with `theta_i = 1 / 10000^(2i / d)` and
/// `d` the width of `x`: `(a cos - b sin, a sin + b cos)`.
///
/// # Shapes
/// - `x`: `(d,)`, `d` even -> `(d,)`
///
/// # Errors
/// An empty or non-finite `x`, or an odd width; the error names the shape
/// of `x`, such as `(3,)`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn rotate(x: ArrayView1<f64>, position: usize) -> Result<Array1<f64>> {
    // TODO(ex 14.2): check `x` (`check::usable`, then an even width),
    // then turn each pair. x = [1, 0], position 1 -> [cos 1, sin 1]
    // = [0.5403, 0.8415]; any x at position 0 comes back unchanged.
    // SOLUTION-START(ex 14.2)
    check::usable("x", &x)?;
    let d = x.len();
    ensure!(
        d.is_multiple_of(2),
        "`x` must have an even width, but it has shape {}",
        check::shape(&x)
    );
    let mut out = Array1::zeros(d);
    for i in 0..d / 2 {
        let theta = 10_000f64.powf(-2.0 * i as f64 / d as f64);
        let (sin, cos) = (position as f64 * theta).sin_cos();
        out[2 * i] = x[2 * i] * cos - x[2 * i + 1] * sin;
        out[2 * i + 1] = x[2 * i] * sin + x[2 * i + 1] * cos;
    }
    Ok(out)
    // SOLUTION-END
}

/// Exercise 14.3: layer norm of one row, without `gamma` and `beta`.
///
/// Return `(x - mean) / sqrt(var + eps)`, where `mean` and `var` are the
/// mean and the variance of `x`'s entries (dividing by the number of
/// entries, not one less).
///
/// # Shapes
/// - `x`: `(d_model,)` -> `(d_model,)`
///
/// # Errors
/// An empty or non-finite `x` (the error names its shape), or an `eps`
/// that is negative or not finite.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn normalise(x: ArrayView1<f64>, eps: f64) -> Result<Array1<f64>> {
    // TODO(ex 14.3): check `x` with `check::usable` and `eps`, then
    // normalise. x = [1, 2, 3], eps = 0: mean 2, variance 2/3, so
    // [-1.2247, 0, 1.2247].
    // SOLUTION-START(ex 14.3)
    check::usable("x", &x)?;
    ensure!(
        eps.is_finite() && eps >= 0.0,
        "eps must be a finite number >= 0, got {eps}"
    );
    let n = x.len() as f64;
    let mean = x.sum() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let scale = 1.0 / (var + eps).sqrt();
    Ok(x.mapv(|v| (v - mean) * scale))
    // SOLUTION-END
}

/// Exercise 14.4: how many parameters one GPT-2-style block learns.
///
/// Count them all: the attention layer's four `(d_model, d_model)`
/// matrices with a bias of length `d_model` each; two layer norms, each
/// with `gamma` and `beta` of length `d_model`; and the feed-forward
/// network's `(d_model, d_ff)` and `(d_ff, d_model)` matrices with their
/// biases (lengths `d_ff` and `d_model`).
///
/// # Grading
/// Your answer must equal the reference answer exactly.
pub fn block_parameters(d_model: usize, d_ff: usize) -> usize {
    // TODO(ex 14.4): add up the three parts.
    // (d_model, d_ff) = (2, 8) -> attention 4*4 + 4*2 = 24, layer norms
    // 2*2*2 = 8, feed-forward 16 + 8 + 16 + 2 = 42: 74 in all.
    // SOLUTION-START(ex 14.4)
    let attention = 4 * d_model * d_model + 4 * d_model;
    let norms = 2 * 2 * d_model;
    let feed_forward = d_model * d_ff + d_ff + d_ff * d_model + d_model;
    attention + norms + feed_forward
    // SOLUTION-END
}
