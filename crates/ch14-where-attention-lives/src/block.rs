//! The transformer block around attention: layer norm, attention, a
//! residual connection, layer norm, a feed-forward network and a second
//! residual connection, in GPT-2's order (norm first).

use anyhow::{Result, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch07_multi_head_attention::{Mask, MultiHeadAttention};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// The small number layer norm adds to the variance before the square
/// root, so a row of equal values does not divide by zero (GPT-2's).
pub const EPS: f64 = 1e-5;

// ANCHOR: layer_norm
/// Layer norm of every row: subtract the row's mean, divide by its
/// standard deviation, then scale by `gamma` and shift by `beta`.
///
/// `(x - mean) / sqrt(var + EPS) * gamma + beta`, with the variance
/// divided by `d_model` (not `d_model - 1`). With `gamma = 1` and
/// `beta = 0` every row comes out with mean 0 and variance just under 1.
///
/// # Shapes
/// - `x`: `(T, d_model)`; `gamma`, `beta`: `(d_model,)` -> `(T, d_model)`
///
/// # Errors
/// Empty or non-finite inputs, or `gamma`/`beta` of another width.
pub fn layer_norm(
    x: ArrayView2<f64>,
    gamma: ArrayView1<f64>,
    beta: ArrayView1<f64>,
) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    for (name, v) in [("gamma", &gamma), ("beta", &beta)] {
        check::usable(name, v)?;
        check::same_len(
            "the width of x and of the layer norm's parameters",
            ("x", x.ncols(), &check::shape(&x)),
            (name, v.len(), &check::shape(v)),
        )?;
    }
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let mean = row.mean().unwrap_or(0.0);
        let var = row.mapv(|v| (v - mean).powi(2)).mean().unwrap_or(0.0);
        let scale = 1.0 / (var + EPS).sqrt();
        row.zip_mut_with(&gamma, |v, g| *v = (*v - mean) * scale * g);
        row += &beta;
    }
    Ok(out)
}
// ANCHOR_END: layer_norm

// ANCHOR: gelu
/// GELU, GPT-2's activation, in the tanh form GPT-2 uses:
/// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
///
/// # Shapes
/// - one number -> one number (applied entry by entry with `mapv`)
pub fn gelu(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044_715 * x.powi(3))).tanh())
}
// ANCHOR_END: gelu

/// The feed-forward network: widen, GELU, narrow back.
///
/// # Shapes
/// - `w1`: `(d_model, d_ff)`, `b1`: `(d_ff,)`
/// - `w2`: `(d_ff, d_model)`, `b2`: `(d_model,)`
#[derive(Debug, Clone, PartialEq)]
pub struct FeedForward {
    w1: Array2<f64>,
    b1: Array1<f64>,
    w2: Array2<f64>,
    b2: Array1<f64>,
}

impl FeedForward {
    /// Seeded random weights scaled by `1 / sqrt(fan_in)`, zero biases.
    ///
    /// # Shapes
    /// - returns `w1` `(d_model, d_ff)` and `w2` `(d_ff, d_model)`
    ///
    /// # Errors
    /// `d_model == 0` or `d_ff == 0`.
    pub fn random(
        d_model: usize,
        d_ff: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        ensure!(
            d_model > 0 && d_ff > 0,
            "a feed-forward network needs d_model >= 1 and d_ff >= 1, got \
             ({d_model}, {d_ff})"
        );
        let w1 = rng.normal_matrix(d_model, d_ff) / (d_model as f64).sqrt();
        let w2 = rng.normal_matrix(d_ff, d_model) / (d_ff as f64).sqrt();
        Ok(Self {
            w1,
            b1: Array1::zeros(d_ff),
            w2,
            b2: Array1::zeros(d_model),
        })
    }

