//! Chapter 7's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 7.N)` comment with a small example.
//! Heads count from 0, as in the code: head 0 is the first.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch07-multi-head-attention --test exercises`, or one
//! exercise's with `cargo test -p ch07-multi-head-attention --test
//! exercises ex_7_1`. Grading runs further checks on inputs you do not
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
use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis};

/// Exercise 7.1: split one sequence's `(T, d_out)` matrix into heads.
///
/// Head `h` gets columns `h * d_head .. (h + 1) * d_head` of every row,
/// with `d_head = d_out / n_heads`, and the head axis comes first. This is
/// the library's `split_heads` without the batch axis.
///
/// # Shapes
/// - `x`: `(T, d_out)` -> `(n_heads, T, d_head)`
///
/// # Errors
/// An empty `x`, `n_heads == 0`, or `d_out` not a multiple of `n_heads`
/// (name both numbers, as `crate::head_width` does).
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn split_heads(x: ArrayView2<f64>, n_heads: usize) -> Result<Array3<f64>> {
    // TODO(ex 7.1): reshape (T, d_out) -> (T, n_heads, d_head), then swap
    // the first two axes. `to_shape` and `permuted_axes` do it; a loop
    // over heads with `slice` works too.
    // [[1, 2, 3, 4], [5, 6, 7, 8]] with 2 heads
    //   -> head 0 [[1, 2], [5, 6]], head 1 [[3, 4], [7, 8]].
    // SOLUTION-START(ex 7.1)
    check::non_empty("x", &x)?;
    let (t, d_out) = x.dim();
    let d_head = crate::heads::head_width(d_out, n_heads)?;
    // (T, d_out) -> (T, n_heads, d_head)
    let split = x.to_shape((t, n_heads, d_head))?;
    // (T, n_heads, d_head) -> (n_heads, T, d_head)
    let split = split.permuted_axes([1, 0, 2]);
    Ok(split.as_standard_layout().into_owned())
    // SOLUTION-END
}

/// Exercise 7.2: put heads back side by side, undoing [`split_heads`].
///
/// # Shapes
/// - `heads`: `(n_heads, T, d_head)` -> `(T, n_heads * d_head)`
///
/// # Errors
/// An empty `heads`.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn merge_heads(heads: ArrayView3<f64>) -> Result<Array2<f64>> {
    // TODO(ex 7.2): swap the first two axes back, then reshape
    // (T, n_heads, d_head) -> (T, d_out). Careful: after `permuted_axes`
    // the data is no longer in row-major order, so `into_shape_with_order`
    // refuses it; `to_shape` copies when it must.
    // head 0 [[1, 2], [5, 6]], head 1 [[3, 4], [7, 8]]
    //   -> [[1, 2, 3, 4], [5, 6, 7, 8]].
    // SOLUTION-START(ex 7.2)
    check::non_empty("heads", &heads)?;
    let (n_heads, t, d_head) = heads.dim();
    // (n_heads, T, d_head) -> (T, n_heads, d_head)
    let swapped = heads.permuted_axes([1, 0, 2]);
    // (T, n_heads, d_head) -> (T, d_out)
    let merged = swapped.to_shape((t, n_heads * d_head))?;
    Ok(merged.into_owned())
    // SOLUTION-END
}

/// Exercise 7.3: the heads' weights averaged into one `(T, T)` matrix.
///
/// Tools that draw "the" attention of a layer often show this average.
/// Each row of the result is still a probability distribution (an average
/// of distributions is one), but it describes no head in particular.
///
/// # Shapes
/// - `weights`: `(n_heads, T, T)` -> `(T, T)`
///
/// # Errors
/// An empty or non-finite `weights`; the error names its shape.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn average_heads(weights: ArrayView3<f64>) -> Result<Array2<f64>> {
    // TODO(ex 7.3): check the input, then take the mean over axis 0.
    // heads [[1, 0], [0.5, 0.5]] and [[0, 1], [0.5, 0.5]]
    //   -> [[0.5, 0.5], [0.5, 0.5]].
    // SOLUTION-START(ex 7.3)
    check::usable("weights", &weights)?;
    let n_heads = weights.len_of(Axis(0)) as f64;
    Ok(weights.sum_axis(Axis(0)) / n_heads) // (n_heads, T, T) -> (T, T)
    // SOLUTION-END
}

/// Exercise 7.4: the weights of a grouped-query attention layer.
///
/// In grouped-query attention (Ainslie et al., 2023) the `n_heads` query
/// heads share `n_kv_heads` key heads and value heads: every group of
/// `n_heads / n_kv_heads` query heads reads the same keys and values. So
/// `W_q` and `W_o` stay `(d_model, d_model)`, but `W_k` and `W_v` shrink
/// to `(d_model, n_kv_heads * d_head)`. With `n_kv_heads == n_heads` this
/// is the ordinary layer; with `n_kv_heads == 1` it is multi-query
/// attention (Shazeer, 2019). With `bias`, each matrix has one bias per
/// output column.
///
/// # Shapes
/// - `W_q`, `W_o`: `(d_model, d_model)`;
///   `W_k`, `W_v`: `(d_model, n_kv_heads * d_head)`
///
/// # Errors
/// `d_model` or a head count equal to 0, `d_model` not a multiple of
/// `n_heads`, or `n_heads` not a multiple of `n_kv_heads`; name the
/// numbers.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn grouped_query_parameter_count(
    d_model: usize,
    n_heads: usize,
    n_kv_heads: usize,
    bias: bool,
) -> Result<usize> {
    // TODO(ex 7.4): find d_head with `crate::head_width`, check that the
    // query heads split into groups, then add up the four matrices (and
    // the four biases when `bias` is true).
    // d_model 8, 4 heads, 2 key/value heads, no bias:
    //   d_head 2; 64 + 8 * 4 + 8 * 4 + 64 = 192.
    // SOLUTION-START(ex 7.4)
    let d_head = crate::heads::head_width(d_model, n_heads)?;
    ensure!(
        n_kv_heads > 0 && n_heads.is_multiple_of(n_kv_heads),
        "n_heads = {n_heads} query heads do not split into groups for \
         n_kv_heads = {n_kv_heads} key/value heads"
    );
    let d_kv = n_kv_heads * d_head;
    let weights = 2 * d_model * d_model + 2 * d_model * d_kv;
    let biases = if bias { 2 * d_model + 2 * d_kv } else { 0 };
    Ok(weights + biases)
    // SOLUTION-END
}
