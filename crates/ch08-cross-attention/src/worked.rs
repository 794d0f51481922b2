//! The worked examples chapter 8 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::layer::CrossAttention;
use crate::plain::cross_attention;
use crate::translation::{FEATURES, hello_world};
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::AttentionOutput;
use ch05_trainable_weights::{SelfAttention, journey_projections};
use ndarray::{Array3, Axis, s};
use std::fmt::Write as _;

/// Example 5's input: both sentences and their hand-made embeddings.
pub fn hello_world_embeddings() -> Result<String> {
    let t = hello_world();
    let mut out = String::new();
    let (t_enc, d_in) = t.encoder.dim();
    writeln!(
        out,
        "encoder (English): T_enc = {t_enc} tokens, d_in = {d_in} features"
    )?;
    out += &fmt::matrix(t.encoder.view(), &t.encoder_tokens, &FEATURES);
    let (t_dec, d_in) = t.decoder.dim();
    writeln!(
        out,
        "\ndecoder (French): T_dec = {t_dec} tokens, d_in = {d_in} features"
    )?;
    out += &fmt::matrix(t.decoder.view(), &t.decoder_tokens, &FEATURES);
    Ok(out)
}

// ANCHOR: hello_world_alignment
/// Example 5 without projections: one score by hand, then the scores,
/// weights and context vectors of every French token over the English.
pub fn hello_world_alignment() -> Result<String> {
    let t = hello_world();
    let out = cross_attention(t.decoder.view(), t.encoder.view())?;
    let d_in = t.encoder.ncols();
    let (dec, enc) = (&t.decoder_tokens, &t.encoder_tokens);
    let mut text = String::new();

    let (q, k) = (t.decoder.row(0), t.encoder.row(0));
    let terms: Vec<String> = q
        .iter()
        .zip(&k)
        .map(|(a, b)| format!("{} * {}", fmt::num(*a), fmt::num(*b)))
        .collect();
    writeln!(text, "one score by hand, {} . {}:", dec[0], enc[0])?;
    writeln!(text, "  {} = {}", terms.join(" + "), fmt::num(q.dot(&k)))?;
    writeln!(
        text,
        "  scaled: {} / sqrt({d_in}) = {} / {} = {}",
        fmt::num(q.dot(&k)),
        fmt::num(q.dot(&k)),
        fmt::num((d_in as f64).sqrt()),
        fmt::num(out.scores[[0, 0]])
    )?;

    scores_and_weights(
        &mut text,
        &out,
        &format!("D E^T / sqrt({d_in})"),
        dec,
        enc,
    )?;
    writeln!(
        text,
        "row sums (over the encoder):    {}",
        fmt::vector(out.weights.sum_axis(Axis(1)).view())
    )?;
    writeln!(
        text,
        "column sums (over the decoder): {}",
        fmt::vector(out.weights.sum_axis(Axis(0)).view())
    )?;
    let (rows, cols) = out.context.dim();
    writeln!(text, "\ncontext = weights E, shape ({rows}, {cols}):")?;
    text += &fmt::matrix(out.context.view(), dec, &FEATURES);
    Ok(text)
}
// ANCHOR_END: hello_world_alignment

/// Writes the scores (computed as `formula`) and the weights as tables,
/// with the decoder's tokens on the rows and the encoder's on the columns.
fn scores_and_weights(
    text: &mut String,
    out: &AttentionOutput,
    formula: &str,
    dec: &[&str],
    enc: &[&str],
) -> Result<()> {
    let (rows, cols) = out.weights.dim();
    writeln!(text, "\nscores = {formula}, shape ({rows}, {cols}):")?;
    *text += &fmt::matrix(out.scores.view(), dec, enc);
    writeln!(
        text,
        "\nweights = softmax of each row, shape ({rows}, {cols}):"
    )?;
    *text += &fmt::matrix(out.weights.view(), dec, enc);
    Ok(())
}

/// Example 5's layer with chapter 5's fixed projections (made for example
/// 3 and never trained on translation).
pub fn hello_world_layer() -> Result<CrossAttention> {
    let (w_q, w_k, w_v) = journey_projections();
    Ok(CrossAttention::new(SelfAttention::new(w_q, w_k, w_v)?))
}

