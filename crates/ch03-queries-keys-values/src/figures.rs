//! Chapter 3's figures, drawn from the same functions the text prints.

use crate::attention::{Scale, attend};
use crate::worked::{
    CAT_SAT_TEMPERATURES, CAT_SAT_TOKENS, LIBRARY_KEYS, cat_sat_weights,
    library,
};
use anyhow::Result;
use attn_common::plot::{Figure, Series, grouped_bars};
use ndarray::array;

/// Every figure of chapter 3.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![library_weights()?, cat_sat_temperatures()?])
}

/// Example 1's weights, unscaled and scaled, side by side.
fn library_weights() -> Result<Figure> {
    let query = array![1.0, 0.0, 1.0];
    let (keys, values) = library();
    let mut series = Vec::new();
    for (name, scale) in [
        ("unscaled", Scale::None),
        ("scaled by 1/sqrt(3)", Scale::InvSqrtDk),
    ] {
        let step = attend(query.view(), keys.view(), values.view(), scale)?;
        series.push(Series {
            name,
            values: step.weights.iter().map(|&w| (0.0, w)).collect(),
        });
    }
    let svg = grouped_bars(
        "Library search: attention weight per catalogue entry",
        &LIBRARY_KEYS,
        &series,
        "weight",
    )?;
    Ok(Figure::new("ch03-library-weights.svg", svg))
}

/// Example 2's weights at every temperature the chapter prints: one group
/// of bars per token, one bar per temperature.
fn cat_sat_temperatures() -> Result<Figure> {
    let weights = cat_sat_weights()?; // (temperatures, tokens)
    let names: Vec<String> = CAT_SAT_TEMPERATURES
        .iter()
        .map(|t| format!("tau = {t}"))
        .collect();
    let series: Vec<Series> = names
        .iter()
        .zip(weights.rows())
        .map(|(name, row)| Series {
            name,
            values: row.iter().map(|&w| (0.0, w)).collect(),
        })
        .collect();
    let svg = grouped_bars(
        "\"The cat sat on the mat\": weights for \"sat\" by temperature",
        &CAT_SAT_TOKENS,
        &series,
        "weight",
    )?;
    Ok(Figure::new("ch03-cat-sat-temperature.svg", svg))
}
