//! The worked examples chapter 9 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::cost::{Dims, KINDS, Kind, cost};
use crate::scorers::{Additive, General, Scorer, cosine, dot};
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::worked::{LIBRARY_KEYS, library};
use ch04_self_attention::sentences::journey;
use ch05_trainable_weights::journey_projections;
use ndarray::{Array1, Array2, array, s};
use std::fmt::Write as _;

/// The seed of the general and additive scorers' random parameters.
pub const SEED: u64 = 9;

/// The additive scorer's hidden width in the small examples.
pub const D_A: usize = 4;

// ANCHOR: seeded_scorers
/// The five scorers for 3-wide queries and keys (the library example and
/// the journey sentence share that width). `W` of the general scorer is
/// drawn first from SplitMix64 seeded with [`SEED`], then `W_q`, `W_k`
/// and `v` of the additive one, with `d_a` = [`D_A`].
pub fn seeded_scorers() -> Result<Vec<Scorer>> {
    let mut rng = SplitMix64::new(SEED);
    let general = General::random(3, 3, &mut rng)?;
    let additive = Additive::random(3, 3, D_A, &mut rng)?;
    Ok(vec![
        Scorer::Dot,
        Scorer::ScaledDot,
        Scorer::General(general),
        Scorer::Additive(additive),
        Scorer::Cosine,
    ])
}
// ANCHOR_END: seeded_scorers

/// The names of the scorers, in order, for table rows.
fn names(scorers: &[Scorer]) -> Vec<&'static str> {
    scorers.iter().map(Scorer::name).collect()
}