    // ANCHOR: feed_forward
    /// `GELU(X W1 + b1) W2 + b2`, the same two matrices for every token.
    ///
    /// # Shapes
    /// - `x`: `(T, d_model)` -> `(T, d_model)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or one of another width.
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        check::usable("x", &x)?;
        check::same_len(
            "the width of x and of the feed-forward network (d_model)",
            ("x", x.ncols(), &check::shape(&x)),
            ("w1", self.w1.nrows(), &check::shape(&self.w1)),
        )?;
        // (T, d_model) x (d_model, d_ff) -> (T, d_ff)
        let hidden = (x.dot(&self.w1) + &self.b1).mapv(gelu);
        // (T, d_ff) x (d_ff, d_model) -> (T, d_model)
        Ok(hidden.dot(&self.w2) + &self.b2)
    }
    // ANCHOR_END: feed_forward

    /// How many numbers it learns: `w1`, `b1`, `w2` and `b2`.
    ///
    /// # Shapes
    /// - `d_model * d_ff + d_ff + d_ff * d_model + d_model`
    pub fn parameters(&self) -> usize {
        self.w1.len() + self.b1.len() + self.w2.len() + self.b2.len()
    }
}

/// One transformer block in GPT-2's order, with causal attention.
///
/// # Shapes
/// - attention: `(d_model, d_model)` projections and `W_o`
/// - two layer norms with `(d_model,)` `gamma` and `beta` each
/// - feed-forward: `(d_model, d_ff)` then `(d_ff, d_model)`
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    gamma1: Array1<f64>,
    beta1: Array1<f64>,
    attention: MultiHeadAttention,
    gamma2: Array1<f64>,
    beta2: Array1<f64>,
    ffn: FeedForward,
}

/// What a block computes, step by step.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockOutput {
    /// `LN1(X)`. Shape `(T, d_model)`.
    pub normed: Array2<f64>,
    /// `X + attention(LN1(X))`. Shape `(T, d_model)`.
    pub after_attention: Array2<f64>,
    /// `after_attention + FFN(LN2(after_attention))`. Shape
    /// `(T, d_model)`.
    pub output: Array2<f64>,
}

impl Block {
    /// Seeded random attention and feed-forward weights (attention drawn
    /// first, as chapter 7's layer draws them), layer norms at
    /// `gamma = 1`, `beta = 0`.
    ///
    /// # Shapes
    /// - see [`Block`]
    ///
    /// # Errors
    /// A zero size, or `d_model` not a multiple of `n_heads`.
    pub fn random(
        d_model: usize,
        n_heads: usize,
        d_ff: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        let attention = MultiHeadAttention::random(
            d_model,
            d_model,
            n_heads,
            Mask::Causal,
            rng,
        )?;
        let ffn = FeedForward::random(d_model, d_ff, rng)?;
        Ok(Self {
            gamma1: Array1::ones(d_model),
            beta1: Array1::zeros(d_model),
            attention,
            gamma2: Array1::ones(d_model),
            beta2: Array1::zeros(d_model),
            ffn,
        })
    }

    // ANCHOR: block_forward
    /// The block's forward pass:
    /// `H = X + Attention(LN1(X))`, then `Y = H + FFN(LN2(H))`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_model)` -> every step `(T, d_model)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or one of another width.
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<BlockOutput> {
        let normed = layer_norm(x, self.gamma1.view(), self.beta1.view())?;
        let attended = self.attention.forward(normed.view())?.context;
        let after_attention = &x + &attended; // residual: (T, d_model)
        let normed2 = layer_norm(
            after_attention.view(),
            self.gamma2.view(),
            self.beta2.view(),
        )?;
        let fed = self.ffn.forward(normed2.view())?;
        let output = &after_attention + &fed; // residual: (T, d_model)
        Ok(BlockOutput {
            normed,
            after_attention,
            output,
        })
    }
    // ANCHOR_END: block_forward

    /// How many numbers the block really holds, array by array.
    ///
    /// # Shapes
    /// - the sum of the lengths of every array in [`Block`]
    pub fn parameters(&self) -> usize {
        let a = &self.attention;
        let attention =
            a.w_q().len() + a.w_k().len() + a.w_v().len() + a.w_o().len();
        let norms = self.gamma1.len()
            + self.beta1.len()
            + self.gamma2.len()
            + self.beta2.len();
        attention + norms + self.ffn.parameters()
    }
}

