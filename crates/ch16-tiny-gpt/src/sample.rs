//! Writing text: temperature and top-k sampling, one token at a time,
//! either through a key-value cache (chapter 13) or by recomputing the
//! whole prefix at every step.

use crate::gpt::forward;
use crate::layers::{
    gelu_forward, layer_norm_forward, logits_forward, matmul_forward,
    residual_forward,
};
use crate::model::Params;
use anyhow::{Result, bail, ensure};
use attn_common::rng::SplitMix64;
use ch13_cost_of_attention::exp::exp_nonpositive;

// ANCHOR: sampler
/// The tokens top-k keeps and their probabilities at temperature `tau`:
/// rank the tokens by decreasing logit (ties to the lower index), keep
/// the first `k`, and take the softmax of `z / tau` over them (shifted
/// by the largest).
///
/// # Shapes
/// - `logits`: `(vocab,)` -> `k` pairs `(token, probability)`, in rank
///   order
///
/// # Errors
/// Empty or non-finite logits, `tau` not positive and finite, or `k` not
/// in `1..=vocab`.
pub fn top_k_probabilities(
    logits: &[f64],
    tau: f64,
    k: usize,
) -> Result<Vec<(usize, f64)>> {
    let vocab = logits.len();
    ensure!(
        vocab > 0 && logits.iter().all(|z| z.is_finite()),
        "the logits must be {vocab} finite numbers, at least one"
    );
    ensure!(
        tau.is_finite() && tau > 0.0,
        "the temperature must be positive and finite, got {tau}"
    );
    ensure!((1..=vocab).contains(&k), "k = {k} is not in 1..={vocab}");
    let mut order: Vec<usize> = (0..vocab).collect();
    // A stable sort by decreasing logit keeps ties in index order.
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    order.truncate(k);
    let max = logits[order[0]] / tau;
    let weights: Vec<f64> = order
        .iter()
        .map(|&i| exp_nonpositive(logits[i] / tau - max))
        .collect();
    let total: f64 = weights.iter().sum();
    Ok(order
        .into_iter()
        .zip(weights)
        .map(|(i, w)| (i, w / total))
        .collect())
}

/// Picks a token with temperature `tau` and top-k, given a uniform
/// number `u` in `[0, 1)`: walk the kept tokens of
/// [`top_k_probabilities`] in rank order until the running sum of their
/// probabilities exceeds `u` (the last kept token if rounding leaves
/// none).
///
/// # Shapes
/// - `logits`: `(vocab,)` -> a token in `0..vocab`
///
/// # Errors
/// As [`top_k_probabilities`], or `u` outside `[0, 1)`.
pub fn sample_token(
    logits: &[f64],
    tau: f64,
    k: usize,
    u: f64,
) -> Result<usize> {
    let kept = top_k_probabilities(logits, tau, k)?;
    ensure!((0.0..1.0).contains(&u), "u = {u} is not in [0, 1)");
    let mut running = 0.0;
    for &(i, p) in &kept {
        running += p;
        if running > u {
            return Ok(i);
        }
    }
    Ok(kept[k - 1].0)
}
// ANCHOR_END: sampler

/// What a generation produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The new tokens (the prompt not included).
    pub tokens: Vec<usize>,
    /// The logits each new token was drawn from, `(vocab,)` each.
    pub logits: Vec<Vec<f64>>,
}

fn check_prompt(p: &Params, prompt: &[usize]) -> Result<()> {
    ensure!(!prompt.is_empty(), "the prompt is empty");
    if let Some(&t) = prompt.iter().find(|&&t| t >= p.config.vocab) {
        bail!(
            "prompt token {t} is outside a vocabulary of {}",
            p.config.vocab
        );
    }
    Ok(())
}

