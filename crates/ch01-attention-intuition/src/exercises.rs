//! Chapter 1's code exercises. Each function states its task in its
//! documentation and in a `TODO(ex 1.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch01-attention-intuition --test exercises`, or one
//! exercise's with `cargo test -p ch01-attention-intuition --test
//! exercises ex_1_1`. Grading runs further checks on inputs you do not
//! see.

use crate::memory::{Memory, SoftRead};
use anyhow::{Result, ensure};
use ch03_queries_keys_values::softmax::softmax;
use ndarray::ArrayView1;

/// Exercise 1.1: a forgiving lookup that returns the row of the key with
/// the highest score against the query, instead of demanding an exact
/// match. On a tie the first such row wins.
///
/// # Shapes
/// - `query`: `(d_k,)`; returns a row index in `0..T`
///
/// # Errors
/// As [`Memory::scores`]: an empty or non-finite query, or one of the
/// wrong width.
pub fn nearest_lookup(
    memory: &Memory,
    query: ArrayView1<f64>,
) -> Result<usize> {
    // TODO(ex 1.1): score every key with `memory.scores(query)?` and
    // return the index of the largest score (the first one on a tie).
    // Example: the story memory and the nudged query
    // [0, 1, 0.1, 1, 0] -> 3 (Aragorn's lineage).
    // SOLUTION-START(ex 1.1)
    let scores = memory.scores(query)?;
    let mut best = 0;
    for (i, &score) in scores.iter().enumerate() {
        if score > scores[best] {
            best = i;
        }
    }
    Ok(best)
    // SOLUTION-END
}

/// Exercise 1.2: a soft read whose weights are `softmax(scores / tau)`
/// for a temperature `tau > 0`. A temperature below 1 sharpens the
/// weights, above 1 flattens them. The returned `scores` are the divided
/// ones.
///
/// # Shapes
/// - `query`: `(d_k,)`
/// - returns scores `(T,)`, weights `(T,)` and output `(d_v,)`
///
/// # Errors
/// As [`Memory::scores`], and a temperature that is not a finite number
/// above 0.
pub fn soft_read_with_temperature(
    memory: &Memory,
    query: ArrayView1<f64>,
    temperature: f64,
) -> Result<SoftRead> {
    // TODO(ex 1.2): check the temperature, divide the scores by it, take
    // the softmax and blend the values as `Memory::soft_read` does.
    // Example: the story memory, Gollum's key [0, 1, 0, 0, 1] and
    // temperature 0.25 -> the same weights as the query 4 x Gollum's key
    // (Gollum 0.9640).
    // SOLUTION-START(ex 1.2)
    ensure!(
        temperature.is_finite() && temperature > 0.0,
        "temperature must be a finite number above 0, got {temperature}"
    );
    let scores = memory.scores(query)? / temperature;
    let weights = softmax(scores.view())?;
    let output = weights.dot(&memory.values()); // (T,) x (T, d_v) -> (d_v,)
    Ok(SoftRead {
        scores,
        weights,
        output,
    })
    // SOLUTION-END
}
