//! The model's sizes and its parameters, laid out as GPT-2's.
//!
//! Every parameter lives in one flat vector of `f64`, tensor after
//! tensor, as llm.c keeps them: the gradient has the same layout, so
//! Adam, the gradient check and the file format each walk one vector.
//! [`Weights`] cuts the vector into named slices.

use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;

// ANCHOR: config
/// The sizes of a decoder-only transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Tokens in the vocabulary (here, characters).
    pub vocab: usize,
    /// The longest sequence; one learned position vector each.
    pub context: usize,
    /// The width of every token's vector.
    pub d_model: usize,
    /// Blocks, one after the other.
    pub n_layers: usize,
    /// Attention heads per block; `d_model` is a multiple of it.
    pub n_heads: usize,
}
// ANCHOR_END: config

/// GPT-2 small's sizes (chapter 14's `GPT2_SMALL`).
pub const GPT2_SMALL: Config = Config {
    vocab: 50_257,
    context: 1_024,
    d_model: 768,
    n_layers: 12,
    n_heads: 12,
};

impl Config {
    /// The width of one head, `d_model / n_heads`.
    pub fn d_head(&self) -> usize {
        self.d_model / self.n_heads
    }

    /// The feed-forward network's hidden width, `4 d_model`.
    pub fn d_ff(&self) -> usize {
        4 * self.d_model
    }

    /// Checks that every size is at least 1 and that the heads split
    /// `d_model` evenly.
    ///
    /// # Errors
    /// A size of 0, or `d_model` not a multiple of `n_heads`.
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.vocab > 0
                && self.context > 0
                && self.d_model > 0
                && self.n_layers > 0
                && self.n_heads > 0,
            "every size must be at least 1, got {self:?}"
        );
        ensure!(
            self.d_model.is_multiple_of(self.n_heads),
            "d_model = {} is not a multiple of n_heads = {}",
            self.d_model,
            self.n_heads
        );
        Ok(())
    }

    // ANCHOR: layout
    /// Every parameter tensor's name and shape, in storage order.
    ///
    /// # Shapes
    /// - token embedding `(vocab, d_model)`, positions `(context, d_model)`
    /// - per block: `ln1` `(d_model,)` twice, `W_qkv` `(d_model,
    ///   3 d_model)` and its bias, `W_o` `(d_model, d_model)` and its
    ///   bias, `ln2` twice, `W_1` `(d_model, d_ff)` and its bias, `W_2`
    ///   `(d_ff, d_model)` and its bias
    /// - the final layer norm's `(d_model,)` twice; no output matrix: the
    ///   logits reuse the token embedding
    pub fn layout(&self) -> Vec<(String, Vec<usize>)> {
        let (v, t, d, f) =
            (self.vocab, self.context, self.d_model, self.d_ff());
        let mut out = vec![
            ("wte".to_string(), vec![v, d]),
            ("wpe".to_string(), vec![t, d]),
        ];
        for l in 0..self.n_layers {
            let shapes: [(&str, Vec<usize>); 12] = [
                ("ln1_g", vec![d]),
                ("ln1_b", vec![d]),
                ("w_qkv", vec![d, 3 * d]),
                ("b_qkv", vec![3 * d]),
                ("w_o", vec![d, d]),
                ("b_o", vec![d]),
                ("ln2_g", vec![d]),
                ("ln2_b", vec![d]),
                ("w_1", vec![d, f]),
                ("b_1", vec![f]),
                ("w_2", vec![f, d]),
                ("b_2", vec![d]),
            ];
            for (name, shape) in shapes {
                out.push((format!("l{}.{name}", l + 1), shape));
            }
        }
        out.push(("lnf_g".to_string(), vec![d]));
        out.push(("lnf_b".to_string(), vec![d]));
        out
    }
    // ANCHOR_END: layout

    /// How many numbers each tensor of [`Config::layout`] holds.
    pub fn sizes(&self) -> Vec<usize> {
        self.layout()
            .iter()
            .map(|(_, s)| s.iter().product())
            .collect()
    }
}

// ANCHOR: parameter_count
/// The number of parameters of a model of these sizes.
///
/// # Shapes
/// - the sum of the sizes of [`Config::layout`]'s tensors
pub fn parameter_count(c: &Config) -> usize {
    c.sizes().iter().sum()
}
// ANCHOR_END: parameter_count

// ANCHOR: multiply_adds
/// The multiply-adds of one forward pass over `batch` sequences of
/// `context` tokens: per token and block the four matrix products
/// (`3 + 1 + 4 + 4 = 12` times `d_model^2`), attention's scores and
/// weighted sums (`2 (t + 1) d_model` at position `t`), and the logits
/// (`vocab d_model`). A training step costs three times as many: the
/// backward pass does two products for each one of the forward (one for
/// the input's gradient, one for the weights'). Element-wise work (layer
/// norm, GELU, softmax, Adam) is not counted.
pub fn forward_multiply_adds(c: &Config, batch: usize) -> u64 {
    let (d, t, l) = (c.d_model as u64, c.context as u64, c.n_layers as u64);
    let per_token = l * 12 * d * d + c.vocab as u64 * d;
    let attention = l * d * t * (t + 1);
    batch as u64 * (t * per_token + attention)
}
// ANCHOR_END: multiply_adds

