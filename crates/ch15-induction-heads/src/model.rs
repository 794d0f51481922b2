//! The model: token and position embeddings, two layers of causal
//! multi-head attention added to a residual stream, and an unembedding.
//! No MLP, no layer norm: attention only, as in Elhage et al. (2021).
//!
//! Its forward pass keeps what the backward pass needs; the backward pass
//! walks the same steps in reverse, each step derived by hand.

use crate::linalg::{mm, mm_nt, mm_tn};
use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch12_learning_to_attend::backward::softmax_backward;
use ch13_cost_of_attention::exp::exp_nonpositive;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// The model has two attention layers.
pub const LAYERS: usize = 2;

// ANCHOR: config
/// The sizes of the model and of its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How many different tokens there are (`V`).
    pub vocab: usize,
    /// The length of the random half; sequences have `T = 2 * half`.
    pub half: usize,
    /// The width of the residual stream (`d_model`).
    pub d_model: usize,
    /// Heads per layer (`n_heads`).
    pub n_heads: usize,
    /// The width of each head's queries, keys and values (`d_k`).
    pub d_head: usize,
}
// ANCHOR_END: config

impl Config {
    /// The sequence length `T = 2 * half`.
    pub fn seq_len(&self) -> usize {
        2 * self.half
    }

    fn validate(&self) -> Result<()> {
        ensure!(
            self.vocab > 0
                && self.half > 0
                && self.d_model > 0
                && self.n_heads > 0
                && self.d_head > 0,
            "every size of the model must be above 0, got {self:?}"
        );
        Ok(())
    }
}

/// One attention head's four matrices.
///
/// # Shapes
/// - `w_q`, `w_k`, `w_v`: `(d_model, d_k)`; `w_o`: `(d_k, d_model)`
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// The query projection.
    pub w_q: Array2<f64>,
    /// The key projection.
    pub w_k: Array2<f64>,
    /// The value projection.
    pub w_v: Array2<f64>,
    /// The output projection, back into the residual stream.
    pub w_o: Array2<f64>,
}

/// Everything the model learns.
///
/// # Shapes
/// - `embed`: `(V, d_model)`, `pos`: `(T, d_model)`,
///   `unembed`: `(d_model, V)`; `layers[l][h]` as [`Head`]
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The sizes.
    pub config: Config,
    /// One row per token.
    pub embed: Array2<f64>,
    /// One row per position.
    pub pos: Array2<f64>,
    /// `layers[l][h]` is head `h` of layer `l`.
    pub layers: Vec<Vec<Head>>,
    /// From the residual stream to one logit per token.
    pub unembed: Array2<f64>,
}

impl Params {
    /// A random model: every entry normal with variance one over the
    /// width it is read from (`d_model` for all but `W_o`, whose rows
    /// are `d_k` wide).
    ///
    /// # Shapes
    /// - as [`Params`]
    ///
    /// # Errors
    /// A size of 0.
    pub fn random(config: Config, rng: &mut SplitMix64) -> Result<Self> {
        config.validate()?;
        let Config {
            vocab: v,
            d_model: d,
            d_head: dh,
            ..
        } = config;
        let mut draw = |rows: usize, cols: usize, fan_in: usize| {
            rng.normal_matrix(rows, cols) / (fan_in as f64).sqrt()
        };
        let embed = draw(v, d, d);
        let pos = draw(config.seq_len(), d, d);
        let layers = (0..LAYERS)
            .map(|_| {
                (0..config.n_heads)
                    .map(|_| Head {
                        w_q: draw(d, dh, d),
                        w_k: draw(d, dh, d),
                        w_v: draw(d, dh, d),
                        w_o: draw(dh, d, dh),
                    })
                    .collect()
            })
            .collect();
        let unembed = draw(d, v, d);
        Ok(Self {
            config,
            embed,
            pos,
            layers,
            unembed,
        })
    }

    /// The learned matrices with their names, in a fixed order:
    /// `embed`, `pos`, then `L1.H1.W_q`, `W_k`, `W_v`, `W_o` for every
    /// head of every layer, then `unembed`.
    ///
    /// # Shapes
    /// - as the fields
    pub fn named(&self) -> Vec<(String, &Array2<f64>)> {
        let mut out = vec![("embed".to_string(), &self.embed)];
        out.push(("pos".to_string(), &self.pos));
        for (l, layer) in self.layers.iter().enumerate() {
            for (h, head) in layer.iter().enumerate() {
                let name = |m: &str| format!("L{}.H{}.{m}", l + 1, h + 1);
                out.push((name("W_q"), &head.w_q));
                out.push((name("W_k"), &head.w_k));
                out.push((name("W_v"), &head.w_v));
                out.push((name("W_o"), &head.w_o));
            }
        }
        out.push(("unembed".to_string(), &self.unembed));
        out
    }

