//! Chapter 12's exercises. Each function states its task; the reference
//! solution sits between the `SOLUTION-START` and `SOLUTION-END` markers,
//! and `tests/exercises.rs` checks it:
//! `cargo test -p ch12-learning-to-attend --test exercises`.
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
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: ex_12_1
/// Exercise 12.1: the softmax's backward pass, without its Jacobian.
///
/// `weights` is the output `w = softmax(s)` of a softmax and `upstream`
/// is `g = dL/dw`, how the loss changes with each weight. Return
/// `dL/ds`, how the loss changes with each score: `J^T g` for the
/// softmax's Jacobian `J[i][j] = w_i (delta_ij - w_j)`, computed without
/// building `J`.
///
/// # Shapes
/// - `weights`: `(T,)`, `upstream`: `(T,)` -> `(T,)`
///
/// # Errors
/// An empty or non-finite input, or inputs of different lengths; the
/// error names both shapes.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn softmax_vjp(
    weights: ArrayView1<f64>,
    upstream: ArrayView1<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 12.1): check both inputs, then use the cheap form
    // w * (g - g . w). weights [0.5, 0.5], upstream [1, 0]
    // -> g . w = 0.5 -> [0.5 * 0.5, 0.5 * (0 - 0.5)] = [0.25, -0.25].
    // SOLUTION-START(ex 12.1)
    check::usable("weights", &weights)?;
    check::usable("upstream", &upstream)?;
    check::same_len(
        "the weights and the upstream gradient (T)",
        ("weights", weights.len(), &check::shape(&weights)),
        ("upstream", upstream.len(), &check::shape(&upstream)),
    )?;
    let g_dot_w = upstream.dot(&weights);
    Ok(&weights * &(&upstream - g_dot_w))
    // SOLUTION-END
}
// ANCHOR_END: ex_12_1

/// The gradients of one weighted sum, as exercise 12.2 returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedSumGrads {
    /// `dL/dw_j` for each weight. Shape `(T,)`.
    pub d_weights: Array1<f64>,
    /// `dL/dv_j` for each value. Shape `(T, d_v)`.
    pub d_values: Array2<f64>,
}

// ANCHOR: ex_12_2
/// Exercise 12.2: the backward pass of one weighted sum.
///
/// The forward pass is one context vector, `z = sum_j w_j v_j`, with
/// `v_j` the rows of `values`. Given `upstream = dL/dz`, return how the
/// loss changes with each weight (`dL/dw_j = g . v_j`) and with each
/// value (`dL/dv_j = w_j g`).
///
/// # Shapes
/// - `weights`: `(T,)`, `values`: `(T, d_v)`, `upstream`: `(d_v,)`
/// - returns `d_weights` `(T,)` and `d_values` `(T, d_v)`
///
/// # Errors
/// An empty or non-finite input, a number of weights different from the
/// number of values, or an upstream gradient whose width differs from
/// the values'; the error names both shapes.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn weighted_sum_backward(
    weights: ArrayView1<f64>,
    values: ArrayView2<f64>,
    upstream: ArrayView1<f64>,
) -> Result<WeightedSumGrads> {
    // TODO(ex 12.2): check the inputs and their shapes, then build both
    // gradients. weights [0.25, 0.75], values [[1, 0], [0, 2]],
    // upstream [1, 1] -> d_weights [1, 2],
    // d_values [[0.25, 0.25], [0.75, 0.75]].
    // SOLUTION-START(ex 12.2)
    check::usable("weights", &weights)?;
    check::usable("values", &values)?;
    check::usable("upstream", &upstream)?;
    check::same_len(
        "the number of weights and of values (T)",
        ("weights", weights.len(), &check::shape(&weights)),
        ("values", values.nrows(), &check::shape(&values)),
    )?;
    check::same_len(
        "the width of the values and of the upstream gradient (d_v)",
        ("values", values.ncols(), &check::shape(&values)),
        ("upstream", upstream.len(), &check::shape(&upstream)),
    )?;
    let d_weights = values.dot(&upstream); // (T, d_v) x (d_v,) -> (T,)
    let d_values =
        Array2::from_shape_fn(values.dim(), |(j, c)| weights[j] * upstream[c]);
    Ok(WeightedSumGrads {
        d_weights,
        d_values,
    })
    // SOLUTION-END
}
// ANCHOR_END: ex_12_2

/// The parameters and running means after one Adam step.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    /// The parameters. Shape `(n,)`.
    pub w: Array1<f64>,
    /// The running mean of the gradient. Shape `(n,)`.
    pub m: Array1<f64>,
    /// The running mean of the squared gradient. Shape `(n,)`.
    pub v: Array1<f64>,
}

// ANCHOR: ex_12_3
/// Exercise 12.3: one step of Adam on a vector of parameters.
///
/// With `beta1 = 0.9`, `beta2 = 0.999` and `eps = 1e-8`, and `t` the
/// number of this step (1 for the first): update
/// `m <- beta1 m + (1 - beta1) g`, `v <- beta2 v + (1 - beta2) g^2`, then
/// `w <- w - lr * m_hat / (sqrt(v_hat) + eps)` with
/// `m_hat = m / (1 - beta1^t)` and `v_hat = v / (1 - beta2^t)`, entry by
/// entry. Return the new `w`, `m` and `v`.
///
/// # Shapes
/// - `w`, `g`, `m`, `v`: `(n,)` each
///
/// # Errors
/// An empty or non-finite vector, vectors of different lengths (the
/// error names both shapes), `t` of 0, a negative `v` or a learning rate
/// that is not a finite positive number.
///
/// # Grading
/// Each number must be within a relative 1e-12 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn adam_step(
    w: ArrayView1<f64>,
    g: ArrayView1<f64>,
    m: ArrayView1<f64>,
    v: ArrayView1<f64>,
    t: usize,
    lr: f64,
) -> Result<AdamState> {
    // TODO(ex 12.3): check the inputs, update m and v, correct them for
    // their start at zero, and step. w [1], g [-5], m [0], v [0], t 1,
    // lr 0.01 -> m [-0.5], v [0.025], m_hat -5, v_hat 25,
    // w [1 + 0.01 * 5 / (5 + 1e-8)] = [1.01] (to 9 decimals).
    // SOLUTION-START(ex 12.3)
    for (name, x) in [("w", &w), ("g", &g), ("m", &m), ("v", &v)] {
        check::usable(name, x)?;
        check::same_len(
            "the parameters and Adam's vectors (n)",
            ("w", w.len(), &check::shape(&w)),
            (name, x.len(), &check::shape(x)),
        )?;
    }
    ensure!(t >= 1, "Adam counts its steps from 1, but t = {t}");
    ensure!(
        lr.is_finite() && lr > 0.0,
        "the learning rate must be a finite number above 0, got {lr}"
    );
    ensure!(
        v.iter().all(|&x| x >= 0.0),
        "`v` with shape {} is a mean of squares and cannot be negative",
        check::shape(&v)
    );
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let t = i32::try_from(t).unwrap_or(i32::MAX);
    let m = &m * beta1 + &g * (1.0 - beta1);
    let v = &v * beta2 + &g.mapv(|x| x * x) * (1.0 - beta2);
    let m_hat = &m / (1.0 - f64::powi(beta1, t));
    let v_hat = &v / (1.0 - f64::powi(beta2, t));
    let step = &m_hat / &v_hat.mapv(|x| x.sqrt() + eps);
    let w = &w - &(step * lr);
    Ok(AdamState { w, m, v })
    // SOLUTION-END
}
// ANCHOR_END: ex_12_3
