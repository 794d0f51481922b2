//! The worked examples chapter 1 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::memory::{HardRead, Memory, SoftRead};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{Array1, Array2, ArrayView1, array};
use std::fmt::Write as _;

/// The hand-made features of a key, in column order.
pub const KEY_FEATURES: [&str; 5] =
    ["place", "person", "danger", "lineage", "ring"];

/// The hand-made features of a value, in column order.
pub const VALUE_FEATURES: [&str; 2] = ["hope", "dread"];

/// The remembered facts, in row order.
pub const STORY_FACTS: [&str; 5] = [
    "Rivendell",
    "Gollum",
    "the Ring",
    "Aragorn's lineage",
    "Moria",
];

/// Row of Gollum in [`STORY_FACTS`].
pub const GOLLUM: usize = 1;
/// Row of the Ring in [`STORY_FACTS`].
pub const RING: usize = 2;
/// Row of Aragorn's lineage in [`STORY_FACTS`].
pub const ARAGORN: usize = 3;

/// How strongly the sharpness example multiplies its query.
pub const SHARPNESS: [f64; 5] = [0.0, 1.0, 2.0, 4.0, 8.0];

// ANCHOR: story_memory
/// Five things a reader of The Lord of the Rings remembers.
///
/// The features are made by hand, for people to read: a key marks what a
/// fact is about (two features each), a value says how recalling it
/// colours the page being read. A trained model learns its own features,
/// and they rarely have names.
///
/// # Shapes
/// - keys `(5, 5)` (`T = 5`, `d_k = 5`), values `(5, 2)` (`d_v = 2`)
pub fn story_memory() -> Result<Memory> {
    //            place person danger lineage ring
    let keys = array![
        [1.0, 0.0, 0.0, 1.0, 0.0], // Rivendell
        [0.0, 1.0, 0.0, 0.0, 1.0], // Gollum
        [0.0, 0.0, 1.0, 0.0, 1.0], // the Ring
        [0.0, 1.0, 0.0, 1.0, 0.0], // Aragorn's lineage
        [1.0, 0.0, 1.0, 0.0, 0.0], // Moria
    ];
    //             hope dread
    let values = array![
        [0.9, 0.1], // Rivendell
        [0.4, 0.8], // Gollum
        [0.1, 1.0], // the Ring
        [1.0, 0.2], // Aragorn's lineage
        [0.2, 0.9], // Moria
    ];
    Memory::new(&STORY_FACTS, keys, values)
}
// ANCHOR_END: story_memory

/// The query halfway between Gollum's key and the Ring's key.
///
/// # Shapes
/// - returns `(d_k,)` = `(5,)`
pub fn between_gollum_and_ring(memory: &Memory) -> Array1<f64> {
    let keys = memory.keys();
    (&keys.row(GOLLUM) + &keys.row(RING)) * 0.5
}

/// Aragorn's key with a little danger added: no stored key equals it.
///
/// # Shapes
/// - returns `(d_k,)` = `(5,)`
pub fn aragorn_nudged(memory: &Memory) -> Array1<f64> {
    let mut query = memory.keys().row(ARAGORN).to_owned();
    query[2] += 0.1; // the "danger" feature
    query
}

/// One row per query, labelled, under the key features.
fn queries_table(rows: &[(&str, ArrayView1<f64>)]) -> String {
    let labels: Vec<&str> = rows.iter().map(|(label, _)| *label).collect();
    let mut m = Array2::zeros((rows.len(), KEY_FEATURES.len()));
    for (i, (_, q)) in rows.iter().enumerate() {
        m.row_mut(i).assign(q);
    }
    fmt::matrix(m.view(), &labels, &KEY_FEATURES)
}

/// Reads as rows under the value features.
fn reads_table(rows: &[(&str, ArrayView1<f64>)]) -> String {
    let labels: Vec<&str> = rows.iter().map(|(label, _)| *label).collect();
    let mut m = Array2::zeros((rows.len(), VALUE_FEATURES.len()));
    for (i, (_, r)) in rows.iter().enumerate() {
        m.row_mut(i).assign(r);
    }
    fmt::matrix(m.view(), &labels, &VALUE_FEATURES)
}

/// Columns of numbers, one row per remembered fact.
fn per_fact_table(columns: &[(&str, ArrayView1<f64>)]) -> String {
    let labels: Vec<&str> = columns.iter().map(|(label, _)| *label).collect();
    let mut m = Array2::zeros((STORY_FACTS.len(), columns.len()));
    for (j, (_, c)) in columns.iter().enumerate() {
        m.column_mut(j).assign(c);
    }
    fmt::matrix(m.view(), &STORY_FACTS, &labels)
}

/// What the exact lookup says, in words.
fn describe(memory: &Memory, hard: &Option<HardRead>) -> String {
    match hard {
        Some(hit) => format!("found `{}`", memory.names()[hit.index]),
        None => "no stored key equals this query".to_string(),
    }
}

