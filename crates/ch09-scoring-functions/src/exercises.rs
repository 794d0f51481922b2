//! Chapter 9's exercises. Each function states its task; the reference
//! solution sits between the `SOLUTION-START` and `SOLUTION-END` markers, and
//! `tests/exercises.rs` checks it:
//! `cargo test -p ch09-scoring-functions --test exercises`.
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

use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array1, ArrayView1, ArrayView2};

// ANCHOR: ex_9_1
/// Exercise 9.1: the additive (Bahdanau) scores of one query, with loops.
///
/// Score `j` is `v . tanh(W_q q + W_k k_j)`, where `k_j` is row `j` of
/// `keys`. Compute `W_q q` once, then for each key compute `W_k k_j`, add
/// the two, take `tanh` of every entry and take the dot product with `v`.
///
/// # Shapes
/// - `query`: `(d_q,)`, `keys`: `(T, d_k)`, `w_q`: `(d_a, d_q)`,
///   `w_k`: `(d_a, d_k)`, `v`: `(d_a,)` -> `(T,)`
///
/// # Errors
/// An empty or non-finite input, or any two widths that disagree: the
/// query's width and the columns of `w_q`, the keys' width and the columns
/// of `w_k`, or `d_a` in `w_q`, `w_k` and `v`. The error names both shapes.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn additive_scores(
    query: ArrayView1<f64>,
    keys: ArrayView2<f64>,
    w_q: ArrayView2<f64>,
    w_k: ArrayView2<f64>,
    v: ArrayView1<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 9.1): check the inputs with `check::usable` and the widths
    // with `check::same_len`, then loop. query [1, 0], keys [[0, 1]],
    // w_q [[1, 0]], w_k [[0, 1]], v [2] -> [2 tanh(1 + 1)] = [1.9281].
    // SOLUTION-START(ex 9.1)
    check::usable("query", &query)?;
    check::usable("keys", &keys)?;
    check::usable("w_q", &w_q)?;
    check::usable("w_k", &w_k)?;
    check::usable("v", &v)?;
    check::same_len(
        "the query's width and the columns of w_q (d_q)",
        ("query", query.len(), &check::shape(&query)),
        ("w_q", w_q.ncols(), &check::shape(&w_q)),
    )?;
    check::same_len(
        "the keys' width and the columns of w_k (d_k)",
        ("keys", keys.ncols(), &check::shape(&keys)),
        ("w_k", w_k.ncols(), &check::shape(&w_k)),
    )?;
    check::same_len(
        "the hidden widths (d_a) of w_q and w_k",
        ("w_q", w_q.nrows(), &check::shape(&w_q)),
        ("w_k", w_k.nrows(), &check::shape(&w_k)),
    )?;
    check::same_len(
        "the hidden widths (d_a) of w_q and v",
        ("w_q", w_q.nrows(), &check::shape(&w_q)),
        ("v", v.len(), &check::shape(&v)),
    )?;
    let d_a = v.len();
    let mut pq = vec![0.0; d_a];
    for u in 0..d_a {
        for c in 0..query.len() {
            pq[u] += w_q[[u, c]] * query[c];
        }
    }
    let mut scores = Array1::zeros(keys.nrows());
    for j in 0..keys.nrows() {
        let mut total = 0.0;
        for u in 0..d_a {
            let mut pk = 0.0;
            for c in 0..keys.ncols() {
                pk += w_k[[u, c]] * keys[[j, c]];
            }
            total += v[u] * (pq[u] + pk).tanh();
        }
        scores[j] = total;
    }
    Ok(scores)
    // SOLUTION-END
}
// ANCHOR_END: ex_9_1

/// Exercise 9.2: the multiply-adds a scorer spends on `t_q x t_k` pairs.
///
/// `scorer` is one of `"dot"`, `"scaled_dot"`, `"general"`, `"additive"`
/// and `"cosine"`. Count as the chapter does: a multiplication followed
/// by an addition is one multiply-add, and a lone multiplication or
/// division is one too; plain additions, square roots and `tanh` are not
/// counted. Work as the chapter's scorers do: scaled dot multiplies each
/// score by `1/sqrt(d)`; general projects each query through `W` first;
/// additive projects each query and each key once, then spends `d_a` on
/// every pair; cosine divides each query and each key by its length (one
/// dot product with itself, then `d` divisions) before the dot products.
/// `d_a` is used by the additive scorer only. The sizes are small enough
/// that no count overflows a `u64`.
///
/// # Errors
/// An unknown scorer, or `d_q != d_k` for dot, scaled dot or cosine.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn multiply_adds(
    scorer: &str,
    t_q: u64,
    t_k: u64,
    d_q: u64,
    d_k: u64,
    d_a: u64,
) -> Result<u64> {
    // TODO(ex 9.2): one formula per scorer. ("dot", 2, 3, 4, 4, 0) -> 24;
    // ("general", 2, 3, 4, 5, 0) -> 2*4*5 + 2*3*5 = 70.
    // SOLUTION-START(ex 9.2)
    let one_width = matches!(scorer, "dot" | "scaled_dot" | "cosine");
    if one_width && d_q != d_k {
        bail!(
            "{scorer} needs queries and keys of one width, but d_q = {d_q} \
             and d_k = {d_k}"
        );
    }
    let pairs = t_q * t_k;
    Ok(match scorer {
        "dot" => pairs * d_q,
        "scaled_dot" => pairs * d_q + pairs,
        "general" => t_q * d_q * d_k + pairs * d_k,
        "additive" => (t_q * d_q + t_k * d_k) * d_a + pairs * d_a,
        "cosine" => pairs * d_q + 2 * (t_q + t_k) * d_q,
        other => bail!(
            "unknown scorer `{other}`: expected dot, scaled_dot, general, \
             additive or cosine"
        ),
    })
    // SOLUTION-END
}

/// Exercise 9.3: the cosine similarity of one query with every key.
///
/// Score `j` is `(q . k_j) / (|q| |k_j|)`, where `|x|` is the length
/// `sqrt(x . x)`.
///
/// # Shapes
/// - `query`: `(d,)`, `keys`: `(T, d)` -> `(T,)`, every entry in `[-1, 1]`
///
/// # Errors
/// An empty or non-finite input (naming its shape), a query whose width
/// differs from the keys' (naming both shapes), or a query or key of
/// length 0.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn cosine_scores(
    query: ArrayView1<f64>,
    keys: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    // TODO(ex 9.3): check, then divide each dot product by both lengths.
    // query [1, 0], keys [[2, 0], [1, 1], [0, 3]] -> [1, 0.7071, 0].
    // SOLUTION-START(ex 9.3)
    check::usable("query", &query)?;
    check::usable("keys", &keys)?;
    check::same_len(
        "the query's width and the keys' width",
        ("query", query.len(), &check::shape(&query)),
        ("keys", keys.ncols(), &check::shape(&keys)),
    )?;
    let q_len = query.dot(&query).sqrt();
    if q_len == 0.0 {
        bail!(
            "`query` with shape {} has length 0: its cosine is undefined",
            check::shape(&query)
        );
    }
    let mut scores = Array1::zeros(keys.nrows());
    for (j, key) in keys.rows().into_iter().enumerate() {
        let k_len = key.dot(&key).sqrt();
        if k_len == 0.0 {
            bail!(
                "row {j} of `keys` with shape {} has length 0: its cosine \
                 is undefined",
                check::shape(&keys)
            );
        }
        scores[j] = query.dot(&key) / (q_len * k_len);
    }
    Ok(scores)
    // SOLUTION-END
}
