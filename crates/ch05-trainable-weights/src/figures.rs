//! Chapter 5's figures, drawn from the same functions the text prints.

use crate::scaling::{KEYS, measured};
use crate::worked::journey_layer;
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, Series, XScale, heatmap, lines};
use ch04_self_attention::sentences::journey;

/// Every figure of chapter 5.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![journey_weights()?, score_variance()?, max_weight()?])
}

/// Example 3's attention weights with the fixed projections.
fn journey_weights() -> Result<Figure> {
    let s = journey();
    let out = journey_layer()?.forward(s.x.view())?;
    let svg = heatmap(&Heatmap {
        title: "\"Your journey starts with one step\": weights with W_q, W_k, W_v",
        values: out.weights.view(),
        row_labels: &s.tokens,
        col_labels: &s.tokens,
        row_axis: "query",
        col_axis: "key",
    })?;
    Ok(Figure::new("ch05-journey-weights.svg", svg))
}

/// The variance of raw and scaled dot products against `d_k`, both axes
/// in powers of two: raw scores lie on the diagonal (variance = `d_k`),
/// scaled ones on the line at 0 (variance = 1).
fn score_variance() -> Result<Figure> {
    let rows = measured()?;
    let series = [
        Series {
            name: "q . k (unscaled)",
            values: rows
                .iter()
                .map(|r| (r.d_k as f64, r.variance_unscaled.log2()))
                .collect(),
        },
        Series {
            name: "q . k / sqrt(d_k) (scaled)",
            values: rows
                .iter()
                .map(|r| (r.d_k as f64, r.variance_scaled.log2()))
                .collect(),
        },
    ];
    let svg = lines(
        "Variance of the score of random unit-variance vectors",
        &series,
        "d_k (width of queries and keys)",
        "log2 of the variance of the score",
        XScale::Log2,
    )?;
    Ok(Figure::new("ch05-score-variance.svg", svg))
}

/// The mean largest softmax weight over random keys against `d_k`.
fn max_weight() -> Result<Figure> {
    let rows = measured()?;
    let uniform = 1.0 / KEYS as f64;
    let series = [
        Series {
            name: "unscaled",
            values: rows
                .iter()
                .map(|r| (r.d_k as f64, r.unscaled.max_weight))
                .collect(),
        },
        Series {
            name: "scaled by 1/sqrt(d_k)",
            values: rows
                .iter()
                .map(|r| (r.d_k as f64, r.scaled.max_weight))
                .collect(),
        },
        Series {
            name: "uniform, 1/16",
            values: rows.iter().map(|r| (r.d_k as f64, uniform)).collect(),
        },
    ];
    let svg = lines(
        "Largest softmax weight over 16 random keys (mean of 200 queries)",
        &series,
        "d_k (width of queries and keys)",
        "largest weight",
        XScale::Log2,
    )?;
    Ok(Figure::new("ch05-max-weight.svg", svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_is_an_svg_with_a_chapter_5_name() {
        let figures = figures().unwrap();
        assert_eq!(figures.len(), 3);
        for f in figures {
            assert!(f.file.starts_with("ch05-"), "{}", f.file);
            assert!(f.svg.starts_with("<svg"), "{}", f.file);
        }
    }
}
