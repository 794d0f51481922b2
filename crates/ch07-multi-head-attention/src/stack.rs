//! Way one: a stack of single heads, each a chapter 5 layer of width
//! `d_head`, run one after another, concatenated, then projected by `W_o`.

use crate::heads::{Mask, MultiHeadOutput, head_weights};
use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::AttentionOutput;
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array2, ArrayView2, Axis, concatenate, stack};

// ANCHOR: struct
/// Multi-head attention as a list of independent heads.
///
/// Head `h` is a chapter 5 [`SelfAttention`] with its own `W_q`, `W_k`
/// and `W_v` of shape `(d_in, d_head)`. The heads' outputs are laid side
/// by side into a `(T, n_heads * d_head)` matrix and multiplied by `W_o`.
///
/// # Shapes
/// - every head: `(d_in, d_head)` projections
/// - `w_o`: `(d_out, d_out)` with `d_out = n_heads * d_head`
#[derive(Debug, Clone, PartialEq)]
pub struct HeadStack {
    heads: Vec<SelfAttention>,
    w_o: Array2<f64>,
    mask: Mask,
}
// ANCHOR_END: struct

impl HeadStack {
    /// Builds the stack from given heads and output projection.
    ///
    /// # Shapes
    /// - `heads`: `n_heads` layers, each with `(d_in, d_head)` projections
    /// - `w_o`: `(d_out, d_out)` with `d_out = n_heads * d_head`
    ///
    /// # Errors
    /// No heads, heads of different shapes (the error names the first head
    /// that differs and both shapes), or `w_o` empty, non-finite or not
    /// `(d_out, d_out)`.
    pub fn new(
        heads: Vec<SelfAttention>,
        w_o: Array2<f64>,
        mask: Mask,
    ) -> Result<Self> {
        let Some(first) = heads.first() else {
            bail!(
                "a multi-head layer needs at least one head, got n_heads = 0"
            );
        };
        let (d_in, d_head) = (first.d_in(), first.d_out());
        for (h, head) in heads.iter().enumerate() {
            if (head.d_in(), head.d_out()) != (d_in, d_head) {
                bail!(
                    "every head must have the same shape: head 1's \
                     projections are ({d_in}, {d_head}) but head {}'s are \
                     ({}, {})",
                    h + 1,
                    head.d_in(),
                    head.d_out()
                );
            }
        }
        check::usable("w_o", &w_o)?;
        let d_out = heads.len() * d_head;
        ensure!(
            w_o.dim() == (d_out, d_out),
            "`w_o` must have shape (d_out, d_out) = ({d_out}, {d_out}) for \
             {} heads of width {d_head}, but it has shape {}",
            heads.len(),
            check::shape(&w_o)
        );
        Ok(Self { heads, w_o, mask })
    }

    // ANCHOR: random
    /// Builds the stack with random weights from `rng`.
    ///
    /// Head 1 is drawn first, then head 2, and so on, each with chapter
    /// 5's [`SelfAttention::random`] (uniform in `[-1/sqrt(d_in),
    /// 1/sqrt(d_in))`); `W_o` comes last, uniform in `[-1/sqrt(d_out),
    /// 1/sqrt(d_out))`, row by row.
    ///
    /// # Shapes
    /// - returns `n_heads` heads with `(d_in, d_out / n_heads)`
    ///   projections and `w_o` of `(d_out, d_out)`
    ///
    /// # Errors
    /// `d_in == 0`, `n_heads == 0`, or `d_out` not a multiple of `n_heads`.
    pub fn random(
        d_in: usize,
        d_out: usize,
        n_heads: usize,
        mask: Mask,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        let d_head = crate::heads::head_width(d_out, n_heads)?;
        let heads = (0..n_heads)
            .map(|_| SelfAttention::random(d_in, d_head, rng))
            .collect::<Result<Vec<_>>>()?;
        let bound = 1.0 / (d_out as f64).sqrt();
        let w_o = rng.uniform_matrix(d_out, d_out, -bound, bound);
        Self::new(heads, w_o, mask)
    }
    // ANCHOR_END: random

