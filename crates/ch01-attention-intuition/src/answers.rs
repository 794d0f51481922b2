//! The numbers of the worked answers to chapter 1's thinking exercises.
//! Each function returns the exact text an answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::worked::{STORY_FACTS, story_memory};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{Array2, array};
use std::fmt::Write as _;

/// Exercise 1.4: the query that marks only *danger*, `[0, 0, 1, 0, 0]`,
/// read softly and exactly from the story memory.
///
/// # Shapes
/// - the query is `(d_k,)` = `(5,)`; the table has one row per fact
pub fn danger_query() -> Result<String> {
    let memory = story_memory()?;
    let query = array![0.0, 0.0, 1.0, 0.0, 0.0];
    let soft = memory.soft_read(query.view())?;
    let hard = memory.hard_lookup(query.view())?;
    let mut out = String::new();
    writeln!(out, "query (danger only) = {}", fmt::vector(query.view()))?;
    let mut m = Array2::zeros((STORY_FACTS.len(), 2));
    m.column_mut(0).assign(&soft.scores);
    m.column_mut(1).assign(&soft.weights);
    writeln!(out, "\nper fact:")?;
    out += &fmt::matrix(m.view(), &STORY_FACTS, &["score", "soft weight"]);
    let e = std::f64::consts::E;
    writeln!(out, "\ne / (2e + 3) = {}", fmt::num(e / (2.0 * e + 3.0)))?;
    writeln!(out, "1 / (2e + 3) = {}", fmt::num(1.0 / (2.0 * e + 3.0)))?;
    writeln!(
        out,
        "soft read (hope, dread) = {}",
        fmt::vector(soft.output.view())
    )?;
    let found = match hard {
        Some(hit) => format!("found `{}`", memory.names()[hit.index]),
        None => "no stored key equals this query".to_string(),
    };
    writeln!(out, "exact lookup: {found}")?;
    Ok(out)
}
