//! Chapter 13's exercises. Each function has a `TODO(ex 13.N)` with a small
//! example; the reference solution sits between the `SOLUTION` markers.
//! Replace it with `todo!()` to try the exercise yourself, and run
//! `cargo test -p ch13-cost-of-attention --test exercises`.
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

use anyhow::{Result, anyhow, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::check_qkv;
use ndarray::{Array2, ArrayView1, ArrayView2, s};

/// Exercise 13.1: the multiply-adds of naive attention for `t_q` queries
/// and `t_k` keys of width `d_k`, with values of width `d_v`: the score
/// matrix `Q K^T` and the weighted sum of the values, counted together
/// (the softmax's exponentials are not multiply-adds and are left out).
///
/// # Shapes
/// - `Q`: `(T_q, d_k)`, `K`: `(T_k, d_k)`, `V`: `(T_k, d_v)`
///
/// # Errors
/// Any size equal to 0, or a count too large for a `u64`.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn naive_multiply_adds(
    t_q: u64,
    t_k: u64,
    d_k: u64,
    d_v: u64,
) -> Result<u64> {
    // TODO(ex 13.1): count the multiply-adds of Q K^T and of weights x V.
    // Example: t_q = 2, t_k = 3, d_k = 4, d_v = 5 -> 2*3*4 + 2*3*5 = 54.
    // SOLUTION-START(ex 13.1)
    ensure!(
        t_q > 0 && t_k > 0 && d_k > 0 && d_v > 0,
        "every size must be at least 1, got (t_q, t_k, d_k, d_v) = \
         ({t_q}, {t_k}, {d_k}, {d_v})"
    );
    let too_big = || anyhow!("the count does not fit in a u64");
    let pairs = t_q.checked_mul(t_k).ok_or_else(too_big)?;
    let width = d_k.checked_add(d_v).ok_or_else(too_big)?;
    pairs.checked_mul(width).ok_or_else(too_big)
    // SOLUTION-END
}

/// Exercise 13.2: the bytes of a key-value cache after `t` tokens, for a
/// model of `n_layers` layers with `n_kv_heads` key-value heads of width
/// `d_head` each, storing numbers of `bytes_per_number` bytes: one key and
/// one value per head, per layer, per token.
///
/// # Shapes
/// - per layer: keys and values `(n_kv_heads, T, d_head)` each
///
/// # Errors
/// `n_layers`, `n_kv_heads`, `d_head` or `bytes_per_number` equal to 0
/// (`t = 0` is an empty cache of 0 bytes), or a count too large for a
/// `u64`.
///
/// # Grading
/// Your answer must equal the reference answer exactly.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn kv_cache_bytes(
    n_layers: u64,
    n_kv_heads: u64,
    d_head: u64,
    t: u64,
    bytes_per_number: u64,
) -> Result<u64> {
    // TODO(ex 13.2): 2 (a key and a value) x layers x heads x width x
    // tokens x bytes. Example: (1, 2, 3, 4, 8) -> 2*1*2*3*4*8 = 384.
    // SOLUTION-START(ex 13.2)
    ensure!(
        n_layers > 0 && n_kv_heads > 0 && d_head > 0 && bytes_per_number > 0,
        "layers, heads, width and bytes must be at least 1, got \
         (n_layers, n_kv_heads, d_head, bytes_per_number) = ({n_layers}, \
         {n_kv_heads}, {d_head}, {bytes_per_number})"
    );
    [n_layers, n_kv_heads, d_head, t, bytes_per_number]
        .into_iter()
        .try_fold(2u64, |acc, x| acc.checked_mul(x))
        .ok_or_else(|| anyhow!("the cache's size does not fit in a u64"))
    // SOLUTION-END
}

