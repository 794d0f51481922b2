//! The worked examples chapter 4 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::cost::{readable_bytes, score_matrix_bytes, score_matrix_entries};
use crate::normalise::{
    largest_magnitude, softmax_jacobian, sum_normalise, sum_normalise_jacobian,
};
use crate::self_attention::{self_attend_one, self_attention};
use crate::sentences::{ANIMAL_FEATURES, Sentence, animal, journey};
use anyhow::{Context, Result};
use attn_common::fmt;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::{Array1, Axis, array};
use std::fmt::Write as _;

/// How close two computations of the same number must be to count as
/// equal. The matrix form and the one-query form add the same products
/// in a different order, so they may differ in the last bits.
const SAME: f64 = 1e-12;

/// The width of the widest token, for aligned tables.
fn token_width(s: &Sentence) -> usize {
    s.tokens.iter().map(|t| t.len()).max().unwrap_or(0)
}

/// Example 3's input: the six tokens and their embeddings.
pub fn journey_embeddings() -> Result<String> {
    let s = journey();
    let (t, d_in) = s.x.dim();
    let mut out = String::new();
    writeln!(out, "T = {t} tokens, d_in = {d_in} features each\n")?;
    for (i, token) in s.tokens.iter().enumerate() {
        writeln!(out, "x_{}  {token:<7}  {}", i + 1, fmt::vector(s.x.row(i)))?;
    }
    Ok(out)
}

/// Example 3, one query: "journey" (x_2) attends over the sentence, step
/// by step, with the weights from dividing by the sum and from softmax.
pub fn journey_one_query() -> Result<String> {
    let s = journey();
    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    let query = s.x.row(i);
    let step = self_attend_one(s.x.view(), i)?;
    let by_sum = sum_normalise(step.scores.view())?;
    let w = token_width(&s);
    let mut out = String::new();
    writeln!(
        out,
        "query x_{} = \"journey\" = {}",
        i + 1,
        fmt::vector(query)
    )?;

    writeln!(out, "\nstep 1: one score per token, x_{} . x_j", i + 1)?;
    for (j, token) in s.tokens.iter().enumerate() {
        let terms: Vec<String> = query
            .iter()
            .zip(s.x.row(j))
            .map(|(a, b)| format!("{}*{}", fmt::num(*a), fmt::num(*b)))
            .collect();
        writeln!(
            out,
            "  x_{} {token:<w$}  {} = {}",
            j + 1,
            terms.join(" + "),
            fmt::num(step.scores[j])
        )?;
    }

    writeln!(out, "\nstep 2: scores into weights")?;
    writeln!(out, "  {:<w$}   score  divide by sum  softmax", "token")?;
    for (j, token) in s.tokens.iter().enumerate() {
        writeln!(
            out,
            "  {token:<w$}  {}  {:>13}  {:>7}",
            fmt::num(step.scores[j]),
            fmt::num(by_sum[j]),
            fmt::num(step.weights[j])
        )?;
    }
    writeln!(
        out,
        "  {:<w$}  {}  {:>13}  {:>7}",
        "total",
        fmt::num(step.scores.sum()),
        fmt::num(by_sum.sum()),
        fmt::num(step.weights.sum())
    )?;

    writeln!(
        out,
        "\nstep 3: z_{} = sum of w_j * x_j (softmax weights)",
        i + 1
    )?;
    for (j, token) in s.tokens.iter().enumerate() {
        let term = &s.x.row(j) * step.weights[j]; // (d_in,) * scalar
        writeln!(
            out,
            "  {token:<w$}  {} * {} = {}",
            fmt::num(step.weights[j]),
            fmt::vector(s.x.row(j)),
            fmt::vector(term.view())
        )?;
    }
    writeln!(out, "  z_{} = {}", i + 1, fmt::vector(step.output.view()))?;
    Ok(out)
}

