//! Chapter 12's figures, drawn from the same training runs the text
//! prints.

use crate::backward::forward;
use crate::model::Params;
use crate::tasks::Recall;
use crate::worked::{pronoun_run, recall_runs};
use anyhow::Result;
use attn_common::grid::heatmap_grid;
use attn_common::plot::{Figure, Series, XScale, lines};
use ndarray::Array2;

/// How many unseen recall sequences the recall figure shows.
const SHOWN: usize = 8;

/// Every figure of chapter 12.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![loss_curves()?, recall_weights()?, pronoun_weights()?])
}

fn curve(losses: &[f64]) -> Vec<(f64, f64)> {
    losses
        .iter()
        .enumerate()
        .map(|(step, &l)| (step as f64, l))
        .collect()
}

/// The loss against the step for both optimisers on recall, and for
/// Adam on the pronoun.
fn loss_curves() -> Result<Figure> {
    let runs = recall_runs()?;
    let pronoun = pronoun_run()?;
    let series = [
        Series {
            name: "recall, plain SGD (lr 0.5)",
            values: curve(&runs.sgd.losses),
        },
        Series {
            name: "recall, Adam (lr 0.05)",
            values: curve(&runs.adam.losses),
        },
        Series {
            name: "pronoun \"it\", Adam (lr 0.05)",
            values: curve(&pronoun.run.losses),
        },
    ];
    let svg = lines(
        "Training loss, full batch, seed 12",
        &series,
        "step",
        "mean cross-entropy loss",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch12-loss-curves.svg", svg))
}

/// The query's weights over the four positions, one row per unseen
/// sequence.
fn query_rows(params: &Params, set: &[Recall]) -> Result<Array2<f64>> {
    let layer = params.layer()?;
    let mut rows = Array2::zeros((set.len(), set[0].pairs.len() + 1));
    for (i, r) in set.iter().enumerate() {
        let ex = r.example();
        let cache = forward(&layer, ex.x.view())?;
        rows.row_mut(i).assign(&cache.weights.row(ex.row));
    }
    Ok(rows)
}

/// Where the query looks, before and after training, on unseen
/// sequences.
fn recall_weights() -> Result<Figure> {
    let runs = recall_runs()?;
    let set = &runs.test_set[..SHOWN];
    // "d=3 a=3 c=2 c?" written short, "d3 a3 c2 c?", to keep the figure
    // narrow.
    let labels: Vec<String> = set
        .iter()
        .map(|r| r.tokens().join(" ").replace('=', ""))
        .collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let panels = vec![
        ("random weights".to_string(), query_rows(&runs.init, set)?),
        (
            "after 200 Adam steps".to_string(),
            query_rows(&runs.adam.params, set)?,
        ),
    ];
    let svg = heatmap_grid(
        "Recall: the query's attention over the sequence (unseen sequences)",
        &panels,
        &labels,
        &["pair 1", "pair 2", "pair 3", "query"],
        2,
    )?;
    Ok(Figure::new("ch12-recall-weights.svg", svg))
}

/// Chapter 4's sentence, before and after training "it" to find
/// "animal".
fn pronoun_weights() -> Result<Figure> {
    let p = pronoun_run()?;
    let x = p.example.x.view();
    let before = forward(&p.init.layer()?, x)?.weights;
    let after = forward(&p.run.params.layer()?, x)?.weights;
    let panels = vec![
        ("random weights".to_string(), before),
        ("after 30 Adam steps".to_string(), after),
    ];
    let svg = heatmap_grid(
        "\"The animal didn't cross the street because it was too tired\"",
        &panels,
        &p.sentence.tokens,
        &p.sentence.tokens,
        2,
    )?;
    Ok(Figure::new("ch12-pronoun-weights.svg", svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_is_an_svg_with_a_chapter_12_name() {
        // Seconds of training or drawing whose only input is this
        // executable: not run again while it is unchanged.
        attn_common::record::unless_passed(
            "ch12::figures::every_figure_is_an_svg",
            || {
                let figures = figures().unwrap();
                assert_eq!(figures.len(), 3);
                for f in figures {
                    assert!(f.file.starts_with("ch12-"), "{}", f.file);
                    assert!(f.svg.starts_with("<svg"), "{}", f.file);
                }
            },
        );
    }
}
