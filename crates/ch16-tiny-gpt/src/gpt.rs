//! The whole model's forward and backward passes, layer by layer, with
//! the activations the backward needs kept in [`Cache`].

use crate::layers::{
    attention_backward, attention_forward, cross_entropy, encoder_backward,
    encoder_forward, gelu_backward, gelu_forward, layer_norm_backward,
    layer_norm_forward, logits_backward, logits_forward, matmul_backward,
    matmul_forward, residual_forward,
};
use crate::model::{Params, split_mut};
use anyhow::{Result, ensure};

/// One block's activations, each `(B T, width)` unless noted.
#[derive(Debug, Clone, Default)]
pub struct BlockCache {
    /// The block's input (the residual stream), width `d_model`.
    pub x: Vec<f64>,
    /// `ln1(x)`, its rows' means and reciprocal deviations `(B T,)`.
    pub ln1: Vec<f64>,
    /// See `ln1`.
    pub ln1_mean: Vec<f64>,
    /// See `ln1`.
    pub ln1_rstd: Vec<f64>,
    /// Queries, keys and values side by side, width `3 d_model`.
    pub qkv: Vec<f64>,
    /// The attention weights `(B, H, T, T)`.
    pub att: Vec<f64>,
    /// The heads' outputs, concatenated, width `d_model`.
    pub heads: Vec<f64>,
    /// `x + attn(ln1(x))`.
    pub x2: Vec<f64>,
    /// `ln2(x2)` and its statistics.
    pub ln2: Vec<f64>,
    /// See `ln2`.
    pub ln2_mean: Vec<f64>,
    /// See `ln2`.
    pub ln2_rstd: Vec<f64>,
    /// The MLP's hidden layer before GELU, width `d_ff`.
    pub h: Vec<f64>,
    /// After GELU.
    pub h_gelu: Vec<f64>,
}

/// Everything a forward pass computed.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// Sequences in the batch.
    pub batch: usize,
    /// Positions per sequence.
    pub t_len: usize,
    /// The input tokens, `(B T,)`.
    pub tokens: Vec<usize>,
    /// One entry per block.
    pub blocks: Vec<BlockCache>,
    /// The last block's output.
    pub x_out: Vec<f64>,
    /// `ln_f(x_out)` and its statistics.
    pub lnf: Vec<f64>,
    /// See `lnf`.
    pub lnf_mean: Vec<f64>,
    /// See `lnf`.
    pub lnf_rstd: Vec<f64>,
    /// The logits `(B T, vocab)`.
    pub logits: Vec<f64>,
}

fn check_tokens(p: &Params, tokens: &[usize], t_len: usize) -> Result<()> {
    let c = p.config;
    ensure!(
        t_len > 0 && t_len <= c.context && tokens.len().is_multiple_of(t_len),
        "tokens of length {} cannot be cut into sequences of length {t_len} \
         for a context of {}",
        tokens.len(),
        c.context
    );
    ensure!(!tokens.is_empty(), "no tokens to read");
    if let Some(&bad) = tokens.iter().find(|&&t| t >= c.vocab) {
        anyhow::bail!("token {bad} is outside a vocabulary of {}", c.vocab);
    }
    Ok(())
}