/// Prints one comparison of the two ways to normalise `scores`.
fn compare_normalisations(
    out: &mut String,
    title: &str,
    scores: &Array1<f64>,
) -> Result<()> {
    writeln!(out, "{title}")?;
    writeln!(out, "  scores         {}", fmt::vector(scores.view()))?;
    let soft = softmax(scores.view())?;
    let soft_slope = largest_magnitude(&softmax_jacobian(soft.view())?);
    match sum_normalise(scores.view()) {
        Ok(by_sum) => {
            let slope =
                largest_magnitude(&sum_normalise_jacobian(scores.view())?);
            writeln!(out, "  divide by sum  {}", fmt::vector(by_sum.view()))?;
            writeln!(out, "  softmax        {}", fmt::vector(soft.view()))?;
            writeln!(
                out,
                "  largest |dw_i/ds_j|: divide by sum {}, softmax {}",
                fmt::num(slope),
                fmt::num(soft_slope)
            )?;
        }
        Err(e) => {
            writeln!(out, "  divide by sum  error: {e}")?;
            writeln!(out, "  softmax        {}", fmt::vector(soft.view()))?;
            writeln!(
                out,
                "  largest |dw_i/ds_j|: divide by sum undefined, softmax {}",
                fmt::num(soft_slope)
            )?;
        }
    }
    writeln!(out)?;
    Ok(())
}

/// Why softmax and not a division by the sum: five sets of scores.
pub fn why_softmax() -> Result<String> {
    let s = journey();
    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    let journey_scores = self_attend_one(s.x.view(), i)?.scores;
    let mut out = String::new();
    compare_normalisations(
        &mut out,
        "A. the scores of \"journey\" (all positive)",
        &journey_scores,
    )?;
    compare_normalisations(
        &mut out,
        "B. one negative score",
        &array![2.0, -1.0, 0.5],
    )?;
    compare_normalisations(
        &mut out,
        "C. scores that nearly cancel",
        &array![1.0, -0.9],
    )?;
    compare_normalisations(
        &mut out,
        "D. scores that cancel",
        &array![1.0, -1.0],
    )?;
    compare_normalisations(
        &mut out,
        "E. the scores of A, each plus 10",
        &(&journey_scores + 10.0),
    )?;
    Ok(out.trim_end().to_string() + "\n")
}

/// Example 3, all queries at once: scores, weights and context vectors as
/// matrix products, checked against the one-query computation.
pub fn journey_matrix_form() -> Result<String> {
    let s = journey();
    let (t, d_in) = s.x.dim();
    let out_all = self_attention(s.x.view())?;
    let tokens = &s.tokens;
    let mut out = String::new();
    writeln!(
        out,
        "scores = X X^T, shape ({t}, {t}); row = query, column = key"
    )?;
    out += &fmt::matrix(out_all.scores.view(), tokens, tokens);
    writeln!(out, "\nweights = softmax of each row, shape ({t}, {t})")?;
    out += &fmt::matrix(out_all.weights.view(), tokens, tokens);
    let row_sums = out_all.weights.sum_axis(Axis(1));
    writeln!(out, "row sums = {}", fmt::vector(row_sums.view()))?;
    writeln!(out, "\ncontext = weights X, shape ({t}, {d_in})")?;
    out += &fmt::matrix(out_all.context.view(), tokens, &[]);

    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    let one = self_attend_one(s.x.view(), i)?;
    writeln!(out, "\ncheck, query \"journey\":")?;
    writeln!(
        out,
        "  row {} of the matrix form  {}",
        i + 1,
        fmt::vector(out_all.context.row(i))
    )?;
    writeln!(
        out,
        "  one query at a time       {}",
        fmt::vector(one.output.view())
    )?;
    let mut agree = 0;
    for r in 0..t {
        let one = self_attend_one(s.x.view(), r)?;
        let gap = (&one.output - &out_all.context.row(r))
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        if gap < SAME {
            agree += 1;
        }
    }
    writeln!(
        out,
        "rows that match the one-query result to within 1e-12: {agree} of {t}"
    )?;
    Ok(out)
}

