//! Chapter 10's figures, drawn from the same functions the text prints.

use crate::gradient::{hard_loss, soft_loss};
use crate::reinforce::{exact_gradient, exact_variance};
use crate::sparse::sparsemax;
use crate::worked::{
    FIGURE_COUNTS, cat_sat_costs, cat_sat_scores, gradient_at,
    in_between_weights, spreads,
};
use anyhow::Result;
use attn_common::plot::{Figure, Heatmap, Series, XScale, heatmap, lines};
use ch03_queries_keys_values::worked::CAT_SAT_TOKENS;
use ndarray::Array2;

/// Every figure of chapter 10.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![
        loss_vs_score()?,
        gradient_vs_temperature()?,
        reinforce_variance()?,
        in_between()?,
    ])
}

/// Example 2's weight on "cat" (1 minus the loss) as the score of "cat"
/// sweeps from -1.5 to 2.5, the other scores fixed: a step for hard
/// attention, smooth curves for soft attention, straight pieces for
/// sparsemax.
fn loss_vs_score() -> Result<Figure> {
    let costs = cat_sat_costs();
    let grid: Vec<f64> = (0..=40).map(|i| -1.5 + 0.1 * i as f64).collect();
    let at = |x: f64| {
        let mut s = cat_sat_scores();
        s[1] = x;
        s
    };
    // The weight on "cat" is 1 - loss, since "cat" alone costs 0.
    let curve = |f: &dyn Fn(f64) -> Result<f64>| -> Result<Vec<(f64, f64)>> {
        grid.iter().map(|&x| Ok((x, 1.0 - f(x)?))).collect()
    };
    let series = vec![
        Series {
            name: "hard (arg-max)",
            values: curve(&|x| hard_loss(at(x).view(), costs.view()))?,
        },
        Series {
            name: "soft, tau = 1",
            values: curve(&|x| soft_loss(at(x).view(), costs.view(), 1.0))?,
        },
        Series {
            name: "soft, tau = 0.1",
            values: curve(&|x| soft_loss(at(x).view(), costs.view(), 0.1))?,
        },
        Series {
            name: "sparsemax",
            values: curve(&|x| Ok(sparsemax(at(x).view())?.dot(&costs)))?,
        },
    ];
    let svg = lines(
        "\"sat\": weight on \"cat\" (1 - loss) as its score moves",
        &series,
        "score of \"cat\"; the runner-up \"on\" scores 0.3",
        "weight on \"cat\" = 1 - loss",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch10-loss-vs-score.svg", svg))
}

/// The length of the soft loss's gradient against the temperature, on a
/// log2 scale: from 2^-8 to 2^3.
fn gradient_vs_temperature() -> Result<Figure> {
    let points: Vec<(f64, f64)> = (-16..=6)
        .map(|k| {
            let log2_tau = k as f64 / 2.0;
            Ok((log2_tau, gradient_at(2f64.powf(log2_tau))?.2))
        })
        .collect::<Result<_>>()?;
    let series = vec![Series {
        name: "|dL/ds|, example 2",
        values: points,
    }];
    let svg = lines(
        "Soft attention's gradient as the temperature falls",
        &series,
        "log2 of the temperature tau (-8: tau = 1/256, 0: tau = 1)",
        "length of the gradient |dL/ds|",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch10-gradient-vs-temperature.svg", svg))
}

/// The variance of the REINFORCE estimate against the number of samples,
/// measured and exact, without and with the baseline. The y axis is
/// `log10(1 / variance)`, so the lines climb to the right and leave the
/// legend's corner free.
fn reinforce_variance() -> Result<Figure> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let (expected, _) = exact_gradient(scores.view(), costs.view())?;
    let measured = spreads(&FIGURE_COUNTS)?;
    let exact = |b: f64| -> Result<Vec<(f64, f64)>> {
        FIGURE_COUNTS
            .iter()
            .map(|&n| {
                let v = exact_variance(scores.view(), costs.view(), b, n)?;
                Ok((n as f64, -v.log10()))
            })
            .collect()
    };
    let series = vec![
        Series {
            name: "no baseline, measured",
            values: measured
                .iter()
                .map(|m| (m.n as f64, -m.plain.log10()))
                .collect(),
        },
        Series {
            name: "no baseline, exact",
            values: exact(0.0)?,
        },
        Series {
            name: "baseline b = J, measured",
            values: measured
                .iter()
                .map(|m| (m.n as f64, -m.with_baseline.log10()))
                .collect(),
        },
        Series {
            name: "baseline b = J, exact",
            values: exact(expected)?,
        },
    ];
    let svg = lines(
        "Variance of the REINFORCE estimate, example 2",
        &series,
        "samples per estimate N",
        "log10 of 1 / variance (higher: less noise)",
        XScale::Log2,
    )?;
    Ok(Figure::new("ch10-reinforce-variance.svg", svg))
}

/// Example 2's weights under softmax, sparsemax, top-k and hard
/// attention, one row per method.
fn in_between() -> Result<Figure> {
    let methods = in_between_weights()?;
    let names: Vec<&str> = methods.iter().map(|(name, _)| *name).collect();
    let mut values = Array2::zeros((methods.len(), CAT_SAT_TOKENS.len()));
    for (mut row, (_, w)) in values.rows_mut().into_iter().zip(&methods) {
        row.assign(w);
    }
    let svg = heatmap(&Heatmap {
        title: "\"sat\": weights from soft (top) to hard (bottom)",
        values: values.view(),
        row_labels: &names,
        col_labels: &CAT_SAT_TOKENS,
        row_axis: "method",
        col_axis: "key (token)",
    })?;
    Ok(Figure::new("ch10-in-between.svg", svg))
}