// ANCHOR: forward
/// The forward pass on `B` sequences of `t_len` tokens, laid end to end.
///
/// # Shapes
/// - `tokens`: `(B t_len,)`, `t_len <= context` -> the cache, whose
///   `logits` are `(B t_len, vocab)`
///
/// # Errors
/// A token outside the vocabulary, or a length that does not fit.
pub fn forward(p: &Params, tokens: &[usize], t_len: usize) -> Result<Cache> {
    check_tokens(p, tokens, t_len)?;
    let cfg = p.config;
    let (n, c, f, nh) = (tokens.len(), cfg.d_model, cfg.d_ff(), cfg.n_heads);
    let w = p.weights();
    let mut x = vec![0.0; n * c];
    encoder_forward(&mut x, tokens, w.wte, w.wpe, t_len, c);
    let mut blocks = Vec::with_capacity(cfg.n_layers);
    for blk in &w.blocks {
        let mut a = BlockCache {
            ln1: vec![0.0; n * c],
            ln1_mean: vec![0.0; n],
            ln1_rstd: vec![0.0; n],
            qkv: vec![0.0; n * 3 * c],
            att: vec![0.0; n * nh * t_len],
            heads: vec![0.0; n * c],
            x2: vec![0.0; n * c],
            ln2: vec![0.0; n * c],
            ln2_mean: vec![0.0; n],
            ln2_rstd: vec![0.0; n],
            h: vec![0.0; n * f],
            h_gelu: vec![0.0; n * f],
            x,
        };
        // x + attn(ln1(x))
        layer_norm_forward(
            &mut a.ln1,
            &mut a.ln1_mean,
            &mut a.ln1_rstd,
            &a.x,
            blk.ln1_g,
            blk.ln1_b,
            c,
        );
        matmul_forward(&mut a.qkv, &a.ln1, blk.w_qkv, blk.b_qkv, c, 3 * c);
        attention_forward(&mut a.heads, &mut a.att, &a.qkv, t_len, c, nh);
        let mut proj = vec![0.0; n * c];
        matmul_forward(&mut proj, &a.heads, blk.w_o, blk.b_o, c, c);
        residual_forward(&mut a.x2, &a.x, &proj);
        // x2 + mlp(ln2(x2))
        layer_norm_forward(
            &mut a.ln2,
            &mut a.ln2_mean,
            &mut a.ln2_rstd,
            &a.x2,
            blk.ln2_g,
            blk.ln2_b,
            c,
        );
        matmul_forward(&mut a.h, &a.ln2, blk.w_1, blk.b_1, c, f);
        gelu_forward(&mut a.h_gelu, &a.h);
        matmul_forward(&mut proj, &a.h_gelu, blk.w_2, blk.b_2, f, c);
        x = vec![0.0; n * c];
        residual_forward(&mut x, &a.x2, &proj);
        blocks.push(a);
    }
    let mut cache = Cache {
        batch: n / t_len,
        t_len,
        tokens: tokens.to_vec(),
        blocks,
        lnf: vec![0.0; n * c],
        lnf_mean: vec![0.0; n],
        lnf_rstd: vec![0.0; n],
        logits: vec![0.0; n * cfg.vocab],
        x_out: x,
    };
    layer_norm_forward(
        &mut cache.lnf,
        &mut cache.lnf_mean,
        &mut cache.lnf_rstd,
        &cache.x_out,
        w.lnf_g,
        w.lnf_b,
        c,
    );
    logits_forward(&mut cache.logits, &cache.lnf, w.wte, c);
    Ok(cache)
}
// ANCHOR_END: forward

/// The mean next-token loss of `B` sequences and its gradient with
/// respect to every parameter.
///
/// Each sequence of `inputs` is followed, one position later, by its
/// targets: `targets[i]` is the token that came after `inputs[i]`.
///
/// # Shapes
/// - `inputs`, `targets`: `(B t_len,)` -> the loss and a gradient laid
///   out as `p`
///
/// # Errors
/// As [`forward`], or targets of another length or outside the
/// vocabulary.
pub fn loss_and_grads(
    p: &Params,
    inputs: &[usize],
    targets: &[usize],
    t_len: usize,
) -> Result<(f64, Params)> {
    let mut cache = forward(p, inputs, t_len)?;
    check_tokens(p, targets, t_len)?;
    ensure!(
        targets.len() == inputs.len(),
        "{} targets for {} inputs",
        targets.len(),
        inputs.len()
    );
    let loss = cross_entropy(&mut cache.logits, targets, p.config.vocab);
    let grads = backward(p, &cache)?;
    Ok((loss, grads))
}