/// The tensors of one block, as slices of the flat vector.
#[derive(Debug)]
pub struct Block<S> {
    /// First layer norm's gain and shift, `(d_model,)` each.
    pub ln1_g: S,
    /// See `ln1_g`.
    pub ln1_b: S,
    /// Query, key and value projections side by side,
    /// `(d_model, 3 d_model)`, and their bias `(3 d_model,)`.
    pub w_qkv: S,
    /// See `w_qkv`.
    pub b_qkv: S,
    /// The output projection `(d_model, d_model)` and its bias.
    pub w_o: S,
    /// See `w_o`.
    pub b_o: S,
    /// Second layer norm's gain and shift.
    pub ln2_g: S,
    /// See `ln2_g`.
    pub ln2_b: S,
    /// The MLP's widening matrix `(d_model, d_ff)` and its bias.
    pub w_1: S,
    /// See `w_1`.
    pub b_1: S,
    /// The MLP's narrowing matrix `(d_ff, d_model)` and its bias.
    pub w_2: S,
    /// See `w_2`.
    pub b_2: S,
}

/// Every tensor of the model, as slices of the flat vector.
#[derive(Debug)]
pub struct Weights<S> {
    /// Token embedding `(vocab, d_model)`, also the unembedding.
    pub wte: S,
    /// Position embedding `(context, d_model)`.
    pub wpe: S,
    /// The blocks.
    pub blocks: Vec<Block<S>>,
    /// Final layer norm's gain and shift.
    pub lnf_g: S,
    /// See `lnf_g`.
    pub lnf_b: S,
}

impl<S> Weights<S> {
    fn from_parts(n_layers: usize, parts: Vec<S>) -> Self {
        let mut it = parts.into_iter();
        let mut next = || it.next().expect("the layout has every tensor");
        let wte = next();
        let wpe = next();
        let blocks = (0..n_layers)
            .map(|_| Block {
                ln1_g: next(),
                ln1_b: next(),
                w_qkv: next(),
                b_qkv: next(),
                w_o: next(),
                b_o: next(),
                ln2_g: next(),
                ln2_b: next(),
                w_1: next(),
                b_1: next(),
                w_2: next(),
                b_2: next(),
            })
            .collect();
        Weights {
            wte,
            wpe,
            blocks,
            lnf_g: next(),
            lnf_b: next(),
        }
    }
}

/// Cuts `flat` into the tensors of `c`.
///
/// # Shapes
/// - `flat`: `(parameter_count(c),)`
pub fn split<'a>(c: &Config, flat: &'a [f64]) -> Weights<&'a [f64]> {
    let mut rest = flat;
    let mut parts = Vec::new();
    for n in c.sizes() {
        let (head, tail) = rest.split_at(n);
        parts.push(head);
        rest = tail;
    }
    Weights::from_parts(c.n_layers, parts)
}

/// Cuts `flat` into the tensors of `c`, writable.
///
/// # Shapes
/// - `flat`: `(parameter_count(c),)`
pub fn split_mut<'a>(
    c: &Config,
    flat: &'a mut [f64],
) -> Weights<&'a mut [f64]> {
    let mut rest = flat;
    let mut parts = Vec::new();
    for n in c.sizes() {
        let (head, tail) = rest.split_at_mut(n);
        parts.push(head);
        rest = tail;
    }
    Weights::from_parts(c.n_layers, parts)
}

/// A model: its sizes and every parameter in one vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The sizes.
    pub config: Config,
    /// Every parameter, in [`Config::layout`]'s order.
    pub flat: Vec<f64>,
}

// ANCHOR: init
impl Params {
    /// GPT-2's initialisation: matrices and embeddings drawn from a
    /// normal of standard deviation 0.02, the two matrices that write
    /// into the residual stream (`W_o`, `W_2`) scaled down by
    /// `sqrt(2 n_layers)`, biases 0, layer-norm gains 1 and shifts 0.
    ///
    /// # Shapes
    /// - `flat`: `(parameter_count(config),)`
    ///
    /// # Errors
    /// A size of 0 or heads that do not split `d_model`.
    pub fn random(config: Config, rng: &mut SplitMix64) -> Result<Self> {
        config.check()?;
        let residual = 0.02 / ((2 * config.n_layers) as f64).sqrt();
        let mut flat = Vec::with_capacity(parameter_count(&config));
        for (name, shape) in config.layout() {
            let n: usize = shape.iter().product();
            let kind = name.rsplit('.').next().unwrap_or(&name);
            for _ in 0..n {
                flat.push(match kind {
                    "w_o" | "w_2" => residual * rng.normal(),
                    "wte" | "wpe" | "w_qkv" | "w_1" => 0.02 * rng.normal(),
                    "ln1_g" | "ln2_g" | "lnf_g" => 1.0,
                    _ => 0.0,
                });
            }
        }
        Ok(Self { config, flat })
    }
}
// ANCHOR_END: init

impl Params {
    /// The tensors, read-only.
    pub fn weights(&self) -> Weights<&[f64]> {
        split(&self.config, &self.flat)
    }

    /// Zeros of the same layout (a gradient to fill).
    pub fn zeros_like(&self) -> Self {
        Self {
            config: self.config,
            flat: vec![0.0; self.flat.len()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_small_has_124_439_808_parameters_as_chapter_14_counts() {
        assert_eq!(parameter_count(&GPT2_SMALL), 124_439_808);
        let ch14 = ch14_where_attention_lives::block::model_count(
            &ch14_where_attention_lives::block::GPT2_SMALL,
        )
        .unwrap();
        assert_eq!(parameter_count(&GPT2_SMALL), ch14.total());
    }

    #[test]
    fn bad_sizes_are_refused() {
        let mut c = GPT2_SMALL;
        c.n_heads = 7;
        assert!(c.check().unwrap_err().to_string().contains("768"));
        c.n_heads = 0;
        assert!(c.check().is_err());
    }
}
