//! Chapter 1's figures, drawn from the same functions the text prints.

use crate::worked::{GOLLUM, between_gollum_and_ring, story_memory};
use anyhow::{Result, bail};
use attn_common::plot::{Figure, Heatmap, heatmap};
use ndarray::{Array1, Array2};

/// Every figure of chapter 1.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![exact_weights()?, between_weights()?])
}

/// Short column labels, so each fits its cell.
const FACT_LABELS: [&str; 5] =
    ["Rivendell", "Gollum", "the Ring", "Aragorn", "Moria"];

/// Stacks weight vectors as the rows of a matrix.
///
/// # Shapes
/// - each of `rows`: `(T,)`; returns `(rows.len(), T)`
fn stack(rows: &[&Array1<f64>]) -> Array2<f64> {
    let mut m = Array2::zeros((rows.len(), FACT_LABELS.len()));
    for (i, row) in rows.iter().enumerate() {
        m.row_mut(i).assign(row);
    }
    m
}

/// Gollum's key as the query: soft weights, sharper soft weights and the
/// exact lookup's one-hot weights.
fn exact_weights() -> Result<Figure> {
    let memory = story_memory()?;
    let query = memory.keys().row(GOLLUM).to_owned();
    let soft = memory.soft_read(query.view())?;
    let sharp = memory.soft_read((&query * 4.0).view())?;
    let Some(hard) = memory.hard_lookup(query.view())? else {
        bail!("Gollum's own key must be found");
    };
    let values = stack(&[&soft.weights, &sharp.weights, &hard.weights]);
    let svg = heatmap(&Heatmap {
        title: "Query = Gollum's key: weight on each remembered fact",
        values: values.view(),
        row_labels: &["soft", "soft, 4 x query", "exact lookup"],
        col_labels: &FACT_LABELS,
        row_axis: "read",
        col_axis: "remembered fact",
    })?;
    Ok(Figure::new("ch01-exact-weights.svg", svg))
}

/// The query halfway between Gollum and the Ring: the exact lookup finds
/// nothing, the soft weights split between the two.
fn between_weights() -> Result<Figure> {
    let memory = story_memory()?;
    let query = between_gollum_and_ring(&memory);
    if memory.hard_lookup(query.view())?.is_some() {
        bail!("no stored key may equal the halfway query");
    }
    let soft = memory.soft_read(query.view())?;
    let sharp = memory.soft_read((&query * 4.0).view())?;
    let values = stack(&[&soft.weights, &sharp.weights]);
    let svg = heatmap(&Heatmap {
        title: "Halfway between Gollum and the Ring (exact lookup: none)",
        values: values.view(),
        row_labels: &["soft", "soft, 4 x query"],
        col_labels: &FACT_LABELS,
        row_axis: "read",
        col_axis: "remembered fact",
    })?;
    Ok(Figure::new("ch01-between-weights.svg", svg))
}
