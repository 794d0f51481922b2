//! Chapter 8's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 8.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch08-cross-attention --test exercises`, or one
//! exercise's with `cargo test -p ch08-cross-attention --test exercises
//! ex_8_1`. Grading runs further checks on inputs you do not see.
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

use crate::layer::CrossAttention;
use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::AttentionOutput;
use ch03_queries_keys_values::softmax::softmax_rows;
use ndarray::{ArrayView2, ArrayView3, Axis, s};

/// Exercise 8.1: a hard alignment read off soft cross-attention weights.
///
/// For each decoder token (each row of `weights`), return the encoder
/// token it attends to most (the column with the largest weight; on a tie,
/// the smallest such column), but only if that weight is at least
/// `threshold`. A row whose largest weight falls short gets `None`: the
/// decoder token has no clear source.
///
/// # Shapes
/// - `weights`: `(T_dec, T_enc)` -> `T_dec` entries, each `None` or a
///   column index below `T_enc`
///
/// # Errors
/// An empty or non-finite `weights` (the error names its shape), or a
/// `threshold` outside `[0, 1]`.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn hard_alignment(
    weights: ArrayView2<f64>,
    threshold: f64,
) -> Result<Vec<Option<usize>>> {
    // TODO(ex 8.1): check the inputs, then take the arg-max of each row
    // and keep it only if its weight reaches `threshold`.
    // [[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]] with threshold 0.5
    // -> [Some(0), None]; with threshold 0.4 -> [Some(0), Some(0)].
    // SOLUTION-START(ex 8.1)
    check::usable("weights", &weights)?;
    ensure!(
        (0.0..=1.0).contains(&threshold),
        "the threshold must lie in [0, 1], got {threshold}"
    );
    let mut alignment = Vec::with_capacity(weights.nrows());
    for row in weights.rows() {
        // A strict `>` keeps the first of several equal weights.
        let mut top = 0;
        for (j, &w) in row.iter().enumerate() {
            if w > row[top] {
                top = j;
            }
        }
        alignment.push((row[top] >= threshold).then_some(top));
    }
    Ok(alignment)
    // SOLUTION-END
}

/// Exercise 8.2: cross-attention over a batch of source sentences of
/// different lengths, padded to one length and masked.
///
/// Example `b` of `encoder` holds `encoder_lengths[b]` real tokens
/// followed by padding (any finite numbers, usually zeros) up to `T_enc`.
/// No decoder token may attend to padding: set the scores of the padded
/// columns to `-inf` before the softmax, so their weights are exactly 0
/// and the real tokens share the whole weight of 1. The result for each
/// example must equal `layer.forward` on its real tokens alone.
///
/// Returns one [`AttentionOutput`] per example: scores `(T_dec, T_enc)`
/// with `-inf` in the padded columns, weights `(T_dec, T_enc)` with 0
/// there, and context `(T_dec, d_out)`.
///
/// # Shapes
/// - `decoder`: `(B, T_dec, d_in)`, `encoder`: `(B, T_enc, d_in)`,
///   `encoder_lengths`: `B` entries, each in `1..=T_enc`
///
/// # Errors
/// An empty or non-finite batch, different batch sizes, a wrong number of
/// lengths, a length of 0 or above `T_enc`, or widths other than `d_in`.
/// The errors name the shapes involved: the shape of a non-finite batch,
/// both batches' shapes when their sizes differ, and the encoder's shape
/// when a length is wrong or the number of lengths is.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn padded_cross_attention(
    layer: &CrossAttention,
    decoder: ArrayView3<f64>,
    encoder: ArrayView3<f64>,
    encoder_lengths: &[usize],
) -> Result<Vec<AttentionOutput>> {
    // TODO(ex 8.2): for each example, project with the layer's chapter 5
    // matrices, `layer.projections()` (a `SelfAttention`), and its
    // `queries`, `keys` and `values`, as `forward` does; scale the
    // scores by 1/sqrt(d_out), put -inf in the columns from the example's
    // length on, and finish with ch03's `softmax_rows` (the row-by-row
    // softmax inside `attention`: it gives -inf weight 0).
    // One layer with d_in = d_out = 1 and W_q = W_k = W_v = [[1]], decoder
    // [[[0]]], encoder [[[1], [3], [99]]], lengths [2]
    // -> weights [[0.5, 0.5, 0]] and context [[2]]: the 99 is ignored.
    // SOLUTION-START(ex 8.2)
    check::usable("decoder", &decoder)?;
    check::usable("encoder", &encoder)?;
    let (b, _, _) = decoder.dim();
    let (b_enc, t_enc, _) = encoder.dim();
    check::same_len(
        "the batch sizes of the decoder and the encoder (B)",
        ("decoder", b, &check::shape(&decoder)),
        ("encoder", b_enc, &check::shape(&encoder)),
    )?;
    ensure!(
        encoder_lengths.len() == b,
        "there are {} encoder lengths for a batch of B = {b} (`encoder` has \
         shape {})",
        encoder_lengths.len(),
        check::shape(&encoder)
    );
    let p = layer.projections();
    let scale = 1.0 / (layer.d_out() as f64).sqrt();
    let mut outputs = Vec::with_capacity(b);
    for (i, &len) in encoder_lengths.iter().enumerate() {
        ensure!(
            (1..=t_enc).contains(&len),
            "example {i} has encoder length {len}, but it must lie in \
             1..={t_enc} for `encoder` with shape {}",
            check::shape(&encoder)
        );
        let dec = decoder.index_axis(Axis(0), i); // (T_dec, d_in)
        let enc = encoder.index_axis(Axis(0), i); // (T_enc, d_in)
        let q = p.queries(dec)?; // (T_dec, d_in) -> (T_dec, d_out)
        let k = p.keys(enc)?; // (T_enc, d_in) -> (T_enc, d_out)
        let v = p.values(enc)?; // (T_enc, d_in) -> (T_enc, d_out)
        // (T_dec, d_out) x (d_out, T_enc) -> (T_dec, T_enc)
        let mut scores = q.dot(&k.t()) * scale;
        scores.slice_mut(s![.., len..]).fill(f64::NEG_INFINITY);
        let weights = softmax_rows(scores.view())?;
        // (T_dec, T_enc) x (T_enc, d_out) -> (T_dec, d_out)
        let context = weights.dot(&v);
        outputs.push(AttentionOutput {
            scores,
            weights,
            context,
        });
    }
    Ok(outputs)
    // SOLUTION-END
}
