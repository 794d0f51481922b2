//! Chapter 7's figures, drawn from the same functions the text prints.

use crate::heads::Mask;
use crate::narrow::head_reach;
use crate::worked::{HEAD_COUNTS, journey_stack};
use anyhow::Result;
use attn_common::grid::heatmap_grid;
use attn_common::plot::{Figure, Series, grouped_bars};
use ch04_self_attention::sentences::journey;
use ndarray::Axis;

/// Every figure of chapter 7.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![journey_heads()?, head_reach_bars()?])
}

/// The four random heads' `(T, T)` weights on the journey sentence, one
/// panel each, on one colour scale.
fn journey_heads() -> Result<Figure> {
    let sentence = journey();
    let out = journey_stack(Mask::None)?.forward(sentence.x.view())?;
    let panels: Vec<(String, _)> = out
        .weights
        .axis_iter(Axis(0))
        .enumerate()
        .map(|(h, w)| (format!("head {}", h + 1), w.to_owned()))
        .collect();
    let svg = heatmap_grid(
        "Four random heads, one sentence: weights (row = query, column = key)",
        &panels,
        &sentence.tokens,
        &sentence.tokens,
        2,
    )?;
    Ok(Figure::new("ch07-journey-heads.svg", svg))
}

/// The head-count experiment's second table as bars: what one head can
/// still express as the heads get narrower.
fn head_reach_bars() -> Result<Figure> {
    let reach = head_reach(64, 16, &HEAD_COUNTS, 2024)?;
    let labels: Vec<String> = reach
        .iter()
        .map(|r| format!("{} x {}", r.n_heads, r.d_head))
        .collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let series = [
        Series {
            name: "rank of a head's T x T scores",
            values: reach
                .iter()
                .map(|r| (0.0, r.max_score_rank as f64))
                .collect(),
        },
        Series {
            name: "distinct favourite keys (mean per head)",
            values: reach
                .iter()
                .map(|r| (0.0, r.mean_favourite_keys))
                .collect(),
        },
    ];
    let svg = grouped_bars(
        "d_out = 64, T = 16 tokens: n_heads x d_head",
        &labels,
        &series,
        "count (at most T = 16)",
    )?;
    Ok(Figure::new("ch07-head-reach.svg", svg))
}