/// The sizes of a GPT-style model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSizes {
    /// Tokens in the vocabulary.
    pub vocab: usize,
    /// Positions with a learned embedding (the context length).
    pub context: usize,
    /// The width of every token's vector.
    pub d_model: usize,
    /// Blocks stacked one after the other.
    pub n_layers: usize,
    /// Attention heads per block.
    pub n_heads: usize,
    /// The feed-forward network's hidden width.
    pub d_ff: usize,
    /// Whether the attention projections carry biases.
    pub attention_bias: bool,
}

// ANCHOR: gpt2_small
/// GPT-2 small's sizes, from its released configuration.
pub const GPT2_SMALL: ModelSizes = ModelSizes {
    vocab: 50_257,
    context: 1_024,
    d_model: 768,
    n_layers: 12,
    n_heads: 12,
    d_ff: 3_072,
    attention_bias: true,
};
// ANCHOR_END: gpt2_small

/// The parameters of a GPT-style model, part by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelCount {
    /// Token embeddings, `vocab * d_model` (also the output layer: the
    /// two share one matrix, "tied").
    pub token_embeddings: usize,
    /// Learned position embeddings, `context * d_model`.
    pub position_embeddings: usize,
    /// One block's attention layer (chapter 7's count).
    pub attention: usize,
    /// One block's two layer norms, `2 * 2 * d_model`.
    pub norms: usize,
    /// One block's feed-forward network,
    /// `2 * d_model * d_ff + d_ff + d_model`.
    pub feed_forward: usize,
    /// The final layer norm after the last block, `2 * d_model`.
    pub final_norm: usize,
    /// How many blocks.
    pub n_layers: usize,
}

impl ModelCount {
    /// One block: attention, two layer norms and the feed-forward network.
    ///
    /// # Shapes
    /// - `attention + norms + feed_forward`
    pub fn block(&self) -> usize {
        self.attention + self.norms + self.feed_forward
    }

    /// The whole model.
    ///
    /// # Shapes
    /// - embeddings, `n_layers` blocks and the final layer norm
    pub fn total(&self) -> usize {
        self.token_embeddings
            + self.position_embeddings
            + self.n_layers * self.block()
            + self.final_norm
    }
}

// ANCHOR: model_count
/// Counts a GPT-style model's parameters from its sizes.
///
/// # Shapes
/// - see [`ModelCount`]'s fields
///
/// # Errors
/// A size of 0, or `d_model` not a multiple of `n_heads`.
pub fn model_count(s: &ModelSizes) -> Result<ModelCount> {
    ensure!(
        s.vocab > 0 && s.context > 0 && s.n_layers > 0 && s.d_ff > 0,
        "every size must be at least 1, got {s:?}"
    );
    let d = s.d_model;
    Ok(ModelCount {
        token_embeddings: s.vocab * d,
        position_embeddings: s.context * d,
        attention: ch07_multi_head_attention::params::parameter_count(
            d,
            d,
            s.n_heads,
            s.attention_bias,
        )?,
        norms: 2 * 2 * d,
        feed_forward: d * s.d_ff + s.d_ff + s.d_ff * d + d,
        final_norm: 2 * d,
        n_layers: s.n_layers,
    })
}
// ANCHOR_END: model_count