    /// The learned matrices, mutably, in the order of [`Params::named`].
    ///
    /// # Shapes
    /// - as [`Params::named`]
    pub fn tensors_mut(&mut self) -> Vec<&mut Array2<f64>> {
        let mut out = vec![&mut self.embed, &mut self.pos];
        for layer in &mut self.layers {
            for head in layer {
                out.push(&mut head.w_q);
                out.push(&mut head.w_k);
                out.push(&mut head.w_v);
                out.push(&mut head.w_o);
            }
        }
        out.push(&mut self.unembed);
        out
    }

    /// The same shapes, filled with zeros (gradients, optimiser state).
    ///
    /// # Shapes
    /// - as `self`
    pub fn zeros_like(&self) -> Self {
        let mut out = self.clone();
        for w in out.tensors_mut() {
            w.fill(0.0);
        }
        out
    }

    /// How many numbers the model learns.
    pub fn count(&self) -> usize {
        self.named().iter().map(|(_, w)| w.len()).sum()
    }
}

/// What one head computed on one sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadCache {
    /// Queries. Shape `(T, d_k)`.
    pub q: Array2<f64>,
    /// Keys. Shape `(T, d_k)`.
    pub k: Array2<f64>,
    /// Values. Shape `(T, d_k)`.
    pub v: Array2<f64>,
    /// Causal attention weights, row = query. Shape `(T, T)`.
    pub weights: Array2<f64>,
    /// Context vectors `A V`. Shape `(T, d_k)`.
    pub context: Array2<f64>,
    /// Whether this head's output was removed (ablated).
    pub ablated: bool,
}

/// Everything the backward pass needs from one forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    /// The input tokens.
    pub tokens: Vec<usize>,
    /// The residual stream before layer 1, before layer 2 and after
    /// layer 2. Shape `(T, d_model)` each.
    pub stream: Vec<Array2<f64>>,
    /// `heads[l][h]`: what head `h` of layer `l` computed.
    pub heads: Vec<Vec<HeadCache>>,
    /// One logit per token at every position. Shape `(T, V)`.
    pub logits: Array2<f64>,
}

// ANCHOR: causal_softmax
/// Causal softmax of a square score matrix, row by row: row `i` keeps
/// keys `0..=i`, and the rest get weight 0.
///
/// Uses chapter 13's `exp`, which gives the same bits on every machine.
///
/// # Shapes
/// - `scores`: `(T, T)` -> `(T, T)`
pub fn causal_softmax(scores: ArrayView2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros(scores.dim());
    for (i, (s, mut w)) in
        scores.rows().into_iter().zip(out.rows_mut()).enumerate()
    {
        let seen = s.slice(ndarray::s![..=i]);
        let max = seen.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let mut total = 0.0;
        for (j, &x) in seen.iter().enumerate() {
            w[j] = exp_nonpositive(x - max);
            total += w[j];
        }
        w.slice_mut(ndarray::s![..=i]).mapv_inplace(|x| x / total);
    }
    out
}
// ANCHOR_END: causal_softmax

// ANCHOR: head_forward
/// One causal attention head on the residual stream `x`.
///
/// # Shapes
/// - `x`: `(T, d_model)`; the cache's `q`, `k`, `v`, `context` are
///   `(T, d_k)` and its `weights` `(T, T)`
fn head_forward(head: &Head, x: ArrayView2<f64>) -> HeadCache {
    let q = mm(x, head.w_q.view()); // (T, d_model) x (d_model, d_k)
    let k = mm(x, head.w_k.view()); // (T, d_model) x (d_model, d_k)
    let v = mm(x, head.w_v.view()); // (T, d_model) x (d_model, d_k)
    let c = 1.0 / (q.ncols() as f64).sqrt();
    let scores = mm_nt(q.view(), k.view()) * c; // (T, d_k) x (d_k, T)
    let weights = causal_softmax(scores.view()); // (T, T)
    let context = mm(weights.view(), v.view()); // (T, T) x (T, d_k)
    HeadCache {
        q,
        k,
        v,
        weights,
        context,
        ablated: false,
    }
}
// ANCHOR_END: head_forward

