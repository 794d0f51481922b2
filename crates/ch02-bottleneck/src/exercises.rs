//! Chapter 2's exercises. Each function states its task; the reference
//! solution sits between the `SOLUTION-START` and `SOLUTION-END` markers, and
//! `tests/exercises.rs` checks it:
//! `cargo test -p ch02-bottleneck --test exercises`.
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

use crate::encoder;
use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView2, Axis};

// ANCHOR: ex_2_1
/// Exercise 2.1: run a recurrent encoder and return its final state.
///
/// Start from `h_0 = 0` and, for each token `x_t` (row `t` of `x`), set
/// `h_t = tanh(h_{t-1} W_h + x_t W_x)`. Return `h_T`.
///
/// # Shapes
/// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`, `x`: `(T, d_in)`
///   -> `(d_h,)`
///
/// # Errors
/// An empty or non-finite input, a `w_h` that is not square, a `w_x`
/// whose width is not `d_h`, or tokens whose width is not `d_in`; the
/// error names the shapes.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn encode(
    w_x: ArrayView2<f64>,
    w_h: ArrayView2<f64>,
    x: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 2.1): check the inputs (see # Errors; `check::usable` and
    // `check::same_len` do most of it), then loop over the rows of x.
    // w_x [[0.5], [0.25]], w_h [[0.5]], x [[1, 2], [0, 0]]:
    // h_1 = tanh(0.5 + 0.5) = 0.7616, h_2 = tanh(0.5 * 0.7616) = 0.3634
    // -> [0.3634].
    // SOLUTION-START(ex 2.1)
    check_encoder(w_x, w_h, x)?;
    let mut h = Array1::zeros(w_h.nrows());
    for x_t in x.rows() {
        // (d_h,) x (d_h, d_h) + (d_in,) x (d_in, d_h) -> (d_h,)
        h = (h.dot(&w_h) + x_t.dot(&w_x)).mapv(f64::tanh);
    }
    Ok(h)
    // SOLUTION-END
}
// ANCHOR_END: ex_2_1

/// The input checks of exercises 2.1 and 2.2.
///
/// # Shapes
/// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`, `x`: `(T, d_in)`
///
/// # Errors
/// As [`encode`].
pub fn check_encoder(
    w_x: ArrayView2<f64>,
    w_h: ArrayView2<f64>,
    x: ArrayView2<f64>,
) -> Result<()> {
    check::usable("w_x", &w_x)?;
    check::usable("w_h", &w_h)?;
    check::usable("x", &x)?;
    encoder::weight_shapes(w_x, w_h)?;
    encoder::input_width(w_x, x)
}

// ANCHOR: ex_2_2
/// Exercise 2.2: how much the final state still feels the first token.
///
/// Return the Frobenius norm (square root of the sum of squared entries)
/// of the Jacobian `d h_T / d x_1` of the encoder of exercise 2.1, by the
/// chain rule: start from `G = W_x diag(1 - h_1^2)`, then for every later
/// step `t` set `G = G W_h diag(1 - h_t^2)`.
///
/// # Shapes
/// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`, `x`: `(T, d_in)`
///
/// # Errors
/// As [`encode`].
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn first_token_sensitivity(
    w_x: ArrayView2<f64>,
    w_h: ArrayView2<f64>,
    x: ArrayView2<f64>,
) -> Result<f64> {
    // TODO(ex 2.2): keep every state h_t, then multiply the factors.
    // With exercise 2.1's example: G = [0.5, 0.25] (1 - 0.7616^2)
    // = [0.2100, 0.1050], then G = G 0.5 (1 - 0.3634^2) = [0.0911, 0.0456],
    // norm -> 0.1019.
    // SOLUTION-START(ex 2.2)
    check_encoder(w_x, w_h, x)?;
    let mut h = Array1::zeros(w_h.nrows());
    let mut g: Option<Array2<f64>> = None;
    for x_t in x.rows() {
        h = (h.dot(&w_h) + x_t.dot(&w_x)).mapv(f64::tanh);
        let slope = h.mapv(|v| 1.0 - v * v).insert_axis(Axis(0));
        g = Some(match g {
            // (d_in, d_h) x (d_h, d_h) -> (d_in, d_h), columns scaled
            Some(g) => g.dot(&w_h) * &slope,
            None => &w_x * &slope,
        });
    }
    let g = g.expect("x has at least one row");
    Ok(g.iter().map(|v| v * v).sum::<f64>().sqrt())
    // SOLUTION-END
}
// ANCHOR_END: ex_2_2

// ANCHOR: ex_2_3
/// Exercise 2.3: how many steps until a contracting encoder forgets.
///
/// With `W_h = r Q` (`Q` orthogonal) and no tanh, the first token's
/// influence shrinks by exactly `r` per step. Return the smallest number
/// of steps `n` with `r.powi(n) < threshold`.
///
/// # Errors
/// A radius outside `(0, 1)` (it never fades) or a threshold outside
/// `(0, 1]`, or either not finite.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn steps_to_fade(radius: f64, threshold: f64) -> Result<usize> {
    // TODO(ex 2.3): check the arguments, then count. radius 0.5,
    // threshold 0.1: 0.5^3 = 0.125, 0.5^4 = 0.0625 < 0.1 -> 4.
    // SOLUTION-START(ex 2.3)
    ensure!(
        radius.is_finite() && radius > 0.0 && radius < 1.0,
        "the radius must lie in (0, 1) for the influence to fade, got \
         {radius}"
    );
    ensure!(
        threshold.is_finite() && threshold > 0.0 && threshold <= 1.0,
        "the threshold must lie in (0, 1], got {threshold}"
    );
    let mut n = 0;
    while radius.powi(n) >= threshold {
        n += 1;
    }
    Ok(n as usize)
    // SOLUTION-END
}
// ANCHOR_END: ex_2_3