    /// The heads, in order.
    pub fn heads(&self) -> &[SelfAttention] {
        &self.heads
    }

    /// The output projection. Shape `(d_out, d_out)`.
    pub fn w_o(&self) -> ArrayView2<'_, f64> {
        self.w_o.view()
    }

    /// Whether the heads hide the future.
    pub fn mask(&self) -> Mask {
        self.mask
    }

    /// The number of heads.
    pub fn n_heads(&self) -> usize {
        self.heads.len()
    }

    /// The width of each head's queries, keys and values.
    pub fn d_head(&self) -> usize {
        self.heads[0].d_out()
    }

    /// The width of an input token.
    pub fn d_in(&self) -> usize {
        self.heads[0].d_in()
    }

    /// The width of the output, `n_heads * d_head`.
    pub fn d_out(&self) -> usize {
        self.n_heads() * self.d_head()
    }

    // ANCHOR: forward
    /// Runs every head on `x`, lays their contexts side by side and
    /// projects the result with `W_o`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`
    /// - returns scores and weights `(n_heads, T, T)`, and the
    ///   concatenated heads and the context, both `(T, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or `x` whose width is not `d_in`.
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<MultiHeadOutput> {
        let mut heads = Vec::new();
        for head in &self.heads {
            let q = head.queries(x)?; // (T, d_in) x (d_in, d_head)
            let k = head.keys(x)?; // (T, d_in) x (d_in, d_head)
            let v = head.values(x)?; // (T, d_in) x (d_in, d_head)
            let scale = 1.0 / (head.d_out() as f64).sqrt();
            let scores = q.dot(&k.t()) * scale; // (T, d_head) x (d_head, T)
            let weights = head_weights(scores.view(), self.mask)?;
            let context = weights.dot(&v); // (T, T) x (T, d_head)
            heads.push(AttentionOutput {
                scores,
                weights,
                context,
            });
        }
        let contexts: Vec<_> = heads.iter().map(|h| h.context.view()).collect();
        // n_heads x (T, d_head) -> (T, d_out)
        let concatenated = concatenate(Axis(1), &contexts)?;
        // (T, d_out) x (d_out, d_out) -> (T, d_out)
        let context = concatenated.dot(&self.w_o);
        let scores: Vec<_> = heads.iter().map(|h| h.scores.view()).collect();
        let weights: Vec<_> = heads.iter().map(|h| h.weights.view()).collect();
        Ok(MultiHeadOutput {
            scores: stack(Axis(0), &scores)?, // -> (n_heads, T, T)
            weights: stack(Axis(0), &weights)?, // -> (n_heads, T, T)
            concatenated,
            context,
        })
    }
    // ANCHOR_END: forward
}

#[cfg(test)]
mod tests {
    use super::*;
    use ch04_self_attention::sentences::journey;
    use ch05_trainable_weights::journey_projections;
    use ndarray::s;
    use proptest::prelude::*;

    #[test]
    fn one_head_with_the_identity_is_chapter_5() {
        // A single head and W_o = I: the layer is chapter 5's layer.
        let (w_q, w_k, w_v) = journey_projections();
        let head = SelfAttention::new(w_q, w_k, w_v).unwrap();
        let stack =
            HeadStack::new(vec![head.clone()], Array2::eye(2), Mask::None)
                .unwrap();
        let x = journey().x;
        let ours = stack.forward(x.view()).unwrap();
        let theirs = head.forward(x.view()).unwrap();
        for (a, b) in ours.context.iter().zip(&theirs.context) {
            assert!((a - b).abs() < 1e-12);
        }
        assert_eq!(ours.concatenated, ours.context);
    }