/// Checks that `b` has the shapes of `a`, naming both if not.
///
/// # Shapes
/// - `a` and `b` as [`Params`]
///
/// # Errors
/// Any matrix of `b` whose shape differs from `a`'s.
pub fn same_shapes(a: &Params, b: &Params) -> Result<()> {
    let (a, b) = (a.named(), b.named());
    ensure!(
        a.len() == b.len(),
        "one model has {} matrices, the other {}",
        a.len(),
        b.len()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        ensure!(
            x.dim() == y.dim(),
            "`{name}` has shape {} in one model and {} in the other",
            check::shape(*x),
            check::shape(*y)
        );
    }
    Ok(())
}

/// Checks that `tokens` fit the model: 1 to `T` tokens, each below `V`.
fn check_tokens(config: &Config, tokens: &[usize]) -> Result<()> {
    let t = config.seq_len();
    if tokens.is_empty() || tokens.len() > t {
        bail!(
            "the model reads 1 to {t} tokens (its positions `pos` have \
             shape ({t}, {})), got {}",
            config.d_model,
            tokens.len()
        );
    }
    if let Some(&bad) = tokens.iter().find(|&&tok| tok >= config.vocab) {
        bail!(
            "token {bad} is outside the vocabulary: `embed` has shape \
             ({}, {})",
            config.vocab,
            config.d_model
        );
    }
    Ok(())
}

// ANCHOR: forward
/// The forward pass on one sequence, with the heads listed in `ablate`
/// (as `(layer, head)`, counted from 0) removed: their output is not
/// added to the residual stream.
///
/// # Shapes
/// - `tokens`: `(T',)` with `1 <= T' <= T`; the cache's stream is
///   `(T', d_model)` and its logits `(T', V)`
///
/// # Errors
/// No tokens, more than `T`, or a token outside the vocabulary; the error
/// names the shapes.
pub fn forward(
    params: &Params,
    tokens: &[usize],
    ablate: &[(usize, usize)],
) -> Result<Cache> {
    check_tokens(&params.config, tokens)?;
    let t = tokens.len();
    // Token embedding plus position embedding: (T, d_model).
    let mut x = params.pos.slice(ndarray::s![..t, ..]).to_owned();
    for (mut row, &tok) in x.rows_mut().into_iter().zip(tokens) {
        row += &params.embed.row(tok);
    }
    let mut stream = vec![x.clone()];
    let mut heads = Vec::with_capacity(LAYERS);
    for (l, layer) in params.layers.iter().enumerate() {
        let mut next = x.clone(); // the residual connection
        let mut caches = Vec::with_capacity(layer.len());
        for (h, head) in layer.iter().enumerate() {
            let mut cache = head_forward(head, x.view());
            if ablate.contains(&(l, h)) {
                cache.ablated = true;
            } else {
                // (T, d_k) x (d_k, d_model) -> (T, d_model)
                next += &mm(cache.context.view(), head.w_o.view());
            }
            caches.push(cache);
        }
        heads.push(caches);
        x = next;
        stream.push(x.clone());
    }
    // (T, d_model) x (d_model, V) -> (T, V)
    let logits = mm(x.view(), params.unembed.view());
    Ok(Cache {
        tokens: tokens.to_vec(),
        stream,
        heads,
        logits,
    })
}
// ANCHOR_END: forward

/// `-ln softmax(logits)[y]` without leaving the log domain, and
/// `softmax(logits)`.
///
/// # Shapes
/// - `logits`: `(V,)`; returns the loss and `(V,)` probabilities
pub fn cross_entropy(logits: ArrayView1<f64>, y: usize) -> (f64, Array1<f64>) {
    let max = logits.fold(f64::NEG_INFINITY, |m, &l| m.max(l));
    let exps = logits.mapv(|l| exp_nonpositive(l - max));
    let total = exps.sum();
    (total.ln() + max - logits[y], exps / total)
}

/// The loss of predicting token `t + 1` at every position `t` but the
/// last.
///
/// # Shapes
/// - returns `(T' - 1,)` losses
pub fn position_losses(cache: &Cache) -> Vec<f64> {
    let t = cache.tokens.len();
    (0..t.saturating_sub(1))
        .map(|i| cross_entropy(cache.logits.row(i), cache.tokens[i + 1]).0)
        .collect()
}

