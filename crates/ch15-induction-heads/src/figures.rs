//! Chapter 15's figures, drawn from the committed training run.

use crate::store;
use crate::worked::trained_view;
use anyhow::Result;
use attn_common::plot::{Figure, Series, XScale, lines};

/// Every figure of chapter 15.
pub fn figures() -> Result<Vec<Figure>> {
    let run = store::committed()?;
    let at = |f: &dyn Fn(&crate::scores::Evaluation) -> f64| {
        run.evals
            .iter()
            .map(|(step, e)| (*step as f64, f(e)))
            .collect::<Vec<_>>()
    };
    let ln_v = (run.params.config.vocab as f64).ln();
    let losses = lines(
        "Held-out loss during training, seed 15",
        &[
            Series {
                name: "first half (next token random)",
                values: at(&|e| e.first_half),
            },
            Series {
                name: "repeated half (next token seen before)",
                values: at(&|e| e.repeated),
            },
            Series {
                name: "ln V, a uniform guess",
                values: vec![(0.0, ln_v), (run.evals.len() as f64, ln_v)]
                    .into_iter()
                    .map(|(x, y)| {
                        (
                            x * run.evals.last().map_or(1.0, |e| e.0 as f64)
                                / run.evals.len() as f64,
                            y,
                        )
                    })
                    .collect(),
            },
        ],
        "step",
        "mean cross-entropy loss",
        XScale::Linear,
    )?;
    let scores = lines(
        "What each head does, during training",
        &[
            Series {
                name: "L1 H1 previous-token",
                values: at(&|e| e.prev[0][0]),
            },
            Series {
                name: "L1 H2 previous-token",
                values: at(&|e| e.prev[0][1]),
            },
            Series {
                name: "L2 H1 induction",
                values: at(&|e| e.induction[1][0]),
            },
            Series {
                name: "L2 H2 induction",
                values: at(&|e| e.induction[1][1]),
            },
        ],
        "step",
        "mean attention weight",
        XScale::Linear,
    )?;
    Ok(vec![
        Figure::new("ch15-losses.svg", losses),
        Figure::new("ch15-scores.svg", scores),
        Figure::new("ch15-headview.svg", trained_view()?.to_svg()),
    ])
}
