//! Chapter 1's code exercises. Each function states its task in its
//! documentation and in a `TODO(ex 1.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch01-attention-intuition --test exercises`, or one
//! exercise's with `cargo test -p ch01-attention-intuition --test
//! exercises ex_1_1`. Grading runs further checks on inputs you do not
//! see.
//!
//! # How your answers are graded
//! The same rules hold in every chapter; each exercise's `# Grading`
//! section gives its tolerance.
//! - Your answers are compared with the reference answers: exactly, or
//!   within the relative tolerance the exercise states (a difference is
//!   also accepted when it is that fraction of the answer's largest
//!   entry, so rounding noise in a tiny entry next to large ones passes).
//!   NaN never matches a number, and shapes must match exactly.
//! - A refusal is an `Err`; a panic is not a refusal. Where an
//!   exercise's documentation says that the error names shapes or values,
//!   the message must contain them. A shape may be written `(2, 3)`, `[2, 3]`, `(2,3)` or `2x3`,
//!   and a one-dimensional shape `(2,)`, `[2]` or plain `2`; a number
//!   must stand alone (`5`, not inside `15`); other words as the
//!   documentation gives them, in any case and spacing.
//! - Refusing bad input and keeping a property earn points only once
//!   your answers match the reference on real cases: answers of zeros,
//!   constants or uniform weights earn nothing, however well they refuse.

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
/// wrong width; the error names the query's shape (and, for a wrong
/// width, the keys' shape).
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
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
/// As [`Memory::scores`] (the error names the query's shape), and a
/// temperature that is not a finite number above 0 (the error says
/// `temperature`).
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
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
