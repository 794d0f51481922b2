//! Chapter 6's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 6.N)` comment with a small example.
//! Positions count from 0, as everywhere in the code: token 0 is the
//! first.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch06-causal-attention --test exercises`, or one
//! exercise's with `cargo test -p ch06-causal-attention --test exercises
//! ex_6_1`. Grading runs further checks on inputs you do not see.
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
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array1, Array2, Array3, ArrayView2, s};

/// Exercise 6.1: a sliding-window (local) causal mask of width `w`.
///
/// Query `i` may see key `j` when `j <= i` (causal) and `i - j < w`: the
/// token itself and the `w - 1` tokens just before it. Models such as
/// Mistral use a window like this to bound how far back each layer looks.
/// A window at least `T` wide is the ordinary causal mask.
///
/// # Shapes
/// - returns `(T, T)`: row = query, column = key, `true` where allowed.
///
/// # Errors
/// A width `w` of 0 (a query could not even see itself); the error says
/// `w = 0`.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn sliding_window_mask(t: usize, w: usize) -> Result<Array2<bool>> {
    // TODO(ex 6.1): reject w = 0, then allow (i, j) exactly when j <= i
    // and i - j < w.
    // t = 4, w = 2 -> [[1, 0, 0, 0],
    //                  [1, 1, 0, 0],
    //                  [0, 1, 1, 0],
    //                  [0, 0, 1, 1]]   (1 = true)
    // SOLUTION-START(ex 6.1)
    ensure!(
        w >= 1,
        "a sliding window must be at least 1 token wide, got w = {w}"
    );
    Ok(Array2::from_shape_fn((t, t), |(i, j)| j <= i && i - j < w))
    // SOLUTION-END
}

/// Exercise 6.2: a padding mask for a batch, from each sequence's length.
///
/// Sequences of different lengths share one `(B, T, d_in)` array by
/// padding the short ones at the end. Sequence `b` has `lengths[b]` real
/// tokens followed by padding, and no query may attend to a padding key:
/// entry `[b, i, j]` is `true` exactly when `j < lengths[b]`. A decoder
/// combines it with the causal mask: a key is allowed only where both
/// masks allow it.
///
/// # Shapes
/// - `lengths`: `B` entries, each at most `T` -> `(B, T, T)`
///
/// # Errors
/// No lengths at all, or a length above `T` (the error names the sequence
/// and its length).
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn padding_mask(lengths: &[usize], t: usize) -> Result<Array3<bool>> {
    // TODO(ex 6.2): check the lengths, then build the (B, T, T) mask with
    // [b, i, j] = j < lengths[b].
    // lengths [2, 3], t = 3 -> sequence 0: every row [1, 1, 0];
    //                          sequence 1: every row [1, 1, 1]
    // SOLUTION-START(ex 6.2)
    ensure!(!lengths.is_empty(), "a batch needs at least one length");
    for (b, &len) in lengths.iter().enumerate() {
        ensure!(
            len <= t,
            "sequence {b} has length {len}, more than the padded length \
             T = {t}"
        );
    }
    Ok(Array3::from_shape_fn((lengths.len(), t, t), |(b, _, j)| {
        j < lengths[b]
    }))
    // SOLUTION-END
}

/// Exercise 6.3: token `t`'s context, computed the way a model generates
/// text: only the first `t + 1` tokens exist yet, so plain (unmasked)
/// self-attention over that prefix is all there is to do.
///
/// The result must equal row `t` of causal attention over the whole
/// sequence: that is the promise the causal mask keeps.
///
/// # Shapes
/// - `x`: `(T, d_in)`, `t < T` -> `(d_out,)`
///
/// # Errors
/// `t` outside `0..T` (the error names `t` and the shape of `x`), or an
/// `x` the layer rejects (empty, non-finite or of the wrong width).
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn attend_prefix(
    attention: &SelfAttention,
    x: ArrayView2<f64>,
    t: usize,
) -> Result<Array1<f64>> {
    // TODO(ex 6.3): check t, slice the rows 0..=t out of x, run
    // `attention.forward` on them and return the last row of the context.
    // t = 0 -> the value of token 0 (it can only attend to itself).
    // SOLUTION-START(ex 6.3)
    check::usable("x", &x)?;
    ensure!(
        t < x.nrows(),
        "position t = {t} is out of range for `x` with shape {}",
        check::shape(&x)
    );
    let prefix = x.slice(s![..=t, ..]); // (T, d_in) -> (t + 1, d_in)
    let out = attention.forward(prefix)?; // context (t + 1, d_out)
    Ok(out.context.row(t).to_owned())
    // SOLUTION-END
}