// ANCHOR: backward
/// Adds `scale` times the gradient of the summed next-token loss of one
/// forward pass to `grads`.
///
/// # Shapes
/// - `grads` has the shapes of `params`
///
/// # Errors
/// Gradients whose shapes differ from the parameters', a cache from
/// another model, or a cache that is not finite (a diverged model); the
/// error names the shapes.
pub fn backward(
    params: &Params,
    cache: &Cache,
    scale: f64,
    grads: &mut Params,
) -> Result<()> {
    same_shapes(params, grads)?;
    let t = cache.tokens.len();
    check_tokens(&params.config, &cache.tokens)?;
    let Config {
        d_model,
        n_heads,
        d_head,
        ..
    } = params.config;
    ensure!(
        cache.logits.dim() == (t, params.config.vocab)
            && cache.stream.len() == LAYERS + 1
            && cache.heads.len() == LAYERS
            && cache.stream.iter().all(|x| x.dim() == (t, d_model))
            && cache.heads.iter().flatten().count() == LAYERS * n_heads
            && cache.heads.iter().flatten().all(|h| {
                h.q.dim() == (t, d_head)
                    && h.k.dim() == (t, d_head)
                    && h.v.dim() == (t, d_head)
                    && h.context.dim() == (t, d_head)
                    && h.weights.dim() == (t, t)
            }),
        "the cache (logits of shape {}, stream of shape {}) does not come \
         from this model (`unembed` has shape {})",
        check::shape(&cache.logits),
        cache.stream.first().map_or("none".into(), check::shape),
        check::shape(&params.unembed)
    );
    // Cross-entropy through the softmax of the logits: p - onehot.
    let mut d_logits = Array2::zeros(cache.logits.dim()); // (T, V)
    for i in 0..t.saturating_sub(1) {
        let target = cache.tokens[i + 1];
        let (_, p) = cross_entropy(cache.logits.row(i), target);
        let mut row = d_logits.row_mut(i);
        row.assign(&(p * scale));
        row[target] -= scale;
    }
    // logits = x U.
    let x_top = &cache.stream[LAYERS];
    grads.unembed += &mm_tn(x_top.view(), d_logits.view()); // (d, T) x (T, V)
    let mut d_x = mm_nt(d_logits.view(), params.unembed.view()); // (T, d)
    for l in (0..LAYERS).rev() {
        let x = &cache.stream[l];
        let mut d_below = d_x.clone(); // through the residual connection
        for (h, hc) in cache.heads[l].iter().enumerate() {
            if hc.ablated {
                continue;
            }
            let head = &params.layers[l][h];
            let g = &mut grads.layers[l][h];
            // out = Z W_o.
            g.w_o += &mm_tn(hc.context.view(), d_x.view()); // (d_k, d)
            let d_z = mm_nt(d_x.view(), head.w_o.view()); // (T, d_k)
            // Z = A V.
            let d_a = mm_nt(d_z.view(), hc.v.view()); // (T, T)
            let d_v = mm_tn(hc.weights.view(), d_z.view()); // (T, d_k)
            // A = causal softmax(S), row by row (chapter 12); masked
            // weights are 0, so their scores get no gradient.
            let mut d_s = Array2::zeros(d_a.dim());
            for ((w, ga), mut out) in hc
                .weights
                .rows()
                .into_iter()
                .zip(d_a.rows())
                .zip(d_s.axis_iter_mut(Axis(0)))
            {
                out.assign(&softmax_backward(w, ga)?);
            }
            // S = c Q K^T.
            let c = 1.0 / (hc.q.ncols() as f64).sqrt();
            let d_q = mm(d_s.view(), hc.k.view()) * c; // (T, d_k)
            let d_k = mm_tn(d_s.view(), hc.q.view()) * c; // (T, d_k)
            // Q = X W_q, K = X W_k, V = X W_v: to the weights, and to X.
            g.w_q += &mm_tn(x.view(), d_q.view()); // (d, d_k)
            g.w_k += &mm_tn(x.view(), d_k.view());
            g.w_v += &mm_tn(x.view(), d_v.view());
            d_below += &mm_nt(d_q.view(), head.w_q.view()); // (T, d)
            d_below += &mm_nt(d_k.view(), head.w_k.view());
            d_below += &mm_nt(d_v.view(), head.w_v.view());
        }
        d_x = d_below;
    }
    // x0 = embed[tokens] + pos.
    for (i, (&tok, row)) in cache.tokens.iter().zip(d_x.rows()).enumerate() {
        let mut e = grads.embed.row_mut(tok);
        e += &row;
        let mut p = grads.pos.row_mut(i);
        p += &row;
    }
    Ok(())
}
// ANCHOR_END: backward

