//! Chapter 16's figures, drawn from the committed training run.

use crate::store;
use crate::train::{CHAPTER, learning_rate};
use crate::worked::{head_stats, shown_heads, train_means};
use anyhow::Result;
use attn_common::plot::{Figure, Series, XScale, lines};
use ch11_seeing_attention::headview::HeadView;

/// Every figure of chapter 16.
pub fn figures() -> Result<Vec<Figure>> {
    let run = store::committed()?;
    let s = CHAPTER;
    let train: Vec<(f64, f64)> = train_means(&run)
        .into_iter()
        .map(|(step, l)| (step as f64, l))
        .collect();
    let val: Vec<(f64, f64)> = run
        .val_losses
        .iter()
        .map(|&(step, l)| (step as f64, l))
        .collect();
    let mut lr = Vec::new();
    for (step, _) in &run.val_losses {
        let at = (*step).min(s.steps - 1);
        let rate = learning_rate(at, s.warmup, s.steps, s.peak_lr, s.floor_lr)?;
        lr.push((*step as f64, rate * 1000.0));
    }
    let ln_v = (s.config.vocab as f64).ln();
    let losses = lines(
        "The tiny GPT learning the book's prose",
        &[
            Series {
                name: "training loss (mean of the last 50 steps)",
                values: train,
            },
            Series {
                name: "validation loss",
                values: val,
            },
            Series {
                name: "learning rate x 1000",
                values: lr,
            },
            Series {
                name: "ln V, a uniform guess",
                values: vec![(0.0, ln_v), (s.steps as f64, ln_v)],
            },
        ],
        "step",
        "cross-entropy loss (nats per character)",
        XScale::Linear,
    )?;
    // One head only: a view draws a line for every pair of characters,
    // and eight heads on the sentence would make a file of megabytes.
    let stats = head_stats(&run)?;
    let best = (0..stats.len())
        .max_by(|&a, &b| stats[a].previous.total_cmp(&stats[b].previous))
        .unwrap_or(0);
    let (_, names, mut heads) = shown_heads()?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let one = HeadView::new(
        format!("{}: the previous-character head", stats[best].name),
        &names,
        &names,
        vec![heads.swap_remove(best)],
    )?;
    Ok(vec![
        Figure::new("ch16-loss-curves.svg", losses),
        Figure::new("ch16-heads.svg", one.to_svg()),
    ])
}