    #[test]
    fn head_blocks_sit_side_by_side() {
        let mut rng = SplitMix64::new(3);
        let stack = HeadStack::random(3, 6, 3, Mask::None, &mut rng).unwrap();
        let x = journey().x;
        let out = stack.forward(x.view()).unwrap();
        let second = stack.heads()[1].forward(x.view()).unwrap();
        // Columns 2..4 of the concatenation are head 2's context.
        assert_eq!(out.concatenated.slice(s![.., 2..4]), second.context);
        assert_eq!(out.weights.index_axis(Axis(0), 1), second.weights);
    }

    #[test]
    fn zero_heads_is_an_error() {
        let err = HeadStack::new(vec![], Array2::eye(2), Mask::None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("n_heads = 0"), "{err}");
    }

    #[test]
    fn heads_of_different_widths_are_named() {
        let mut rng = SplitMix64::new(1);
        let a = SelfAttention::random(3, 2, &mut rng).unwrap();
        let b = SelfAttention::random(3, 4, &mut rng).unwrap();
        let err = HeadStack::new(vec![a, b], Array2::eye(4), Mask::None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("head 1's projections are (3, 2)"), "{err}");
        assert!(err.contains("head 2's are (3, 4)"), "{err}");
    }

    #[test]
    fn a_w_o_of_the_wrong_shape_names_it() {
        let mut rng = SplitMix64::new(1);
        let heads = (0..2)
            .map(|_| SelfAttention::random(3, 2, &mut rng).unwrap())
            .collect();
        let err = HeadStack::new(heads, Array2::eye(2), Mask::None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("(d_out, d_out) = (4, 4)"), "{err}");
        assert!(err.contains("shape (2, 2)"), "{err}");
    }

    #[test]
    fn random_rejects_an_uneven_split() {
        let mut rng = SplitMix64::new(1);
        let err = HeadStack::random(3, 10, 4, Mask::None, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(err.contains("d_out = 10"), "{err}");
        assert!(err.contains("n_heads = 4"), "{err}");
    }

    #[test]
    fn bad_inputs_are_errors_naming_the_shapes() {
        let mut rng = SplitMix64::new(1);
        let stack = HeadStack::random(3, 4, 2, Mask::Causal, &mut rng).unwrap();
        let err = stack
            .forward(Array2::zeros((0, 3)).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x` with shape (0, 3) is empty"), "{err}");
        let err = stack
            .forward(Array2::ones((2, 5)).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x` has shape (2, 5)"), "{err}");
        let mut x = journey().x;
        x[[1, 1]] = f64::NAN;
        let err = stack.forward(x.view()).unwrap_err().to_string();
        assert!(err.contains("NaN at (1, 1)"), "{err}");
    }

    proptest! {
        #[test]
        fn the_output_is_a_sum_of_one_term_per_head(
            t in 1usize..6, d_in in 1usize..5, n_heads in 1usize..5,
            d_head in 1usize..4, seed in any::<u64>(),
        ) {
            // [c_1 | ... | c_n] W_o = sum over h of c_h W_o[rows of h]:
            // each head writes into every output column through its own
            // (d_head, d_out) block of W_o.
            let mut rng = SplitMix64::new(seed);
            let d_out = n_heads * d_head;
            let stack =
                HeadStack::random(d_in, d_out, n_heads, Mask::None, &mut rng)
                    .unwrap();
            let x = rng.normal_matrix(t, d_in);
            let out = stack.forward(x.view()).unwrap();
            let mut sum = Array2::<f64>::zeros((t, d_out));
            for h in 0..n_heads {
                let block = s![.., h * d_head..(h + 1) * d_head];
                let rows = s![h * d_head..(h + 1) * d_head, ..];
                let c_h = out.concatenated.slice(block); // (T, d_head)
                let w_o = stack.w_o();
                // (T, d_head) x (d_head, d_out) -> (T, d_out)
                sum += &c_h.dot(&w_o.slice(rows));
            }
            for (a, b) in sum.iter().zip(&out.context) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }
    }
}
