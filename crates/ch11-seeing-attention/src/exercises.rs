//! Chapter 11's exercises. Each function below has a `TODO` describing
//! the task and a reference solution between the `SOLUTION-START` and
//! `SOLUTION-END` markers; replace the solution with `todo!()` to try it
//! yourself, then run `cargo test -p ch11-seeing-attention --test
//! exercises`.
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

use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayView3, Axis};

/// Exercise 11.1: attention rollout with a residual share `alpha`.
///
/// Each layer's map `A_l` becomes `alpha I + (1 - alpha) A_l` (the
/// chapter uses `alpha = 0.5`), and the rollout is the product of those
/// maps, the last layer on the left: `R = M_L ... M_2 M_1`. With
/// `alpha = 0` it is the plain product of the maps; with `alpha = 1` it is
/// the identity.
///
/// # Shapes
/// - `layers`: `(L, T, T)`, layer 1 first -> `(T, T)`
///
/// # Errors
/// No layers, maps that are not square (the error names the shape of
/// `layers`, such as `(2, 3, 4)`), non-finite entries, or an `alpha`
/// outside `[0, 1]`.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn rollout_with_residual(
    layers: ArrayView3<f64>,
    alpha: f64,
) -> Result<Array2<f64>> {
    // TODO(ex 11.1): check the inputs, then multiply the maps
    // alpha I + (1 - alpha) A_l from layer 1 up.
    // Example: one layer [[0.5, 0.5], [0.5, 0.5]], alpha = 0.5
    //   -> [[0.75, 0.25], [0.25, 0.75]]
    // SOLUTION-START(ex 11.1)
    let (l, t, t2) = layers.dim();
    if l == 0 || t == 0 || t != t2 {
        bail!(
            "`layers` with shape {} must hold at least one square map",
            check::shape(&layers)
        );
    }
    check::finite("layers", &layers)?;
    if !(0.0..=1.0).contains(&alpha) {
        bail!("alpha must lie in [0, 1], got {alpha}");
    }
    let identity = Array2::<f64>::eye(t);
    let mut flow = identity.clone();
    for a in layers.axis_iter(Axis(0)) {
        let m = alpha * &identity + (1.0 - alpha) * &a;
        flow = m.dot(&flow); // (T, T) x (T, T) -> (T, T)
    }
    Ok(flow)
    // SOLUTION-END
}

/// Exercise 11.2: how many keys each query effectively reads.
///
/// For each row `w` of `weights`, return `exp(H(w))` where
/// `H(w) = -sum_j w_j ln w_j` is the row's entropy in nats, counting
/// `0 ln 0` as 0. One key with all the weight gives 1; `n` keys with
/// equal weight give `n`.
///
/// # Shapes
/// - `weights`: `(T_q, T_k)` -> `(T_q,)`
///
/// # Errors
/// An empty or non-finite matrix, a negative weight, or a row whose sum
/// is not 1 (within `1e-9`); the error names the shape.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn effective_keys(weights: ArrayView2<f64>) -> Result<Array1<f64>> {
    // TODO(ex 11.2): check every row is a distribution, then return
    // exp(entropy) per row.
    // Example: [[1.0, 0.0], [0.5, 0.5]] -> [1.0, 2.0]
    // SOLUTION-START(ex 11.2)
    check::usable("weights", &weights)?;
    let mut out = Array1::zeros(weights.nrows());
    for (i, row) in weights.rows().into_iter().enumerate() {
        if row.iter().any(|&x| x < 0.0) || (row.sum() - 1.0).abs() > 1e-9 {
            bail!(
                "row {i} of `weights` with shape {} is not a distribution",
                check::shape(&weights)
            );
        }
        let h: f64 =
            row.iter().filter(|&&x| x > 0.0).map(|&x| -x * x.ln()).sum();
        out[i] = h.exp();
    }
    Ok(out)
    // SOLUTION-END
}

/// Exercise 11.3: a sparse twin of one row of weights.
///
/// Return weights `u` that are a distribution (no negative entry, sum 1),
/// give the same output as `w` (`u V = w V` within `1e-9`), and put
/// weight on at most `d_v + 1` keys (an entry counts as weight when it is
/// above `1e-9`). Many answers are right; the judge checks these three
/// properties. The chapter's procedure: while more than `d_v + 1` keys
/// carry weight, find a direction `d` over them with `d V = 0` and
/// `sum d = 0` (`twins::null_direction` computes one), and move the
/// weights along it until one reaches zero.
///
/// # Shapes
/// - `w`: `(T,)`, `values`: `(T, d_v)` -> `(T,)`
///
/// # Errors
/// Empty or non-finite inputs, a `w` that is not a distribution, or a `w`
/// whose length is not the number of values (the error names both
/// shapes, such as `(3,)` and `(2, 2)`).
///
/// # Grading
/// More than one answer can be right: each of yours is checked for
/// what the task asks (a distribution, the same output, few enough
/// keys), within 1e-9.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn sparse_twin(
    w: ArrayView1<f64>,
    values: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 11.3): check the inputs, then drop keys one at a time
    // along directions that leave the output unchanged.
    // Example: w = [0.25, 0.25, 0.25, 0.25], values = [[1], [2], [3], [4]]
    //   -> one right answer is [0.5, 0.0, 0.0, 0.5] (output 2.5)
    // SOLUTION-START(ex 11.3)
    check::usable("w", &w)?;
    check::usable("values", &values)?;
    check::same_len(
        "the number of weights and of values",
        ("w", w.len(), &check::shape(&w)),
        ("values", values.nrows(), &check::shape(&values)),
    )?;
    if w.iter().any(|&x| x < 0.0) || (w.sum() - 1.0).abs() > 1e-9 {
        bail!("`w` with shape {} is not a distribution", check::shape(&w));
    }
    let mut u = w.to_owned();
    loop {
        let support: Vec<usize> =
            (0..u.len()).filter(|&j| u[j] > 1e-12).collect();
        let Some(d) = crate::twins::null_direction(values, &support) else {
            return Ok(u);
        };
        // Step along -d until the first weight with d > 0 reaches zero.
        let Some((stop, step)) = (0..support.len())
            .filter(|&c| d[c] > 1e-12)
            .map(|c| (c, u[support[c]] / d[c]))
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return Ok(u);
        };
        for (c, &j) in support.iter().enumerate() {
            u[j] = (u[j] - step * d[c]).max(0.0);
        }
        u[support[stop]] = 0.0;
    }
    // SOLUTION-END
}