// ANCHOR: hello_world_projected
/// Example 5 through chapter 5's fixed projections: the queries, keys,
/// values, weights and context vectors.
pub fn hello_world_projected() -> Result<String> {
    let t = hello_world();
    let layer = hello_world_layer()?;
    let p = layer.projections();
    let (dec, enc) = (&t.decoder_tokens, &t.encoder_tokens);
    let q = p.queries(t.decoder.view())?; // (T_dec, d_in) -> (T_dec, d_out)
    let k = p.keys(t.encoder.view())?; // (T_enc, d_in) -> (T_enc, d_out)
    let v = p.values(t.encoder.view())?; // (T_enc, d_in) -> (T_enc, d_out)
    let out = layer.forward(t.decoder.view(), t.encoder.view())?;
    let d_out = layer.d_out();
    let mut text = String::new();
    writeln!(
        text,
        "W_q, W_k, W_v: chapter 5's fixed projections, (d_in, d_out) = \
         ({}, {d_out})",
        layer.d_in()
    )?;
    for (name, m, rows) in [
        ("Q = D W_q (from the decoder)", &q, dec),
        ("K = E W_k (from the encoder)", &k, enc),
        ("V = E W_v (from the encoder)", &v, enc),
    ] {
        let (r, c) = m.dim();
        writeln!(text, "\n{name}, shape ({r}, {c}):")?;
        text += &fmt::matrix(m.view(), rows, &[]);
    }
    scores_and_weights(
        &mut text,
        &out,
        &format!("Q K^T / sqrt({d_out})"),
        dec,
        enc,
    )?;
    let (rows, cols) = out.context.dim();
    writeln!(text, "\ncontext = weights V, shape ({rows}, {cols}):")?;
    text += &fmt::matrix(out.context.view(), dec, &[]);
    Ok(text)
}
// ANCHOR_END: hello_world_projected

// ANCHOR: batch_shapes
/// The shape of every piece of a batched cross-attention step, for a
/// random layer and random inputs (SplitMix64, seed 8).
pub fn batch_shapes() -> Result<String> {
    let (b, t_dec, t_enc, d_in, d_out) = (2, 4, 6, 3, 2);
    let mut rng = SplitMix64::new(8);
    let layer = CrossAttention::random(d_in, d_out, &mut rng)?;
    let decoder =
        Array3::from_shape_simple_fn((b, t_dec, d_in), || rng.normal());
    let encoder =
        Array3::from_shape_simple_fn((b, t_enc, d_in), || rng.normal());
    let context = layer.forward_batch(decoder.view(), encoder.view())?;
    // Example 0 on its own, to show the shapes inside one step.
    let (dec0, enc0) =
        (decoder.slice(s![0, .., ..]), encoder.slice(s![0, .., ..]));
    let p = layer.projections();
    let q = p.queries(dec0)?; // (T_dec, d_in) -> (T_dec, d_out)
    let k = p.keys(enc0)?; // (T_enc, d_in) -> (T_enc, d_out)
    let v = p.values(enc0)?; // (T_enc, d_in) -> (T_enc, d_out)
    let w_q = p.w_q();
    let one = layer.forward(dec0, enc0)?;
    let shape = |s: &[usize]| {
        let dims: Vec<String> = s.iter().map(|d| d.to_string()).collect();
        format!("({})", dims.join(", "))
    };
    let rows = [
        ("decoder", "(B, T_dec, d_in)", decoder.shape()),
        ("encoder", "(B, T_enc, d_in)", encoder.shape()),
        ("W_q, W_k, W_v", "(d_in, d_out)", w_q.shape()),
        ("Q, one example", "(T_dec, d_out)", q.shape()),
        ("K, one example", "(T_enc, d_out)", k.shape()),
        ("V, one example", "(T_enc, d_out)", v.shape()),
        (
            "weights, one example",
            "(T_dec, T_enc)",
            one.weights.shape(),
        ),
        ("context", "(B, T_dec, d_out)", context.shape()),
    ];
    let mut text = String::new();
    for (name, symbols, dims) in rows {
        writeln!(text, "{name:<20}  {symbols:<17}  = {}", shape(dims))?;
    }
    Ok(text)
}
// ANCHOR_END: batch_shapes
