//! Chapter 11's figures, drawn from the same functions the text prints.

use crate::worked::{
    animal_patterns, ch07_view, ch08_view, journey_twins, patterns_view,
    rollout_layers,
};
use anyhow::Result;
use attn_common::grid::heatmap_grid;
use attn_common::plot::Figure;
use ch04_self_attention::sentences::{animal, journey};
use ndarray::Axis;

/// Row labels `"0 The"`, `"1 animal"`, ... and column labels `"0"`,
/// `"1"`, ...: eleven words do not fit under eleven narrow columns, so
/// the columns carry the position and the rows say which word it is.
fn numbered(tokens: &[&str]) -> (Vec<String>, Vec<String>) {
    let rows = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{i} {t}"))
        .collect();
    let cols = (0..tokens.len()).map(|i| i.to_string()).collect();
    (rows, cols)
}

/// Every figure of chapter 11.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![
        patterns()?,
        rollout_maps()?,
        twins()?,
        Figure::new("ch11-headview-patterns.svg", patterns_view()?.to_svg()),
        Figure::new("ch11-headview-ch07.svg", ch07_view()?.to_svg()),
        Figure::new("ch11-headview-ch08.svg", ch08_view()?.to_svg()),
    ])
}

/// The five hand-built patterns, one heatmap each, on one scale.
fn patterns() -> Result<Figure> {
    let s = animal();
    let (rows, cols) = numbered(&s.tokens);
    let panels: Vec<(String, _)> = animal_patterns()?
        .into_iter()
        .map(|p| (p.name.to_string(), p.weights))
        .collect();
    let svg = heatmap_grid(
        "Five patterns with known causes (row = query, column = key position)",
        &panels,
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
        &cols.iter().map(String::as_str).collect::<Vec<_>>(),
        2,
    )?;
    Ok(Figure::new("ch11-patterns.svg", svg))
}

/// Each layer's map, the rollout, and the product without the residual.
fn rollout_maps() -> Result<Figure> {
    let s = animal();
    let (rows, cols) = numbered(&s.tokens);
    let layers = rollout_layers()?;
    let (a1, a2) =
        (layers.index_axis(Axis(0), 0), layers.index_axis(Axis(0), 1));
    let panels = vec![
        ("layer 1: pronoun to noun".to_string(), a1.to_owned()),
        ("layer 2: previous token".to_string(), a2.to_owned()),
        (
            "rollout, residual included".to_string(),
            crate::rollout::rollout(layers.view())?,
        ),
        ("A_2 A_1, no residual".to_string(), a2.dot(&a1)),
    ];
    let svg = heatmap_grid(
        "Two layers and their rollout (row = query, column = key position)",
        &panels,
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
        &cols.iter().map(String::as_str).collect::<Vec<_>>(),
        2,
    )?;
    Ok(Figure::new("ch11-rollout.svg", svg))
}

/// Chapter 5's weights and their sparse twin: same output, different map.
fn twins() -> Result<Figure> {
    let s = journey();
    let (a, twin, _) = journey_twins()?;
    let panels = vec![
        ("A: chapter 5's weights".to_string(), a),
        ("A': same output A V".to_string(), twin),
    ];
    let svg = heatmap_grid(
        "Two weight maps, one output",
        &panels,
        &s.tokens,
        &s.tokens,
        1,
    )?;
    Ok(Figure::new("ch11-twins.svg", svg))
}
