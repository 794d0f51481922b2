//! Chapter 5's exercises. Each function states its task in its
//! documentation and in a `TODO(ex 5.N)` comment with a small example.
//!
//! The visible tests are in `tests/exercises.rs`. Run them all with
//! `cargo test -p ch05-trainable-weights --test exercises`, or one
//! exercise's with `cargo test -p ch05-trainable-weights --test exercises
//! ex_5_1`. Grading runs further checks on inputs you do not see.
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
use attn_common::rng::SplitMix64;
use ndarray::{Array1, ArrayView1, ArrayView2};

// ANCHOR: ex_5_1
/// Exercise 5.1: the scaled scores of one query, with plain loops.
///
/// Score `j` is `(q . k_j) / sqrt(d_k)`, where `k_j` is row `j` of `keys`
/// and `d_k` is the width of the query. Write the dot product yourself,
/// with two nested loops (no `dot`), so every multiplication is visible.
///
/// # Shapes
/// - `query`: `(d_k,)`, `keys`: `(T, d_k)` -> `(T,)`
///
/// # Errors
/// An empty or non-finite input (the error names its shape), or a query
/// whose width differs from the keys' width (the error names both
/// shapes).
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn scaled_scores(
    query: ArrayView1<f64>,
    keys: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 5.1): check both inputs with `check::usable` and their widths
    // with `check::same_len`, then loop over the keys and, inside, over the
    // d_k features. query [1, 0], keys [[1, 0], [0, 1], [1, 1]]
    // -> [0.7071, 0, 0.7071] (that is, 1/sqrt(2), 0, 1/sqrt(2)).
    // SOLUTION-START(ex 5.1)
    check::usable("query", &query)?;
    check::usable("keys", &keys)?;
    check::same_len(
        "the query's width and the keys' width (d_k)",
        ("query", query.len(), &check::shape(&query)),
        ("keys", keys.ncols(), &check::shape(&keys)),
    )?;
    let d_k = query.len();
    let scale = 1.0 / (d_k as f64).sqrt();
    let mut scores = Array1::zeros(keys.nrows());
    for j in 0..keys.nrows() {
        let mut total = 0.0;
        for c in 0..d_k {
            total += query[c] * keys[[j, c]];
        }
        scores[j] = total * scale;
    }
    Ok(scores)
    // SOLUTION-END
}
// ANCHOR_END: ex_5_1

/// Exercise 5.2: estimate the variance of `q . k` when every entry of `q`
/// and `k` is normal with mean 0 and standard deviation `std_dev`.
///
/// Seed a [`SplitMix64`] with `seed`. For each of `pairs` pairs, draw the
/// `d_k` entries of `q`, then the `d_k` entries of `k`, each as
/// `std_dev * rng.normal()`, and record `q . k`. Return the variance of
/// the recorded dot products around their mean, dividing by `pairs`.
///
/// With `std_dev = 1` this draws exactly what
/// [`crate::scaling::score_variance`] draws from a generator freshly
/// seeded with `seed`, so the two agree up to rounding (grading compares
/// your answer with the reference's for the same arguments, within a
/// relative `1e-9`). Do not expect the chapter's table, though: it draws
/// every width from one generator in turn, so each row starts where the
/// previous width stopped, not at a fresh seed. Theory says the answer is
/// close to `d_k * std_dev^4`.
///
/// # Errors
/// `d_k` of 0, fewer than 2 pairs, or a `std_dev` that is not a finite
/// positive number.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-12 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn dot_product_variance(
    d_k: usize,
    std_dev: f64,
    pairs: usize,
    seed: u64,
) -> Result<f64> {
    // TODO(ex 5.2): check the arguments (see # Errors), draw the pairs in
    // the order described above, and return the variance of the dot
    // products. d_k = 64, std_dev = 1, 2000 pairs: about 64; d_k = 64,
    // std_dev = 0.5: about 64 * 0.0625 = 4.
    // SOLUTION-START(ex 5.2)
    ensure!(d_k > 0, "d_k must be at least 1, got 0");
    ensure!(pairs >= 2, "a variance needs at least 2 pairs, got {pairs}");
    ensure!(
        std_dev.is_finite() && std_dev > 0.0,
        "std_dev must be a finite number above 0, got {std_dev}"
    );
    let mut rng = SplitMix64::new(seed);
    let mut dots = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let q: Vec<f64> = (0..d_k).map(|_| std_dev * rng.normal()).collect();
        let k: Vec<f64> = (0..d_k).map(|_| std_dev * rng.normal()).collect();
        dots.push(q.iter().zip(&k).map(|(a, b)| a * b).sum::<f64>());
    }
    let n = pairs as f64;
    let mean = dots.iter().sum::<f64>() / n;
    Ok(dots.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n)
    // SOLUTION-END
}

/// Exercise 5.3: how many numbers a [`crate::SelfAttention`] layer learns.
///
/// The layer has three projections of shape `(d_in, d_out)`. Some layers
/// also add a learned bias vector of length `d_out` after each projection
/// (`Q = X W_q + b_q`, and likewise for keys and values); count those too
/// when `bias` is true.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
pub fn parameter_count(d_in: usize, d_out: usize, bias: bool) -> usize {
    // TODO(ex 5.3): three weight matrices, plus three bias vectors if
    // `bias`. (3, 2, false) -> 18; (3, 2, true) -> 24.
    // SOLUTION-START(ex 5.3)
    let per_projection = d_in * d_out + if bias { d_out } else { 0 };
    3 * per_projection
    // SOLUTION-END
}