/// The story memory itself: every key and every value.
pub fn story_memory_table() -> Result<String> {
    let memory = story_memory()?;
    let mut out = String::new();
    writeln!(out, "keys (what each fact is about):")?;
    out += &fmt::matrix(memory.keys(), &STORY_FACTS, &KEY_FEATURES);
    writeln!(out, "\nvalues (how recalling it colours the page):")?;
    out += &fmt::matrix(memory.values(), &STORY_FACTS, &VALUE_FEATURES);
    Ok(out)
}

/// A query that equals Gollum's key, read softly and exactly.
pub fn exact_query() -> Result<String> {
    let memory = story_memory()?;
    let query = memory.keys().row(GOLLUM).to_owned();
    let soft: SoftRead = memory.soft_read(query.view())?;
    let hard = memory.hard_lookup(query.view())?;
    let mut out = String::new();
    out += &queries_table(&[("query", query.view())]);
    writeln!(out, "\nexact lookup: {}", describe(&memory, &hard))?;
    let Some(hard) = hard else {
        anyhow::bail!("Gollum's own key must be found");
    };
    writeln!(out, "\nper fact:")?;
    out += &per_fact_table(&[
        ("score", soft.scores.view()),
        ("soft weight", soft.weights.view()),
        ("hard weight", hard.weights.view()),
    ]);
    writeln!(out, "\nwhat is read:")?;
    out += &reads_table(&[
        ("soft read", soft.output.view()),
        ("hard read", hard.output.view()),
    ]);
    Ok(out)
}

/// A query halfway between Gollum and the Ring: the exact lookup fails,
/// the soft read blends.
pub fn between_query() -> Result<String> {
    let memory = story_memory()?;
    let query = between_gollum_and_ring(&memory);
    let soft = memory.soft_read(query.view())?;
    let sharp = memory.soft_read((&query * 4.0).view())?;
    let hard = memory.hard_lookup(query.view())?;
    let mut out = String::new();
    out += &queries_table(&[("query", query.view())]);
    writeln!(out, "\nexact lookup: {}", describe(&memory, &hard))?;
    writeln!(out, "\nper fact (last column: the query multiplied by 4):")?;
    out += &per_fact_table(&[
        ("score", soft.scores.view()),
        ("soft weight", soft.weights.view()),
        ("4 x query", sharp.weights.view()),
    ]);
    writeln!(out, "\nwhat is read:")?;
    out += &reads_table(&[
        ("soft read", soft.output.view()),
        ("soft read, 4 x query", sharp.output.view()),
    ]);
    Ok(out)
}

/// Aragorn's key, exactly and with a small nudge: the exact lookup falls
/// off a cliff, the soft read hardly moves.
pub fn near_miss() -> Result<String> {
    let memory = story_memory()?;
    let exact = memory.keys().row(ARAGORN).to_owned();
    let nudged = aragorn_nudged(&memory);
    let mut out = String::new();
    out += &queries_table(&[
        ("exact query", exact.view()),
        ("nudged query", nudged.view()),
    ]);
    out.push('\n');
    for (label, query) in [("exact", &exact), ("nudged", &nudged)] {
        let hard = memory.hard_lookup(query.view())?;
        let said = describe(&memory, &hard);
        writeln!(out, "exact lookup, {label} query: {said}")?;
    }
    let a = memory.soft_read(exact.view())?;
    let b = memory.soft_read(nudged.view())?;
    writeln!(out, "\nsoft weights per fact:")?;
    out += &per_fact_table(&[
        ("exact query", a.weights.view()),
        ("nudged query", b.weights.view()),
    ]);
    writeln!(out, "\nwhat the soft read returns:")?;
    out += &reads_table(&[
        ("exact query", a.output.view()),
        ("nudged query", b.output.view()),
    ]);
    Ok(out)
}

/// Gollum's key multiplied by `s`: the louder the query, the closer the
/// soft weights come to the exact lookup's one-hot weights.
pub fn sharpness() -> Result<String> {
    let memory = story_memory()?;
    let key = memory.keys().row(GOLLUM).to_owned();
    let labels: Vec<String> =
        SHARPNESS.iter().map(|s| format!("s = {s}")).collect();
    let mut weights = Array2::zeros((STORY_FACTS.len(), SHARPNESS.len() + 1));
    let mut reads = Array2::zeros((VALUE_FEATURES.len(), SHARPNESS.len() + 1));
    for (j, &s) in SHARPNESS.iter().enumerate() {
        let read = memory.soft_read((&key * s).view())?;
        weights.column_mut(j).assign(&read.weights);
        reads.column_mut(j).assign(&read.output);
    }
    let Some(hard) = memory.hard_lookup(key.view())? else {
        anyhow::bail!("Gollum's own key must be found");
    };
    weights.column_mut(SHARPNESS.len()).assign(&hard.weights);
    reads.column_mut(SHARPNESS.len()).assign(&hard.output);
    let mut columns: Vec<&str> = labels.iter().map(String::as_str).collect();
    columns.push("hard");
    let mut out = String::new();
    writeln!(out, "query = s x Gollum's key {}", fmt::vector(key.view()))?;
    writeln!(out, "\nweight per fact:")?;
    out += &fmt::matrix(weights.view(), &STORY_FACTS, &columns);
    writeln!(out, "\nwhat is read:")?;
    out += &fmt::matrix(reads.view(), &VALUE_FEATURES, &columns);
    Ok(out)
}
