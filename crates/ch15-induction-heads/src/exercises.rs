//! Chapter 15's exercises. Each function states its task; the reference
//! solution sits between the `SOLUTION-START` and `SOLUTION-END` markers,
//! and `tests/exercises.rs` checks it:
//! `cargo test -p ch15-induction-heads --test exercises`.

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, ArrayView1, ArrayView2};

// ANCHOR: ex_15_1
/// Exercise 15.1: the previous-token score of one attention map.
///
/// `weights` is a head's `(T, T)` attention map, row `i` the weights of
/// query `i`. Return the mean of `weights[i][i - 1]` over the queries
/// `i = 1..T`: how much the head looks at the token just before.
///
/// # Shapes
/// - `weights`: `(T, T)` with `T >= 2` -> a number
///
/// # Errors
/// A map that is not finite, not square or has fewer than two rows; the
/// error names its shape.
pub fn previous_token_score(weights: ArrayView2<f64>) -> Result<f64> {
    // TODO(ex 15.1): check the map, then average the entries just left
    // of the diagonal. [[1, 0], [0.25, 0.75]] -> 0.25.
    // SOLUTION-START(ex 15.1)
    check::usable("weights", &weights)?;
    let t = weights.nrows();
    ensure!(
        t >= 2 && weights.ncols() == t,
        "a previous-token score needs a square map with T >= 2, got \
         shape {}",
        check::shape(&weights)
    );
    let total: f64 = (1..t).map(|i| weights[[i, i - 1]]).sum();
    Ok(total / (t - 1) as f64)
    // SOLUTION-END
}
// ANCHOR_END: ex_15_1

// ANCHOR: ex_15_2
/// Exercise 15.2: the induction score of one attention map.
///
/// The map belongs to a sequence of `T = 2 * half` tokens whose second
/// half repeats the first. Return the mean of `weights[i][i - half + 1]`
/// over the queries `i = half..T`: how much each token of the repeat
/// looks at the token that followed its first occurrence.
///
/// # Shapes
/// - `weights`: `(T, T)` with `T = 2 * half` -> a number
///
/// # Errors
/// A map that is not finite or not square, or `half` that is 0 or not
/// `T / 2`; the error names the shape.
pub fn induction_score(weights: ArrayView2<f64>, half: usize) -> Result<f64> {
    // TODO(ex 15.2): check the map and half, then average the entries
    // half - 1 left of the diagonal in the second half's rows.
    // half 1, [[1, 0], [0.5, 0.5]] -> row 1 looks at 1 - 1 + 1 = 1: 0.5.
    // SOLUTION-START(ex 15.2)
    check::usable("weights", &weights)?;
    let t = weights.nrows();
    ensure!(
        weights.ncols() == t && half > 0 && 2 * half == t,
        "an induction score needs a square map with T = 2 * half, got \
         shape {} and half = {half}",
        check::shape(&weights)
    );
    let total: f64 = (half..t).map(|i| weights[[i, i - half + 1]]).sum();
    Ok(total / half as f64)
    // SOLUTION-END
}
// ANCHOR_END: ex_15_2

/// A next-token loss and its gradient, as exercise 15.3 returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct LossGrad {
    /// `-ln softmax(logits)[target]`.
    pub loss: f64,
    /// `dL/dlogits`. Shape `(V,)`.
    pub d_logits: Array1<f64>,
}

// ANCHOR: ex_15_3
/// Exercise 15.3: the first step of the backward pass.
///
/// Given one position's `logits` over the vocabulary and the index of
/// the true next token, return the cross-entropy loss
/// `-ln softmax(logits)[target]` and its gradient with respect to the
/// logits, `softmax(logits) - onehot(target)`. Subtract the largest
/// logit first, so large logits do not overflow.
///
/// # Shapes
/// - `logits`: `(V,)` -> the loss and `(V,)`
///
/// # Errors
/// Empty or non-finite logits, or a target outside them; the error names
/// the shape.
pub fn next_token_loss(
    logits: ArrayView1<f64>,
    target: usize,
) -> Result<LossGrad> {
    // TODO(ex 15.3): check, shift by the max, take the softmax and the
    // log of its sum. logits [0, 0], target 1 -> loss ln 2 = 0.6931,
    // d_logits [0.5, -0.5].
    // SOLUTION-START(ex 15.3)
    check::usable("logits", &logits)?;
    ensure!(
        target < logits.len(),
        "target {target} is outside logits of shape {}",
        check::shape(&logits)
    );
    let max = logits.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let exps = logits.mapv(|x| (x - max).exp());
    let total = exps.sum();
    let mut d_logits = exps / total;
    d_logits[target] -= 1.0;
    Ok(LossGrad {
        loss: total.ln() + max - logits[target],
        d_logits,
    })
    // SOLUTION-END
}
// ANCHOR_END: ex_15_3
