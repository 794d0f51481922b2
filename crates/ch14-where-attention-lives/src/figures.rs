//! Chapter 14's figures, drawn from the functions the text prints.

use crate::families::families;
use crate::position::{rope_score, sinusoidal};
use crate::worked::rope_pair;
use anyhow::Result;
use attn_common::grid::heatmap_grid;
use attn_common::plot::{Figure, Heatmap, Series, XScale, heatmap, lines};
use ch06_causal_attention::mask::as_numbers;

/// Every figure of chapter 14.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![encodings()?, rope_offsets()?, family_masks()?])
}

/// The sinusoidal encodings of positions 0 to 7 at `d_model = 8`.
fn encodings() -> Result<Figure> {
    let pe = sinusoidal(8, 8)?;
    let rows = ["0", "1", "2", "3", "4", "5", "6", "7"];
    let svg = heatmap(&Heatmap {
        title: "Sinusoidal position encodings, d_model = 8",
        values: pe.view(),
        row_labels: &rows,
        col_labels: &rows,
        row_axis: "position p",
        col_axis: "column of the encoding",
    })?;
    Ok(Figure::new("ch14-sinusoidal.svg", svg))
}

/// The score of one query and key against their offset, from two
/// starting positions, with RoPE and with added encodings.
fn rope_offsets() -> Result<Figure> {
    let (q, k) = rope_pair();
    let pe = sinusoidal(64, 4)?;
    let mut series = Vec::new();
    for (name, m) in [("RoPE, m = 0", 0), ("RoPE, m = 30", 30)] {
        let mut values = Vec::new();
        for offset in 0..=16 {
            let score = rope_score(q.view(), m, k.view(), m + offset)?;
            values.push((offset as f64, score));
        }
        series.push(Series { name, values });
    }
    for (name, m) in [("added, m = 0", 0), ("added, m = 30", 30)] {
        let values = (0..=16)
            .map(|offset| {
                let a = &q + &pe.row(m);
                let b = &k + &pe.row(m + offset);
                (offset as f64, a.dot(&b))
            })
            .collect();
        series.push(Series { name, values });
    }
    let svg = lines(
        "One query and key, moved along the sequence",
        &series,
        "offset n - m",
        "score q . k",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch14-rope-offset.svg", svg))
}

/// The masks of BERT, GPT and T5 side by side.
fn family_masks() -> Result<Figure> {
    let mut panels = Vec::new();
    for family in families(5, 5) {
        let short = family.name.split(' ').next().unwrap_or(family.name);
        for (name, mask) in &family.masks {
            panels.push((format!("{short}: {name}"), as_numbers(mask.view())));
        }
    }
    let labels = ["1", "2", "3", "4", "5"];
    let svg = heatmap_grid(
        "Who may look at whom (1 = may look, 0 = hidden)",
        &panels,
        &labels,
        &labels,
        2,
    )?;
    Ok(Figure::new("ch14-families.svg", svg))
}
