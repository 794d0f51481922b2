//! Chapter 8's figures, drawn from the same functions the text prints.

use crate::plain::cross_attention;
use crate::translation::{Translation, hello_world};
use crate::worked::hello_world_layer;
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, heatmap};
use ndarray::Array2;

/// Every figure of chapter 8.
pub fn figures() -> Result<Vec<Figure>> {
    let t = hello_world();
    let plain = cross_attention(t.decoder.view(), t.encoder.view())?;
    let projected =
        hello_world_layer()?.forward(t.decoder.view(), t.encoder.view())?;
    Ok(vec![
        alignment_map(
            &t,
            &plain.weights,
            "\"Hello world\" -> \"Bonjour monde\": cross-attention weights",
            "ch08-hello-world-alignment.svg",
        )?,
        alignment_map(
            &t,
            &projected.weights,
            "The same sentences through chapter 5's fixed projections",
            "ch08-hello-world-projected.svg",
        )?,
    ])
}

/// A `(T_dec, T_enc)` weight matrix as a heatmap: one row per French
/// (decoder) token, one column per English (encoder) token.
fn alignment_map(
    t: &Translation,
    weights: &Array2<f64>,
    title: &str,
    file: &str,
) -> Result<Figure> {
    let svg = heatmap(&Heatmap {
        title,
        values: weights.view(),
        row_labels: &t.decoder_tokens,
        col_labels: &t.encoder_tokens,
        row_axis: "French (decoder: queries)",
        col_axis: "English (encoder: keys and values)",
    })?;
    Ok(Figure::new(file, svg))
}