/// Exercise 13.3: one step of the online softmax. The running state is
/// the largest score seen so far, `max` (`-inf` before any), and
/// `sum = sum_j exp(s_j - max)` over the scores seen so far (0 before
/// any). Take in a new block of `scores` and return the new
/// `(max, sum)`: the old sum must be rescaled to the new max.
///
/// # Shapes
/// - `scores`: `(b,)`, `b >= 1`
///
/// # Errors
/// Empty scores (naming their shape) or non-finite ones; a running max
/// that is NaN or `+inf`; a running sum that is negative or not finite;
/// a running max of `-inf` with a sum other than 0.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn online_softmax_step(
    max: f64,
    sum: f64,
    scores: ArrayView1<f64>,
) -> Result<(f64, f64)> {
    // TODO(ex 13.3): new max m' = max(m, largest score); rescale the old
    // sum by exp(m - m') and add exp(s - m') for each new score.
    // Example: (-inf, 0) and [1, 2] -> (2, e^-1 + 1) = (2, 1.3679).
    // SOLUTION-START(ex 13.3)
    check::usable("scores", &scores)?;
    ensure!(
        !max.is_nan() && max != f64::INFINITY,
        "the running max must be a number or -inf, got {max}"
    );
    ensure!(
        sum.is_finite() && sum >= 0.0,
        "the running sum must be finite and at least 0, got {sum}"
    );
    ensure!(
        max > f64::NEG_INFINITY || sum == 0.0,
        "before any score (max = -inf) the running sum must be 0, got {sum}"
    );
    let block_max = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let new_max = max.max(block_max);
    let alpha = (max - new_max).exp(); // exp(-inf) = 0 at the start
    let block: f64 = scores.iter().map(|&x| (x - new_max).exp()).sum();
    Ok((new_max, alpha * sum + block))
    // SOLUTION-END
}

/// Exercise 13.4: attention `softmax(Q K^T / sqrt(d_k)) V` computed in
/// tiles of `tile` keys, without ever building the `(T_q, T_k)` score
/// matrix: for each query, visit the keys and values `tile` at a time,
/// keeping a running max, a running sum and an unnormalised output, and
/// divide by the sum at the end. No mask.
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)` ->
///   `(T_q, d_v)`
///
/// # Errors
/// What chapter 3's `check_qkv` rejects (its errors name the shapes), and
/// a tile of 0.
///
/// # Grading
/// Each number must be within a relative 1e-9 of the reference
/// answer, or within 1e-9 times the answer's largest entry.
/// A refusal is an `Err` (a panic is not); its message must name what
/// this documentation says it names, in any of the ways the module
/// documentation lists.
pub fn tiled_attention(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    tile: usize,
) -> Result<Array2<f64>> {
    // TODO(ex 13.4): for each query row, loop over key tiles; rescale the
    // output so far by exp(m_old - m_new) whenever the max grows.
    // Example: q = [[0]], k = [[1], [2]], v = [[1], [3]], tile = 1: both
    // scores are 0, so the output is the mean, [[2]].
    // SOLUTION-START(ex 13.4)
    check_qkv(q, k, v)?;
    ensure!(tile > 0, "a tile must hold at least one key, got tile = 0");
    let scale = 1.0 / (q.ncols() as f64).sqrt();
    let mut out = Array2::zeros((q.nrows(), v.ncols()));
    for (i, query) in q.rows().into_iter().enumerate() {
        let (mut m, mut l) = (f64::NEG_INFINITY, 0.0);
        let mut acc = ndarray::Array1::<f64>::zeros(v.ncols());
        for j0 in (0..k.nrows()).step_by(tile) {
            let j1 = (j0 + tile).min(k.nrows());
            // (b, d_k) x (d_k,) -> (b,)
            let scores = k.slice(s![j0..j1, ..]).dot(&query) * scale;
            let new_m = scores.fold(m, |a, &x| a.max(x));
            let alpha = (m - new_m).exp();
            let p = scores.mapv(|x| (x - new_m).exp());
            l = alpha * l + p.sum();
            // (d_v, b) x (b,) -> (d_v,)
            acc = acc * alpha + v.slice(s![j0..j1, ..]).t().dot(&p);
            m = new_m;
        }
        out.row_mut(i).assign(&(acc / l));
    }
    Ok(out)
    // SOLUTION-END
}