// ANCHOR: recompute
/// Generates `n_new` tokens by running the whole model on the text so
/// far (its last `context` tokens) for every new token.
///
/// # Shapes
/// - `prompt`: `(n,)`, `n >= 1` -> `n_new` tokens
///
/// # Errors
/// An empty prompt, a token outside the vocabulary, or bad sampling
/// settings (as [`sample_token`]).
pub fn generate_recomputing(
    p: &Params,
    prompt: &[usize],
    n_new: usize,
    tau: f64,
    k: usize,
    rng: &mut SplitMix64,
) -> Result<Generation> {
    check_prompt(p, prompt)?;
    let (v, ctx) = (p.config.vocab, p.config.context);
    let mut text = prompt.to_vec();
    let mut out = Generation {
        tokens: vec![],
        logits: vec![],
    };
    for _ in 0..n_new {
        let window = &text[text.len().saturating_sub(ctx)..];
        let cache = forward(p, window, window.len())?;
        let last = cache.logits[(window.len() - 1) * v..].to_vec();
        let token = sample_token(&last, tau, k, rng.uniform())?;
        text.push(token);
        out.tokens.push(token);
        out.logits.push(last);
    }
    Ok(out)
}
// ANCHOR_END: recompute

/// Keys and values of every position so far, for every block.
///
/// # Shapes
/// - per block, keys and values `(context, d_model)`; the first `len`
///   rows are filled
#[derive(Debug, Clone, PartialEq)]
pub struct KvCache {
    keys: Vec<Vec<f64>>,
    values: Vec<Vec<f64>>,
    len: usize,
}

impl KvCache {
    /// An empty cache for `p`'s sizes.
    ///
    /// # Shapes
    /// - as [`KvCache`]
    pub fn new(p: &Params) -> Self {
        let c = p.config;
        let rows = vec![0.0; c.context * c.d_model];
        Self {
            keys: vec![rows.clone(); c.n_layers],
            values: vec![rows; c.n_layers],
            len: 0,
        }
    }

