//! The numbers of the worked answer to chapter 8's exercise 8.4. The
//! function returns the exact text the answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::layer::CrossAttention;
use crate::translation::hello_world;
use anyhow::Result;
use attn_common::fmt;
use ch05_trainable_weights::{SelfAttention, journey_projections};
use ndarray::{Array2, array};
use std::fmt::Write as _;

/// The projections of the answer to exercise 8.4: keep the *greeting*
/// and *world* features, drop *end*.
///
/// # Shapes
/// - `(d_in, d_out)` = `(3, 2)`
pub fn keep_alignment_features() -> Array2<f64> {
    array![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
}

/// Exercise 8.4: example 5 through a layer whose `W_q` and `W_k` keep the
/// two aligning features, with chapter 5's `W_v`; and the same weights
/// with another `W_v`, to show that `W_v` cannot change them.
///
/// # Shapes
/// - decoder `(T_dec, d_in)` = `(2, 3)`, encoder `(T_enc, d_in)` =
///   `(3, 3)`; scores and weights `(T_dec, T_enc)` = `(2, 3)`
pub fn restore_alignment() -> Result<String> {
    let t = hello_world();
    let (_, _, w_v) = journey_projections();
    let keep = keep_alignment_features();
    let layer = CrossAttention::new(SelfAttention::new(
        keep.clone(),
        keep.clone(),
        w_v,
    )?);
    let out = layer.forward(t.decoder.view(), t.encoder.view())?;
    let (dec, enc) = (&t.decoder_tokens, &t.encoder_tokens);
    let mut text = String::new();
    writeln!(
        text,
        "W_q = W_k = [[1, 0], [0, 1], [0, 0]], chapter 5's W_v"
    )?;
    writeln!(text, "\nscores = Q K^T / sqrt(2):")?;
    text += &fmt::matrix(out.scores.view(), dec, enc);
    writeln!(text, "\nweights:")?;
    text += &fmt::matrix(out.weights.view(), dec, enc);

    let other_v = array![[5.0, -1.0], [0.0, 3.0], [2.0, 2.0]];
    let other =
        CrossAttention::new(SelfAttention::new(keep.clone(), keep, other_v)?);
    let again = other.forward(t.decoder.view(), t.encoder.view())?;
    writeln!(
        text,
        "\nweights with W_v = [[5, -1], [0, 3], [2, 2]] are the same: {}",
        again.weights == out.weights
    )?;
    Ok(text)
}
