//! The worked examples chapter 3 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::attention::{Scale, attend, attention};
use crate::softmax::{softmax, softmax_naive, softmax_with_temperature};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{Array1, Array2, ArrayView1, array};
use std::fmt::Write as _;

/// Example 1's catalogue: one key and one value per book.
pub fn library() -> (Array2<f64>, Array2<f64>) {
    let keys = array![[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]];
    let values = array![[10.0, 20.0, 30.0], [1.0, 2.0, 3.0], [5.0, 10.0, 15.0]];
    (keys, values)
}

/// The names of example 1's three keys, in order.
pub const LIBRARY_KEYS: [&str; 3] =
    ["exact match", "no match", "partial match"];

// ANCHOR: library_search
/// Example 1, the library search: one query against three catalogue
/// entries, without and with the `1/sqrt(d)` scaling.
pub fn library_search() -> Result<String> {
    let query = array![1.0, 0.0, 1.0];
    let (keys, values) = library();
    let mut out = String::new();
    writeln!(out, "query = {}", fmt::vector(query.view()))?;
    for scale in [Scale::None, Scale::InvSqrtDk] {
        let step = attend(query.view(), keys.view(), values.view(), scale)?;
        let label = match scale {
            Scale::None => "unscaled",
            Scale::InvSqrtDk => "scaled by 1/sqrt(3)",
        };
        writeln!(out, "\n{label}:")?;
        for (i, name) in LIBRARY_KEYS.iter().enumerate() {
            writeln!(
                out,
                "  {name:<13}  key {}  score {}  weight {}",
                fmt::vector(keys.row(i)),
                fmt::num(step.scores[i]),
                fmt::num(step.weights[i]),
            )?;
        }
        writeln!(out, "  output = {}", fmt::vector(step.output.view()))?;
    }
    Ok(out)
}
// ANCHOR_END: library_search

// ANCHOR: library_matrix
/// Example 1 in matrix form: two queries at once through [`attention`],
/// scaled by `1/sqrt(3)`. The first query is example 1's.
pub fn library_matrix() -> Result<String> {
    let q = array![[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]; // (T_q, d_k) = (2, 3)
    let (k, v) = library(); // (T_k, d_k) = (3, 3), (T_k, d_v) = (3, 3)
    let out = attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)?;
    let queries = ["query 1", "query 2"];
    let mut text = String::new();
    writeln!(text, "Q (one query per row):")?;
    write!(text, "{}", fmt::matrix(q.view(), &queries, &[]))?;
    writeln!(text, "\nscores = Q K^T / sqrt(3), shape (2, 3):")?;
    write!(
        text,
        "{}",
        fmt::matrix(out.scores.view(), &queries, &SHORT_KEYS)
    )?;
    writeln!(text, "\nweights = softmax of each row, shape (2, 3):")?;
    write!(
        text,
        "{}",
        fmt::matrix(out.weights.view(), &queries, &SHORT_KEYS)
    )?;
    writeln!(text, "\ncontext = weights V, shape (2, 3):")?;
    write!(text, "{}", fmt::matrix(out.context.view(), &queries, &[]))?;
    Ok(text)
}
// ANCHOR_END: library_matrix

/// Short column labels for example 1's keys.
const SHORT_KEYS: [&str; 3] = ["exact", "none", "partial"];

// ANCHOR: overflow
/// Softmax of very large and very small scores: the formula as written
/// fails, the max-subtracted version does not.
pub fn overflow() -> Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "largest x with a finite exp(x): {}",
        fmt::num(f64::MAX.ln())
    )?;
    for scores in [
        array![1000.0, 999.0, 998.0],
        array![-1000.0, -999.0, -998.0],
    ] {
        let m = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let shifted = &scores - m;
        let exps = shifted.mapv(f64::exp);
        writeln!(out, "\nscores          = {}", fmt::vector(scores.view()))?;
        writeln!(out, "naive:")?;
        let raw = scores.mapv(f64::exp);
        writeln!(out, "  exp(scores)   = {}", fmt::vector(raw.view()))?;
        writeln!(out, "  sum           = {}", fmt::num(raw.sum()))?;
        let naive = softmax_naive(scores.view());
        writeln!(out, "  softmax       = {}", fmt::vector(naive.view()))?;
        writeln!(out, "safe, with m = max = {}:", fmt::num(m))?;
        writeln!(out, "  scores - m    = {}", fmt::vector(shifted.view()))?;
        writeln!(out, "  exp(scores-m) = {}", fmt::vector(exps.view()))?;
        writeln!(out, "  sum           = {}", fmt::num(exps.sum()))?;
        let safe = softmax(scores.view())?;
        writeln!(out, "  softmax       = {}", fmt::vector(safe.view()))?;
    }
    Ok(out)
}
// ANCHOR_END: overflow