    /// How many positions the cache holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

// ANCHOR: step_cached
/// Runs one new token at the next position through the model, adding
/// its keys and values to the cache, and returns its logits. Every
/// operation is done in the order [`forward`] does it, so the logits are
/// the very numbers a forward pass over the whole text gives.
///
/// # Shapes
/// - `token` in `0..vocab` -> logits `(vocab,)`
///
/// # Errors
/// A full cache (the context is used up) or a token outside the
/// vocabulary.
pub fn step_cached(
    p: &Params,
    cache: &mut KvCache,
    token: usize,
) -> Result<Vec<f64>> {
    let cfg = p.config;
    let (c, f, nh, pos) = (cfg.d_model, cfg.d_ff(), cfg.n_heads, cache.len);
    ensure!(
        pos < cfg.context,
        "the cache is full: {pos} of {} positions",
        cfg.context
    );
    ensure!(
        token < cfg.vocab,
        "token {token} is outside a vocabulary of {}",
        cfg.vocab
    );
    let w = p.weights();
    let (hs, mut x) = (c / nh, vec![0.0; c]);
    for ((o, &e), &q) in x
        .iter_mut()
        .zip(&w.wte[token * c..][..c])
        .zip(&w.wpe[pos * c..][..c])
    {
        *o = e + q;
    }
    let scale = 1.0 / (hs as f64).sqrt();
    let (mut m, mut r) = ([0.0], [0.0]);
    for (l, blk) in w.blocks.iter().enumerate() {
        let mut ln = vec![0.0; c];
        layer_norm_forward(
            &mut ln, &mut m, &mut r, &x, blk.ln1_g, blk.ln1_b, c,
        );
        let mut qkv = vec![0.0; 3 * c];
        matmul_forward(&mut qkv, &ln, blk.w_qkv, blk.b_qkv, c, 3 * c);
        cache.keys[l][pos * c..][..c].copy_from_slice(&qkv[c..2 * c]);
        cache.values[l][pos * c..][..c].copy_from_slice(&qkv[2 * c..]);
        let mut heads = vec![0.0; c];
        for h in 0..nh {
            let q = &qkv[h * hs..][..hs];
            let mut wts = vec![0.0; pos + 1];
            let mut max = f64::NEG_INFINITY;
            for (t2, wv) in wts.iter_mut().enumerate() {
                let k = &cache.keys[l][t2 * c + h * hs..][..hs];
                let s: f64 = q.iter().zip(k).map(|(a, b)| a * b).sum();
                *wv = s * scale;
                max = max.max(*wv);
            }
            let mut total = 0.0;
            for wv in &mut wts {
                *wv = exp_nonpositive(*wv - max);
                total += *wv;
            }
            wts.iter_mut().for_each(|wv| *wv /= total);
            let o = &mut heads[h * hs..][..hs];
            for (t2, &wv) in wts.iter().enumerate() {
                let v = &cache.values[l][t2 * c + h * hs..][..hs];
                for (x, &vv) in o.iter_mut().zip(v) {
                    *x += wv * vv;
                }
            }
        }
        let mut proj = vec![0.0; c];
        matmul_forward(&mut proj, &heads, blk.w_o, blk.b_o, c, c);
        let mut x2 = vec![0.0; c];
        residual_forward(&mut x2, &x, &proj);
        layer_norm_forward(
            &mut ln, &mut m, &mut r, &x2, blk.ln2_g, blk.ln2_b, c,
        );
        let (mut hid, mut act) = (vec![0.0; f], vec![0.0; f]);
        matmul_forward(&mut hid, &ln, blk.w_1, blk.b_1, c, f);
        gelu_forward(&mut act, &hid);
        matmul_forward(&mut proj, &act, blk.w_2, blk.b_2, f, c);
        residual_forward(&mut x, &x2, &proj);
    }
    let mut ln = vec![0.0; c];
    layer_norm_forward(&mut ln, &mut m, &mut r, &x, w.lnf_g, w.lnf_b, c);
    let mut logits = vec![0.0; cfg.vocab];
    logits_forward(&mut logits, &ln, w.wte, c);
    cache.len += 1;
    Ok(logits)
}
// ANCHOR_END: step_cached

// ANCHOR: generate_cached
/// Generates `n_new` tokens through a key-value cache: the prompt goes
/// in one token at a time, then every new token costs one position.
///
/// # Shapes
/// - `prompt`: `(n,)`, `1 <= n`, `n + n_new <= context + 1` -> `n_new`
///   tokens
///
/// # Errors
/// As [`generate_recomputing`], or a text longer than the context.
pub fn generate_cached(
    p: &Params,
    prompt: &[usize],
    n_new: usize,
    tau: f64,
    k: usize,
    rng: &mut SplitMix64,
) -> Result<Generation> {
    check_prompt(p, prompt)?;
    ensure!(
        prompt.len() + n_new <= p.config.context + 1,
        "a prompt of {} and {n_new} new tokens do not fit a context of {}",
        prompt.len(),
        p.config.context
    );
    let mut cache = KvCache::new(p);
    let mut last = Vec::new();
    for &t in prompt {
        last = step_cached(p, &mut cache, t)?;
    }
    let mut out = Generation {
        tokens: vec![],
        logits: vec![],
    };
    for i in 0..n_new {
        let token = sample_token(&last, tau, k, rng.uniform())?;
        out.tokens.push(token);
        out.logits.push(std::mem::take(&mut last));
        if i + 1 < n_new {
            last = step_cached(p, &mut cache, token)?;
        }
    }
    Ok(out)
}
// ANCHOR_END: generate_cached

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_on_a_small_case() {
        let z = [1.0, 3.0, 3.0, 0.0];
        // Ranked: 1, 2 (tie, lower index first), 0, 3.
        assert_eq!(sample_token(&z, 1.0, 1, 0.99).unwrap(), 1);
        assert_eq!(sample_token(&z, 1.0, 2, 0.49).unwrap(), 1);
        assert_eq!(sample_token(&z, 1.0, 2, 0.5).unwrap(), 2);
        assert_eq!(sample_token(&z, 1.0, 4, 0.999_999).unwrap(), 3);
    }

    #[test]
    fn bad_settings_are_errors_that_name_them() {
        let z = [0.0, 1.0];
        assert!(sample_token(&[], 1.0, 1, 0.0).is_err());
        assert!(sample_token(&[f64::NAN, 0.0], 1.0, 1, 0.0).is_err());
        assert!(
            sample_token(&z, 0.0, 1, 0.0)
                .unwrap_err()
                .to_string()
                .contains('0')
        );
        assert!(
            sample_token(&z, 1.0, 3, 0.0)
                .unwrap_err()
                .to_string()
                .contains('3')
        );
        assert!(sample_token(&z, 1.0, 0, 0.0).is_err());
        assert!(sample_token(&z, 1.0, 1, 1.0).is_err());
    }
}
