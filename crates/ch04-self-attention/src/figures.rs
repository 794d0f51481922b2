//! Chapter 4's figures, drawn from the same functions the text prints.

use crate::self_attention::self_attention;
use crate::sentences::{Sentence, animal, journey};
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, heatmap};

/// Every figure of chapter 4.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![
        weights_map(
            &journey(),
            "\"Your journey starts with one step\": attention weights",
            "ch04-journey-weights.svg",
        )?,
        weights_map(
            &animal(),
            "Hand-made embeddings: attention weights",
            "ch04-animal-weights.svg",
        )?,
    ])
}

/// The full `(T, T)` weight matrix of a sentence as a heatmap.
fn weights_map(s: &Sentence, title: &str, file: &str) -> Result<Figure> {
    let out = self_attention(s.x.view())?;
    let svg = heatmap(&Heatmap {
        title,
        values: out.weights.view(),
        row_labels: &s.tokens,
        col_labels: &s.tokens,
        row_axis: "query (the token that attends)",
        col_axis: "key (the token attended to)",
    })?;
    Ok(Figure::new(file, svg))
}