/// Example 2's tokens: the words around "sat" in "The cat sat on the mat".
pub const CAT_SAT_TOKENS: [&str; 5] = ["The", "cat", "on", "the", "mat"];

/// Example 2's hand-set relevance of each token to "sat".
pub const CAT_SAT_SCORES: [f64; 5] = [0.1, 0.9, 0.3, 0.2, 0.1];

/// The temperatures example 2 is shown at, from flat to sharp.
pub const CAT_SAT_TEMPERATURES: [f64; 5] = [2.0, 1.0, 0.5, 0.25, 0.1];

// ANCHOR: cat_sat
/// Example 2: the softmax of the hand-set scores for "sat", step by step,
/// with the ratio of the largest weight to the smallest.
pub fn cat_sat() -> Result<String> {
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let weights = softmax(scores.view())?;
    let mut out = String::new();
    writeln!(out, "processing \"sat\" in \"The cat sat on the mat\"\n")?;
    writeln!(out, "token   score   exp(score)  weight")?;
    for (i, token) in CAT_SAT_TOKENS.iter().enumerate() {
        writeln!(
            out,
            "{token:<5}  {}  {:>10}  {}",
            fmt::num(scores[i]),
            fmt::num(scores[i].exp()),
            fmt::num(weights[i]),
        )?;
    }
    let exp_sum: f64 = scores.iter().map(|s| s.exp()).sum();
    writeln!(
        out,
        "sum            {:>10}  {}",
        fmt::num(exp_sum),
        fmt::num(weights.sum())
    )?;
    let n = scores.len() as f64;
    writeln!(out, "\nuniform weight 1/{n} = {}", fmt::num(1.0 / n))?;
    let (s_max, s_min) = min_max(scores.view());
    let (w_max, w_min) = min_max(weights.view());
    writeln!(out, "largest score gap   = {}", fmt::num(s_max - s_min))?;
    writeln!(
        out,
        "largest / smallest weight = {}",
        fmt::num(w_max / w_min)
    )?;
    writeln!(
        out,
        "exp(largest score gap)    = {}",
        fmt::num((s_max - s_min).exp())
    )?;
    Ok(out)
}
// ANCHOR_END: cat_sat

/// The largest and the smallest entry of a vector.
fn min_max(xs: ArrayView1<f64>) -> (f64, f64) {
    let max = xs.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let min = xs.fold(f64::INFINITY, |m, &x| m.min(x));
    (max, min)
}

/// Example 2's weights at each of [`CAT_SAT_TEMPERATURES`], one row per
/// temperature. Shape `(temperatures, tokens)`.
pub fn cat_sat_weights() -> Result<Array2<f64>> {
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut rows = Array2::zeros((CAT_SAT_TEMPERATURES.len(), scores.len()));
    for (mut row, &t) in rows.rows_mut().into_iter().zip(&CAT_SAT_TEMPERATURES)
    {
        row.assign(&softmax_with_temperature(scores.view(), t)?);
    }
    Ok(rows)
}

// ANCHOR: cat_sat_temperature
/// Example 2 at several temperatures: the weights, and the ratio of the
/// largest weight to the smallest.
pub fn cat_sat_temperature() -> Result<String> {
    let weights = cat_sat_weights()?;
    let labels: Vec<String> = CAT_SAT_TEMPERATURES
        .iter()
        .map(|t| format!("tau = {t:.2}"))
        .collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let mut out = String::new();
    writeln!(out, "weights of softmax(scores / tau):")?;
    write!(
        out,
        "{}",
        fmt::matrix(weights.view(), &labels, &CAT_SAT_TOKENS)
    )?;
    writeln!(out, "\nlargest / smallest weight:")?;
    for (label, row) in labels.iter().zip(weights.rows()) {
        let (w_max, w_min) = min_max(row);
        writeln!(out, "{label:<8}  {:>10}", fmt::num(w_max / w_min))?;
    }
    Ok(out)
}
// ANCHOR_END: cat_sat_temperature