/// The mean and variance of every row of `x`.
///
/// # Shapes
/// - `x`: `(T, d_model)` -> two `(T,)` vectors
pub fn row_stats(x: ArrayView2<f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = x.mean_axis(Axis(1)).unwrap_or_else(|| Array1::zeros(0));
    let var = Array1::from_iter(
        x.rows()
            .into_iter()
            .zip(&mean)
            .map(|(r, m)| r.mapv(|v| (v - m).powi(2)).mean().unwrap_or(0.0)),
    );
    (mean, var)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn gpt2_small_has_124_439_808_parameters() {
        // Python: 50257*768 + 1024*768 + 12*(2362368 + 3072 + 4722432)
        // + 1536 = 38597376 + 786432 + 85054464 + 1536 = 124439808.
        let c = model_count(&GPT2_SMALL).unwrap();
        assert_eq!(c.attention, 2_362_368);
        assert_eq!(c.feed_forward, 4_722_432);
        assert_eq!(c.block(), 7_087_872);
        assert_eq!(c.total(), 124_439_808);
    }

    #[test]
    fn layer_norm_of_1_2_3() {
        // mean 2, variance 2/3; (x - 2) / sqrt(2/3 + 1e-5).
        let out = layer_norm(
            array![[1.0, 2.0, 3.0]].view(),
            array![1.0, 1.0, 1.0].view(),
            array![0.0, 0.0, 0.0].view(),
        )
        .unwrap();
        let s = (2.0f64 / 3.0 + EPS).sqrt();
        assert!((out[[0, 0]] + 1.0 / s).abs() < 1e-12);
        assert!(out[[0, 1]].abs() < 1e-12);
    }

    #[test]
    fn zero_sizes_are_refused() {
        let mut rng = SplitMix64::new(2);
        assert!(FeedForward::random(0, 4, &mut rng).is_err());
        assert!(FeedForward::random(4, 0, &mut rng).is_err());
        let bad = ModelSizes {
            vocab: 0,
            ..GPT2_SMALL
        };
        assert!(model_count(&bad).is_err());
        let bad = ModelSizes {
            n_heads: 5,
            ..GPT2_SMALL
        };
        let err = model_count(&bad).unwrap_err().to_string();
        assert!(err.contains("n_heads = 5"), "{err}");
        let ffn = FeedForward::random(3, 4, &mut rng).unwrap();
        let err = ffn.forward(Array2::zeros((2, 5)).view()).unwrap_err();
        assert!(err.to_string().contains("(2, 5)"), "{err}");
    }

    #[test]
    fn gelu_is_zero_at_zero_and_near_identity_for_large_x() {
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(10.0) - 10.0).abs() < 1e-12);
        assert!(gelu(-10.0).abs() < 1e-12);
    }

    #[test]
    fn wrong_widths_are_refused_naming_shapes() {
        let mut rng = SplitMix64::new(1);
        let block = Block::random(4, 2, 8, &mut rng).unwrap();
        let err = block.forward(Array2::zeros((3, 5)).view()).unwrap_err();
        assert!(err.to_string().contains("(3, 5)"), "{err}");
        let err = layer_norm(
            array![[1.0, 2.0]].view(),
            array![1.0].view(),
            array![0.0, 0.0].view(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("(1,)"), "{err}");
        assert!(Block::random(6, 4, 8, &mut rng).is_err());
    }

    proptest! {
        #[test]
        fn the_formula_counts_the_arrays_a_block_holds(
            d_head in 1usize..5, n_heads in 1usize..4, d_ff in 1usize..20,
            seed in any::<u64>(),
        ) {
            let d_model = d_head * n_heads;
            let mut rng = SplitMix64::new(seed);
            let block = Block::random(d_model, n_heads, d_ff, &mut rng)
                .unwrap();
            let sizes = ModelSizes {
                vocab: 1, context: 1, d_model, n_layers: 1, n_heads, d_ff,
                attention_bias: false,
            };
            let count = model_count(&sizes).unwrap();
            prop_assert_eq!(block.parameters(), count.block());
        }

        #[test]
        fn layer_norm_rows_have_mean_0(
            seed in any::<u64>(), t in 1usize..5, d in 2usize..9,
            scale in 0.1f64..100.0,
        ) {
            let x = SplitMix64::new(seed).normal_matrix(t, d) * scale;
            let ones = Array1::ones(d);
            let zeros = Array1::zeros(d);
            let y = layer_norm(x.view(), ones.view(), zeros.view()).unwrap();
            let (mean, var) = row_stats(y.view());
            for (m, v) in mean.iter().zip(&var) {
                prop_assert!(m.abs() < 1e-12);
                prop_assert!(*v <= 1.0 + 1e-12);
            }
        }
    }
}
