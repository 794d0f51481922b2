//! The numbers of the worked answers to chapter 4's pen-and-paper
//! exercises. Each function returns the exact text an answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::self_attention::self_attention;
use crate::sentences::journey;
use anyhow::{Context, Result};
use attn_common::fmt;
use ndarray::{Array2, Axis};
use std::fmt::Write as _;

/// Exercises 4.4 and 4.5 on the journey sentence: the row of "with"
/// (its scores and weights), what multiplying every embedding by 10 does
/// to each row's largest weight, and the weight matrix of the reversed
/// sentence, "step one with starts journey Your".
///
/// # Shapes
/// - the journey sentence's `x` is `(T, d_in)` = `(6, 3)`; the weight
///   matrices are `(T, T)`
pub fn pen_and_paper() -> Result<String> {
    let s = journey();
    let tokens = &s.tokens;
    let plain = self_attention(s.x.view())?;
    let with = s.index_of("with").context("with is in the sentence")?;
    let mut out = String::new();

    writeln!(out, "exercise 4.4: the row of \"with\"")?;
    let mut row = Array2::zeros((tokens.len(), 2));
    row.column_mut(0).assign(&plain.scores.row(with));
    row.column_mut(1).assign(&plain.weights.row(with));
    out += &fmt::matrix(row.view(), tokens, &["score", "weight"]);

    writeln!(out, "\nevery embedding multiplied by 10 (scores by 100):")?;
    let loud = self_attention((&s.x * 10.0).view())?;
    writeln!(out, "query    largest weight  on")?;
    for (i, token) in tokens.iter().enumerate() {
        let w = loud.weights.row(i);
        let (j, top) = w.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |best, (j, &x)| {
                if x > best.1 { (j, x) } else { best }
            },
        );
        writeln!(out, "{token:<7}  {}          {}", fmt::num(top), tokens[j])?;
    }

    writeln!(out, "\nexercise 4.5: \"step one with starts journey Your\"")?;
    let order: Vec<usize> = (0..tokens.len()).rev().collect();
    let shuffled_x = s.x.select(Axis(0), &order);
    let shuffled_tokens: Vec<&str> = order.iter().map(|&i| tokens[i]).collect();
    let shuffled = self_attention(shuffled_x.view())?;
    out += &fmt::matrix(
        shuffled.weights.view(),
        &shuffled_tokens,
        &shuffled_tokens,
    );
    let moved = plain
        .weights
        .select(Axis(0), &order)
        .select(Axis(1), &order);
    let gap = (&moved - &shuffled.weights)
        .iter()
        .fold(0.0f64, |m, x| m.max(x.abs()));
    writeln!(
        out,
        "same as the original matrix with rows and columns reordered \
         (within 1e-12): {}",
        gap < 1e-12
    )?;
    Ok(out)
}
