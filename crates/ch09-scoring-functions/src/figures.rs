//! Chapter 9's figures, drawn from the same functions the text prints.

use crate::worked::{band_keys, band_query, band_scorers, journey_weights};
use anyhow::Result;
use attn_common::grid::heatmap_grid;
use attn_common::plot::{Figure, Series, XScale, lines};
use ch04_self_attention::sentences::journey;

/// Every figure of chapter 9.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![journey_grid()?, band_curves()?])
}

/// The five scorers' `(T, T)` weights on the journey sentence, one panel
/// each, on one colour scale.
fn journey_grid() -> Result<Figure> {
    let sentence = journey();
    let svg = heatmap_grid(
        "One sentence, five scorers: weights (row = query, column = key)",
        &journey_weights()?,
        &sentence.tokens,
        &sentence.tokens,
        2,
    )?;
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