/// The mean next-token loss of `B` sequences, without gradients.
///
/// # Shapes
/// - as [`loss_and_grads`]
///
/// # Errors
/// As [`loss_and_grads`].
pub fn loss(
    p: &Params,
    inputs: &[usize],
    targets: &[usize],
    t_len: usize,
) -> Result<f64> {
    let mut cache = forward(p, inputs, t_len)?;
    check_tokens(p, targets, t_len)?;
    ensure!(
        targets.len() == inputs.len(),
        "{} targets for {} inputs",
        targets.len(),
        inputs.len()
    );
    Ok(cross_entropy(&mut cache.logits, targets, p.config.vocab))
}

// ANCHOR: backward
/// The backward pass: `cache.logits` must already hold the gradient of
/// the loss with respect to the logits (as [`cross_entropy`] leaves
/// them). Walks the layers in reverse, each adding into the gradient.
///
/// # Shapes
/// - `cache` from [`forward`] on `p` -> a gradient laid out as `p`
///
/// # Errors
/// A cache made by another model.
pub fn backward(p: &Params, cache: &Cache) -> Result<Params> {
    let cfg = p.config;
    let (n, c, f, nh) =
        (cache.tokens.len(), cfg.d_model, cfg.d_ff(), cfg.n_heads);
    ensure!(
        cache.blocks.len() == cfg.n_layers && cache.lnf.len() == n * c,
        "the cache was not made by a model of sizes {cfg:?}"
    );
    let t_len = cache.t_len;
    let w = p.weights();
    let mut grads = p.zeros_like();
    let mut g = split_mut(&cfg, &mut grads.flat);
    let mut dlnf = vec![0.0; n * c];
    logits_backward(&mut dlnf, g.wte, &cache.logits, &cache.lnf, w.wte, c);
    let mut dx = vec![0.0; n * c];
    layer_norm_backward(
        &mut dx,
        g.lnf_g,
        g.lnf_b,
        &dlnf,
        &cache.x_out,
        w.lnf_g,
        &cache.lnf_mean,
        &cache.lnf_rstd,
        c,
    );
    for ((a, blk), gb) in
        cache.blocks.iter().zip(&w.blocks).zip(&mut g.blocks).rev()
    {
        // x_out = x2 + mlp(ln2(x2)): dx flows to x2 directly and through
        // the MLP.
        let mut dx2 = dx.clone();
        let mut dh_gelu = vec![0.0; n * f];
        matmul_backward(
            &mut dh_gelu,
            gb.w_2,
            gb.b_2,
            &dx,
            &a.h_gelu,
            blk.w_2,
            f,
            c,
        );
        let mut dh = vec![0.0; n * f];
        gelu_backward(&mut dh, &dh_gelu, &a.h);
        let mut dln2 = vec![0.0; n * c];
        matmul_backward(&mut dln2, gb.w_1, gb.b_1, &dh, &a.ln2, blk.w_1, c, f);
        layer_norm_backward(
            &mut dx2,
            gb.ln2_g,
            gb.ln2_b,
            &dln2,
            &a.x2,
            blk.ln2_g,
            &a.ln2_mean,
            &a.ln2_rstd,
            c,
        );
        // x2 = x + attn(ln1(x)).
        let mut dx_in = dx2.clone();
        let mut dheads = vec![0.0; n * c];
        matmul_backward(
            &mut dheads,
            gb.w_o,
            gb.b_o,
            &dx2,
            &a.heads,
            blk.w_o,
            c,
            c,
        );
        let mut dqkv = vec![0.0; n * 3 * c];
        attention_backward(&mut dqkv, &dheads, &a.qkv, &a.att, t_len, c, nh);
        let mut dln1 = vec![0.0; n * c];
        matmul_backward(
            &mut dln1,
            gb.w_qkv,
            gb.b_qkv,
            &dqkv,
            &a.ln1,
            blk.w_qkv,
            c,
            3 * c,
        );
        layer_norm_backward(
            &mut dx_in,
            gb.ln1_g,
            gb.ln1_b,
            &dln1,
            &a.x,
            blk.ln1_g,
            &a.ln1_mean,
            &a.ln1_rstd,
            c,
        );
        dx = dx_in;
    }
    encoder_backward(g.wte, g.wpe, &dx, &cache.tokens, t_len, c);
    Ok(grads)
}
// ANCHOR_END: backward