/// The learned parameters of the seeded general and additive scorers.
pub fn seeded_parameters() -> Result<String> {
    let mut out = String::new();
    writeln!(out, "SplitMix64, seed {SEED}")?;
    for scorer in seeded_scorers()? {
        match scorer {
            Scorer::General(g) => {
                writeln!(out, "\ngeneral: W, shape (d_q, d_k) = (3, 3)")?;
                write!(out, "{}", fmt::matrix(g.w(), &[], &[]))?;
            }
            Scorer::Additive(a) => {
                writeln!(out, "\nadditive: W_q, shape (d_a, d_q) = (4, 3)")?;
                write!(out, "{}", fmt::matrix(a.w_q(), &[], &[]))?;
                writeln!(out, "additive: W_k, shape (d_a, d_k) = (4, 3)")?;
                write!(out, "{}", fmt::matrix(a.w_k(), &[], &[]))?;
                writeln!(out, "additive: v, shape (d_a,) = (4,)")?;
                writeln!(out, "{}", fmt::vector(a.v()))?;
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Stacks one row per scorer: row `i` is `row(scorer i)`.
fn stack(
    scorers: &[Scorer],
    width: usize,
    row: impl Fn(&Scorer) -> Result<Array1<f64>>,
) -> Result<Array2<f64>> {
    let mut out = Array2::zeros((scorers.len(), width));
    for (i, s) in scorers.iter().enumerate() {
        out.row_mut(i).assign(&row(s)?);
    }
    Ok(out)
}

/// The position of the largest entry of each row.
fn top(m: &Array2<f64>) -> Vec<usize> {
    m.rows()
        .into_iter()
        .map(|r| {
            (0..r.len())
                .fold(0, |best, j| if r[j] > r[best] { j } else { best })
        })
        .collect()
}

// ANCHOR: library_side_by_side
/// Example 1, the library search, through all five scorers: one query,
/// three keys, the same values.
pub fn library_side_by_side() -> Result<String> {
    let q = array![[1.0, 0.0, 1.0]]; // (T_q, d) = (1, 3)
    let (k, v) = library(); // (T_k, d) = (3, 3), (T_k, d_v) = (3, 3)
    let scorers = seeded_scorers()?;
    let scores = stack(&scorers, 3, |s| {
        Ok(s.scores(q.view(), k.view())?.row(0).to_owned())
    })?;
    let weights = stack(&scorers, 3, |s| {
        Ok(s.weights(q.view(), k.view())?.row(0).to_owned())
    })?;
    let outputs = weights.dot(&v); // (5, T_k) x (T_k, d_v) -> (5, d_v)
    let rows = names(&scorers);
    let keys = ["exact", "none", "partial"];
    let mut out = String::new();
    writeln!(out, "query = {}", fmt::vector(q.row(0)))?;
    writeln!(out, "\nscores:")?;
    write!(out, "{}", fmt::matrix(scores.view(), &rows, &keys))?;
    writeln!(out, "\nweights (softmax of each row):")?;
    write!(out, "{}", fmt::matrix(weights.view(), &rows, &keys))?;
    writeln!(out, "\noutput (weights x values):")?;
    write!(out, "{}", fmt::matrix(outputs.view(), &rows, &[]))?;
    writeln!(out, "\nlargest weight:")?;
    for (name, j) in rows.iter().zip(top(&weights)) {
        writeln!(out, "  {name:<10}  {}", LIBRARY_KEYS[j])?;
    }
    Ok(out)
}
// ANCHOR_END: library_side_by_side

/// Each scorer's `(T, T)` weights on the journey sentence, with every
/// embedding as its own query and key (as at Level 1, chapter 4).
///
/// # Shapes
/// - five `(name, weights)` pairs, weights `(6, 6)`
pub fn journey_weights() -> Result<Vec<(String, Array2<f64>)>> {
    let x = journey().x;
    seeded_scorers()?
        .iter()
        .map(|s| Ok((s.name().to_string(), s.weights(x.view(), x.view())?)))
        .collect()
}

// ANCHOR: journey_side_by_side
/// Example 3, "Your journey starts with one step": the token "journey"
/// scores all six embeddings with each scorer.
pub fn journey_side_by_side() -> Result<String> {
    let sentence = journey();
    let x = sentence.x; // (T, d) = (6, 3)
    let q = x.slice(s![1..2, ..]); // "journey" as the query: (1, 3)
    let scorers = seeded_scorers()?;
    let scores = stack(&scorers, 6, |s| {
        Ok(s.scores(q, x.view())?.row(0).to_owned())
    })?;
    let weights = stack(&scorers, 6, |s| {
        Ok(s.weights(q, x.view())?.row(0).to_owned())
    })?;
    let rows = names(&scorers);
    let mut out = String::new();
    writeln!(out, "query \"journey\" = {}", fmt::vector(x.row(1)))?;
    writeln!(out, "\nscores:")?;
    write!(
        out,
        "{}",
        fmt::matrix(scores.view(), &rows, &sentence.tokens)
    )?;
    writeln!(out, "\nweights:")?;
    write!(
        out,
        "{}",
        fmt::matrix(weights.view(), &rows, &sentence.tokens)
    )?;
    writeln!(
        out,
        "\nlargest weight, and how it compares with uniform 1/6:"
    )?;
    for ((name, j), row) in rows.iter().zip(top(&weights)).zip(weights.rows()) {
        writeln!(
            out,
            "  {name:<10}  {:<7}  {}  ({} x uniform)",
            sentence.tokens[j],
            fmt::num(row[j]),
            fmt::num(row[j] * 6.0)
        )?;
    }
    Ok(out)
}
// ANCHOR_END: journey_side_by_side

// ANCHOR: projected_dot
/// Chapter 5's projected dot product is a general scorer: `(x W_q) .
/// (y W_k) = x^T (W_q W_k^T) y`, with `W = W_q W_k^T`, of rank at most 2.
pub fn general_is_projected_dot() -> Result<String> {
    let x = journey().x; // (T, d_in) = (6, 3)
    let (w_q, w_k, _) = journey_projections(); // (3, 2) each
    let w = w_q.dot(&w_k.t()); // (3, 2) x (2, 3) -> (3, 3)
    let general = General::new(w.clone())?;
    let via_general = general.scores(x.view(), x.view())?; // (6, 6)
    let q = x.dot(&w_q); // (6, 3) x (3, 2) -> (6, 2)
    let k = x.dot(&w_k); // (6, 3) x (3, 2) -> (6, 2)
    let via_projections = dot(q.view(), k.view())?; // (6, 6)
    let gap = (&via_general - &via_projections)
        .iter()
        .fold(0.0_f64, |m, d| m.max(d.abs()));
    let mut out = String::new();
    writeln!(out, "W = W_q W_k^T, shape (3, 3):")?;
    write!(out, "{}", fmt::matrix(w.view(), &[], &[]))?;
    writeln!(out, "determinant of W = {}", fmt::num(det3(&w)))?;
    writeln!(
        out,
        "\n\"journey\" row, general with this W:   {}",
        fmt::vector(via_general.row(1))
    )?;
    writeln!(
        out,
        "\"journey\" row, q_2 . k_j (chapter 5): {}",
        fmt::vector(via_projections.row(1))
    )?;
    writeln!(
        out,
        "largest difference over all 36 scores: {}",
        fmt::num(gap)
    )?;
    Ok(out)
}
// ANCHOR_END: projected_dot

/// The determinant of a 3 x 3 matrix.
fn det3(m: &Array2<f64>) -> f64 {
    m[[0, 0]] * (m[[1, 1]] * m[[2, 2]] - m[[1, 2]] * m[[2, 1]])
        - m[[0, 1]] * (m[[1, 0]] * m[[2, 2]] - m[[1, 2]] * m[[2, 0]])
        + m[[0, 2]] * (m[[1, 0]] * m[[2, 1]] - m[[1, 1]] * m[[2, 0]])
}

// ANCHOR: band
/// A two-unit additive scorer built by hand: its score rises once a key
/// along `[1, 1]` is stronger than 0.5 and falls again past 1.5, so it
/// prefers keys of middling strength.
///
/// With query `[1, 1]` the hidden units see `2c - 1` and `2c - 3` for the
/// key `c [1, 1]`, and `v = [1, -1]` subtracts the second from the first.
pub fn band_scorer() -> Result<Additive> {
    Additive::new(
        array![[-0.5, -0.5], [-1.5, -1.5]], // W_q: (d_a, d_q) = (2, 2)
        array![[1.0, 1.0], [1.0, 1.0]],     // W_k: (d_a, d_k) = (2, 2)
        array![1.0, -1.0],                  // v: (d_a,) = (2,)
    )
}
// ANCHOR_END: band

/// The query of the middle-key example.
pub fn band_query() -> Array2<f64> {
    array![[1.0, 1.0]]
}

/// Keys `c [1, 1]` for each strength `c`. Shape `(len, 2)`.
pub fn band_keys(strengths: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((strengths.len(), 2), |(i, _)| strengths[i])
}

/// The scorers the middle-key example compares: dot, scaled dot, a
/// general scorer with a fixed `W`, the hand-built additive one, cosine.
pub fn band_scorers() -> Result<Vec<Scorer>> {
    Ok(vec![
        Scorer::Dot,
        Scorer::ScaledDot,
        Scorer::General(General::new(array![[0.5, 2.0], [-1.0, 1.5]])?),
        Scorer::Additive(band_scorer()?),
        Scorer::Cosine,
    ])
}

// ANCHOR: middle_key
/// Three keys on one line, the middle one exactly halfway between the
/// others: which does each scorer prefer?
pub fn middle_key() -> Result<String> {
    let strengths = [0.5, 1.0, 1.5];
    let q = band_query(); // (1, 2)
    let k = band_keys(&strengths); // (3, 2): quiet, moderate, loud
    let scorers = band_scorers()?;
    let scores = stack(&scorers, 3, |s| {
        Ok(s.scores(q.view(), k.view())?.row(0).to_owned())
    })?;
    let weights = stack(&scorers, 3, |s| {
        Ok(s.weights(q.view(), k.view())?.row(0).to_owned())
    })?;
    let rows = names(&scorers);
    let cols = ["quiet", "moderate", "loud"];
    let mut out = String::new();
    writeln!(out, "query = {}", fmt::vector(q.row(0)))?;
    for (name, row) in cols.iter().zip(k.rows()) {
        writeln!(out, "key {name:<8} = {}", fmt::vector(row))?;
    }
    writeln!(out, "\nscores:")?;
    write!(out, "{}", fmt::matrix(scores.view(), &rows, &cols))?;
    writeln!(out, "\nweights:")?;
    write!(out, "{}", fmt::matrix(weights.view(), &rows, &cols))?;
    writeln!(out, "\nmoderate minus the mean of quiet and loud:")?;
    for (name, row) in rows.iter().zip(scores.rows()) {
        let gap = row[1] - (row[0] + row[2]) / 2.0;
        writeln!(out, "  {name:<10}  {:>7}", fmt::num(gap))?;
    }
    Ok(out)
}
// ANCHOR_END: middle_key

/// The sizes the cost table is printed at.
pub const COST_T: [u64; 3] = [64, 256, 1024];

/// The width of queries and keys (and `d_a`) in the cost table.
pub const COST_D: u64 = 64;

// ANCHOR: cost_table
/// Parameters, multiply-adds and `tanh` calls of each scorer: the
/// formulas, then the counts at `d = d_a = 64` and `T_q = T_k = T`.
pub fn cost_table() -> Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "{:<11} {:<16} {:<11} multiply-adds for T_q x T_k pairs",
        "scorer", "parameters", "d_q, d_k"
    )?;
    for kind in KINDS {
        let params = match kind {
            Kind::General => "d_q d_k",
            Kind::Additive => "d_a (d_q+d_k+1)",
            _ => "0",
        };
        let widths = if kind.same_width() {
            "equal"
        } else {
            "may differ"
        };
        writeln!(
            out,
            "{:<11} {params:<16} {widths:<11} {}",
            kind.name(),
            kind.formula()
        )?;
    }
    writeln!(out, "(additive also calls tanh T_q T_k d_a times)")?;
    let d = COST_D;
    writeln!(out, "\nat d_q = d_k = d = {d}, d_a = {d}, T_q = T_k = T:")?;
    write!(out, "{:<11} {:>10}", "scorer", "parameters")?;
    for t in COST_T {
        write!(out, " {:>15}", format!("T = {t}"))?;
    }
    writeln!(out, " {:>9}", "x dot")?;
    let at = |kind, t| {
        cost(
            kind,
            Dims {
                t_q: t,
                t_k: t,
                d_q: d,
                d_k: d,
                d_a: d,
            },
        )
    };
    let last = COST_T[COST_T.len() - 1];
    let dot_last = at(Kind::Dot, last)?.multiply_adds as f64;
    for kind in KINDS {
        let c = at(kind, COST_T[0])?;
        write!(out, "{:<11} {:>10}", kind.name(), fmt::count(c.parameters))?;
        for t in COST_T {
            write!(out, " {:>15}", fmt::count(at(kind, t)?.multiply_adds))?;
        }
        let ratio = at(kind, last)?.multiply_adds as f64 / dot_last;
        writeln!(out, " {:>9}", fmt::num(ratio))?;
    }
    write!(out, "{:<11} {:>10}", "tanh calls", "")?;
    for t in COST_T {
        write!(out, " {:>15}", fmt::count(at(Kind::Additive, t)?.tanh))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "(x dot: multiply-adds over the dot product's, at T = {last})"
    )?;
    Ok(out)
}
// ANCHOR_END: cost_table

/// Which scorers accept queries and keys of different widths, and the
/// errors the others give.
pub fn widths_and_errors() -> Result<String> {
    let mut rng = SplitMix64::new(SEED);
    let q = rng.normal_matrix(2, 3); // (T_q, d_q) = (2, 3)
    let k = rng.normal_matrix(4, 5); // (T_k, d_k) = (4, 5)
    let scorers = [
        Scorer::Dot,
        Scorer::ScaledDot,
        Scorer::General(General::random(3, 5, &mut rng)?),
        Scorer::Additive(Additive::random(3, 5, D_A, &mut rng)?),
        Scorer::Cosine,
    ];
    let mut out = String::new();
    writeln!(out, "queries (2, 3) against keys (4, 5):")?;
    for s in &scorers {
        match s.scores(q.view(), k.view()) {
            Ok(scores) => writeln!(
                out,
                "  {:<10}  ok, scores of shape {}",
                s.name(),
                attn_common::check::shape(&scores)
            )?,
            Err(e) => {
                writeln!(out, "  {:<10}  error:", s.name())?;
                write!(out, "{}", wrap(&e.to_string(), "    ", 72))?;
            }
        }
    }
    writeln!(out, "\na zero key under cosine:")?;
    let zero = array![[1.0, 0.0], [0.0, 0.0]];
    if let Err(e) = cosine(array![[1.0, 1.0]].view(), zero.view()) {
        writeln!(out, "  error:")?;
        write!(out, "{}", wrap(&e.to_string(), "    ", 72))?;
    }
    Ok(out)
}

/// Breaks `text` into lines of at most `width` characters (a longer word
/// gets a line of its own), each starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && indent.len() + line.len() + 1 + word.len() > width
        {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_keeps_the_indent() {
        let text = wrap("aaa bbb ccc ddd", "  ", 9);
        assert_eq!(text, "  aaa bbb\n  ccc ddd\n");
        // A word longer than the line gets a line of its own.
        assert_eq!(wrap("abcdefghij x", "", 5), "abcdefghij\nx\n");
    }

    #[test]
    fn the_seeded_scorers_come_in_the_printed_order() {
        let names: Vec<_> =
            seeded_scorers().unwrap().iter().map(Scorer::name).collect();
        assert_eq!(
            names,
            ["dot", "scaled dot", "general", "additive", "cosine"]
        );
    }
}