/// For each token: its length, the weight it gives itself, and which
/// tokens it attends to most (several when they tie).
fn self_focus(s: &Sentence) -> Result<String> {
    let all = self_attention(s.x.view())?;
    let w = token_width(s);
    let mut out = String::new();
    writeln!(
        out,
        "{:<w$}  length |x|  self weight  most attended (weight)",
        "token"
    )?;
    let mut to_self = 0;
    for (i, token) in s.tokens.iter().enumerate() {
        let row = all.weights.row(i);
        let top = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let winners: Vec<&str> = s
            .tokens
            .iter()
            .zip(row)
            .filter(|(_, v)| top - **v < SAME)
            .map(|(name, _)| *name)
            .collect();
        if top - row[i] < SAME {
            to_self += 1;
        }
        let length = s.x.row(i).dot(&s.x.row(i)).sqrt(); // (d_in,) . (d_in,)
        writeln!(
            out,
            "{token:<w$}  {:>10}  {:>11}  {} ({})",
            fmt::num(length),
            fmt::num(row[i]),
            winners.join(" = "),
            fmt::num(top)
        )?;
    }
    writeln!(
        out,
        "tokens whose largest weight is on themselves: {to_self} of {}",
        s.tokens.len()
    )?;
    Ok(out)
}

/// Example 3: how much each token attends to itself.
pub fn journey_self_focus() -> Result<String> {
    self_focus(&journey())
}

/// The size of the score matrix as the sequence grows.
pub fn score_matrix_cost() -> Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "{:>7}  {:>14}  {:>11}  {:>12}  {:>11}",
        "T", "entries T*T", "bytes (f32)", "f32", "f64"
    )?;
    for t in [6, 1_000, 10_000, 100_000] {
        let f32_bytes = score_matrix_bytes(t, 4)?;
        writeln!(
            out,
            "{t:>7}  {:>14}  {f32_bytes:>11}  {:>12}  {:>11}",
            score_matrix_entries(t)?,
            readable_bytes(f32_bytes),
            readable_bytes(score_matrix_bytes(t, 8)?)
        )?;
    }
    Ok(out)
}

/// Example 4's input: the hand-made features of every token.
pub fn animal_embeddings() -> Result<String> {
    let s = animal();
    let (t, d_in) = s.x.dim();
    let mut out = String::new();
    writeln!(out, "T = {t} tokens, d_in = {d_in} hand-made features\n")?;
    out += &fmt::matrix(s.x.view(), &s.tokens, &ANIMAL_FEATURES);
    Ok(out)
}

/// Example 4: the weights of "it" over the whole sentence, and the tokens
/// it attends to most.
pub fn animal_it() -> Result<String> {
    let s = animal();
    let i = s.index_of("it").context("it is in the sentence")?;
    let step = self_attend_one(s.x.view(), i)?;
    let w = token_width(&s);
    let mut out = String::new();
    writeln!(out, "query \"it\" = {}\n", fmt::vector(s.x.row(i)))?;
    writeln!(out, "{:<w$}   score  weight", "key")?;
    for (j, token) in s.tokens.iter().enumerate() {
        writeln!(
            out,
            "{token:<w$}  {}  {}",
            fmt::num(step.scores[j]),
            fmt::num(step.weights[j])
        )?;
    }
    let mut ranked: Vec<usize> = (0..s.tokens.len()).collect();
    // Largest weight first; equal weights keep sentence order.
    ranked.sort_by(|&a, &b| step.weights[b].total_cmp(&step.weights[a]));
    writeln!(out, "\nmost attended:")?;
    for (rank, &j) in ranked.iter().take(3).enumerate() {
        writeln!(
            out,
            "  {}. {:<w$}  {}",
            rank + 1,
            s.tokens[j],
            fmt::num(step.weights[j])
        )?;
    }
    Ok(out)
}

/// Example 4: how much each token attends to itself.
pub fn animal_self_focus() -> Result<String> {
    self_focus(&animal())
}
