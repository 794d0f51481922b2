//! Chapter 6's figures, drawn from the same functions the text prints.

use crate::mask::{as_numbers, causal_mask};
use crate::worked::{journey_causal_weights, journey_dropped_weights};
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, heatmap};
use ch04_self_attention::sentences::journey;
use ndarray::ArrayView2;

/// Every figure of chapter 6.
pub fn figures() -> Result<Vec<Figure>> {
    let s = journey();
    let mask = as_numbers(causal_mask(s.tokens.len()).view());
    Ok(vec![
        token_map(
            "The causal mask: 1 = may look, 0 = the future",
            mask.view(),
            "ch06-causal-mask.svg",
        )?,
        token_map(
            "\"Your journey starts with one step\": causal weights",
            journey_causal_weights()?.view(),
            "ch06-journey-causal-weights.svg",
        )?,
        token_map(
            "Causal weights after dropout (p = 0.5, seed 123)",
            journey_dropped_weights()?.view(),
            "ch06-journey-dropout.svg",
        )?,
    ])
}

/// A `(T, T)` matrix over the journey sentence's tokens as a heatmap.
fn token_map(
    title: &str,
    values: ArrayView2<f64>,
    file: &str,
) -> Result<Figure> {
    let s = journey();
    let svg = heatmap(&Heatmap {
        title,
        values,
        row_labels: &s.tokens,
        col_labels: &s.tokens,
        row_axis: "query (the token that attends)",
        col_axis: "key (the token attended to)",
    })?;
    Ok(Figure::new(file, svg))
}