/// The mean next-token loss over every position of every sequence in
/// `batch` and its gradient.
///
/// # Shapes
/// - every sequence: `(T',)` with `2 <= T' <= T`; the gradient has the
///   shapes of `params`
///
/// # Errors
/// An empty batch, or a sequence the model cannot read (see
/// [`forward`]).
pub fn loss_and_grads(
    params: &Params,
    batch: &[Vec<usize>],
) -> Result<(f64, Params)> {
    let predictions: usize =
        batch.iter().map(|s| s.len().saturating_sub(1)).sum();
    ensure!(
        predictions > 0,
        "a loss needs at least one sequence of two or more tokens"
    );
    let scale = 1.0 / predictions as f64;
    let mut grads = params.zeros_like();
    let mut total = 0.0;
    for tokens in batch {
        let cache = forward(params, tokens, &[])?;
        total += position_losses(&cache).iter().sum::<f64>();
        backward(params, &cache, scale, &mut grads)?;
    }
    for (name, g) in grads.named() {
        check::finite(&name, g)?;
    }
    Ok((total * scale, grads))
}

/// The mean next-token loss over `batch`, without the gradient.
///
/// # Shapes
/// - as [`loss_and_grads`]
///
/// # Errors
/// As [`loss_and_grads`].
pub fn loss(params: &Params, batch: &[Vec<usize>]) -> Result<f64> {
    let mut total = 0.0;
    let mut n = 0;
    for tokens in batch {
        let l = position_losses(&forward(params, tokens, &[])?);
        n += l.len();
        total += l.iter().sum::<f64>();
    }
    ensure!(
        n > 0,
        "a loss needs at least one sequence of two or more tokens"
    );
    Ok(total / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> Config {
        Config {
            vocab: 5,
            half: 3,
            d_model: 4,
            n_heads: 2,
            d_head: 2,
        }
    }

    #[test]
    fn causal_weights_are_distributions_over_the_past() {
        let mut rng = SplitMix64::new(2);
        let s = rng.normal_matrix(5, 5) * 3.0;
        let w = causal_softmax(s.view());
        for (i, row) in w.rows().into_iter().enumerate() {
            assert!((row.sum() - 1.0).abs() < 1e-15);
            assert!(row.iter().skip(i + 1).all(|&x| x == 0.0));
        }
    }

    #[test]
    fn bad_tokens_name_the_shapes() {
        let mut rng = SplitMix64::new(3);
        let p = Params::random(tiny(), &mut rng).unwrap();
        let err = forward(&p, &[0, 9], &[]).unwrap_err().to_string();
        assert!(err.contains("(5, 4)"), "{err}");
        let err = forward(&p, &[0; 7], &[]).unwrap_err().to_string();
        assert!(err.contains("(6, 4)"), "{err}");
        assert!(forward(&p, &[], &[]).is_err());
        assert!(loss(&p, &[vec![1]]).is_err());
        assert!(loss_and_grads(&p, &[]).is_err());
        let zero = Config {
            d_head: 0,
            ..tiny()
        };
        assert!(Params::random(zero, &mut rng).is_err());
    }

    #[test]
    fn gradients_of_another_model_name_the_shapes() {
        let mut rng = SplitMix64::new(5);
        let p = Params::random(tiny(), &mut rng).unwrap();
        let wide = Config {
            d_model: 3,
            ..tiny()
        };
        let mut other = Params::random(wide, &mut rng).unwrap();
        let cache = forward(&p, &[1, 2, 3], &[]).unwrap();
        let err = backward(&p, &cache, 1.0, &mut other)
            .unwrap_err()
            .to_string();
        assert!(err.contains("(5, 4)") && err.contains("(5, 3)"), "{err}");
        let mut adam = crate::train::Adam::new(0.1, &p);
        let mut q = p.clone();
        assert!(adam.step(&mut q, &other).is_err());
        let small = forward(&other, &[1, 2], &[]).unwrap();
        let mut grads = p.zeros_like();
        assert!(backward(&p, &small, 1.0, &mut grads).is_err());
    }

    #[test]
    fn an_ablated_head_adds_nothing() {
        let mut rng = SplitMix64::new(4);
        let mut p = Params::random(tiny(), &mut rng).unwrap();
        let tokens = [1, 2, 3, 1, 2, 3];
        let ablated = forward(&p, &tokens, &[(1, 0)]).unwrap();
        p.layers[1][0].w_o.fill(0.0);
        let zeroed = forward(&p, &tokens, &[]).unwrap();
        assert_eq!(ablated.logits, zeroed.logits);
    }
}
