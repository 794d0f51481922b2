//! Chapter 9's figures, drawn from the same functions the text prints.

use crate::worked::{band_keys, band_query, band_scorers, journey_weights};
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, Series, XScale, heatmap, lines};
use ch04_self_attention::sentences::journey;
use ndarray::Array2;

/// Every figure of chapter 9.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![journey_grid()?, band_curves()?])
}

/// The weights the query "journey" gives the six tokens under each
/// scorer: one row per scorer, the numbers `journey_side_by_side` prints.
fn journey_grid() -> Result<Figure> {
    let sentence = journey();
    let panels = journey_weights()?;
    let row = sentence.index_of("journey").unwrap_or(1);
    let mut values = Array2::zeros((panels.len(), sentence.tokens.len()));
    for (i, (_, w)) in panels.iter().enumerate() {
        values.row_mut(i).assign(&w.row(row));
    }
    let names: Vec<&str> = panels.iter().map(|(n, _)| n.as_str()).collect();
    let svg = heatmap(&Heatmap {
        title: "Weights of the query \"journey\" under five scorers",
        values: values.view(),
        row_labels: &names,
        col_labels: &sentence.tokens,
        row_axis: "scorer",
        col_axis: "key",
    })?;
    Ok(Figure::new("ch09-journey-scorers.svg", svg))
}

/// Each scorer's score for the key `c [1, 1]` as the strength `c` grows,
/// for the query `[1, 1]`.
fn band_curves() -> Result<Figure> {
    let strengths: Vec<f64> = (1..=40).map(|i| i as f64 * 0.05).collect();
    let q = band_query();
    let k = band_keys(&strengths);
    let scorers = band_scorers()?;
    let mut series = Vec::new();
    for s in &scorers {
        let scores = s.scores(q.view(), k.view())?;
        series.push(Series {
            name: s.name(),
            values: strengths
                .iter()
                .zip(scores.row(0))
                .map(|(&c, &y)| (c, y))
                .collect(),
        });
    }
    let svg = lines(
        "Query [1, 1] against keys c [1, 1]",
        &series,
        "key strength c",
        "score",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch09-middle-key.svg", svg))
}
