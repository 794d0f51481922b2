//! Chapter 4's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 4.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch04-self-attention --test exercises`, or one
//! exercise's with `cargo test -p ch04-self-attention --test exercises
//! ex_4_1`. Grading runs further checks on inputs you do not see.
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

use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::{Array1, ArrayView2};

/// Exercise 4.1: the context vector of token `i` with explicit loops.
///
/// Compute the scores `x_i . x_j` for every token `j`, turn them into
/// weights with chapter 3's `softmax`, and return `sum_j w_j x_j`. Use
/// plain `for` loops and indexing (`x[[j, c]]`): no `dot`, no matrix
/// products. Return an error if `x` is empty or non-finite, or if `i` is
/// not a row of `x`; the error names the shape of `x`.
///
/// # Shapes
/// - `x`: `(T, d_in)`, `i < T` -> `(d_in,)`
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn context_by_loops(x: ArrayView2<f64>, i: usize) -> Result<Array1<f64>> {
    // TODO(ex 4.1): loop over the tokens to get the scores, softmax them,
    // then loop again to add up w_j * x_j. For x = [[1, 0], [0, 1]] and
    // i = 0: scores [1, 0], weights [0.7311, 0.2689],
    // context [0.7311, 0.2689].
    // SOLUTION-START(ex 4.1)
    check::usable("x", &x)?;
    let (t, d_in) = x.dim();
    ensure!(
        i < t,
        "query index {i} is out of range for `x` with shape {}",
        check::shape(&x)
    );
    let mut scores = Array1::zeros(t);
    for j in 0..t {
        for c in 0..d_in {
            scores[j] += x[[i, c]] * x[[j, c]];
        }
    }
    let weights = softmax(scores.view())?;
    let mut context = Array1::zeros(d_in);
    for j in 0..t {
        for c in 0..d_in {
            context[c] += weights[j] * x[[j, c]];
        }
    }
    Ok(context)
    // SOLUTION-END
}

/// Exercise 4.2: for each token, the *other* token it attends to most.
///
/// `weights` is a square attention matrix (row = query, column = key).
/// For each row `i`, return the column `j != i` with the largest weight;
/// on a tie, the smallest such `j`. Return an error if `weights` is not
/// square, has fewer than 2 rows, or holds a non-finite value; the error
/// names the shape of `weights`.
///
/// # Shapes
/// - `weights`: `(T, T)` with `T >= 2` -> `T` indices
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn most_attended(weights: ArrayView2<f64>) -> Result<Vec<usize>> {
    // TODO(ex 4.2): skip the diagonal and take the arg-max of each row.
    // For weights [[0.5, 0.2, 0.3], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]
    // the answer is [2, 0, 0].
    // SOLUTION-START(ex 4.2)
    check::usable("weights", &weights)?;
    let (rows, cols) = weights.dim();
    ensure!(
        rows == cols && rows >= 2,
        "`weights` with shape {} must be square with at least 2 tokens",
        check::shape(&weights)
    );
    let mut best = Vec::with_capacity(rows);
    for (i, row) in weights.rows().into_iter().enumerate() {
        // Start from the first other token, so ties keep the smaller index.
        let mut top = if i == 0 { 1 } else { 0 };
        for (j, &w) in row.iter().enumerate() {
            if j != i && w > row[top] {
                top = j;
            }
        }
        best.push(top);
    }
    Ok(best)
    // SOLUTION-END
}

/// Exercise 4.3: the longest sequence whose `f32` score matrix fits in
/// `budget_bytes` bytes.
///
/// A `(T, T)` matrix of `f32` takes `4 * T * T` bytes. Return the largest
/// `T` with `4 * T * T <= budget_bytes`. Work in integers: a floating-point
/// square root can be off by one for large budgets.
///
/// # Shapes
/// - the score matrix is `(T, T)`
///
/// # Grading
/// Your answer must equal the reference answer exactly.
pub fn max_tokens_for_budget(budget_bytes: u64) -> u64 {
    // TODO(ex 4.3): invert bytes = 4 * T^2. For 400 bytes the answer is
    // 10 (4 * 100 = 400); for 399 bytes it is 9.
    // SOLUTION-START(ex 4.3)
    // 4 T^2 <= B  <=>  T^2 <= floor(B / 4), since T^2 is an integer.
    (budget_bytes / 4).isqrt()
    // SOLUTION-END
}
