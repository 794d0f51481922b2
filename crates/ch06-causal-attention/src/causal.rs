//! Causal self-attention: chapter 5's layer with the future masked out
//! and dropout on the weights, for one sequence or a batch.

use crate::dropout::Dropout;
use crate::mask::{causal_mask, masked_softmax};
use anyhow::{Result, bail};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{AttentionOutput, Scale, check_qkv};
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis};

// ANCHOR: masked_attention
/// Scaled dot-product attention in which query `i` may only see the keys
/// `j` with `allowed[[i, j]]`: `masked_softmax(Q K^T / sqrt(d_k)) V`.
///
/// A query with nothing allowed gets all-zero weights and so the zero
/// vector as its context (see [`masked_softmax`]).
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)`,
///   `allowed`: `(T_q, T_k)`
/// - returns `scores` `(T_q, T_k)` (scaled, before masking, so all
///   finite), `weights` `(T_q, T_k)` (after masking) and `context`
///   `(T_q, d_v)`
///
/// # Errors
/// Empty or non-finite inputs, queries and keys of different widths, a
/// different number of keys and values, or a mask whose shape is not
/// `(T_q, T_k)`; every error names the shapes.
pub fn masked_attention(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    allowed: ArrayView2<bool>,
) -> Result<AttentionOutput> {
    check_qkv(q, k, v)?;
    let scale = Scale::InvSqrtDk.factor(q.ncols());
    // (T_q, d_k) x (d_k, T_k) -> (T_q, T_k)
    let scores = q.dot(&k.t()) * scale;
    let weights = masked_softmax(scores.view(), allowed)?;
    // (T_q, T_k) x (T_k, d_v) -> (T_q, d_v)
    let context = weights.dot(&v);
    Ok(AttentionOutput {
        scores,
        weights,
        context,
    })
}
// ANCHOR_END: masked_attention

// ANCHOR: struct
/// Causal self-attention: each token attends to itself and the tokens
/// before it, never to the ones after it. During training, dropout is
/// applied to the attention weights.
///
/// # Shapes
/// - the inner layer's projections are `(d_in, d_out)` each
#[derive(Debug, Clone, PartialEq)]
pub struct CausalAttention {
    attention: SelfAttention,
    dropout: Dropout,
}
// ANCHOR_END: struct

impl CausalAttention {
    /// Wraps chapter 5's layer with a causal mask and dropout of
    /// probability `dropout_p` (0 for none).
    ///
    /// # Errors
    /// `dropout_p` outside `[0, 1)`; the error names the value.
    pub fn new(attention: SelfAttention, dropout_p: f64) -> Result<Self> {
        Ok(Self {
            attention,
            dropout: Dropout::new(dropout_p)?,
        })
    }

    /// The self-attention layer inside: its projections and widths.
    pub fn attention(&self) -> &SelfAttention {
        &self.attention
    }

    /// The dropout applied to the weights during training.
    pub fn dropout(&self) -> Dropout {
        self.dropout
    }

    /// The width of an input token.
    pub fn d_in(&self) -> usize {
        self.attention.d_in()
    }

    /// The width of an output (context) vector.
    pub fn d_out(&self) -> usize {
        self.attention.d_out()
    }

    // ANCHOR: forward
    /// Causal self-attention over one sequence.
    ///
    /// With `rng` given (training), dropout is applied to the weights
    /// after the softmax, and `weights` in the result are the ones after
    /// dropout, the ones that actually mixed the values. With `None`
    /// (inference), there is no dropout.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`, one token per row
    /// - returns `scores` `(T, T)` (scaled, before masking), `weights`
    ///   `(T, T)` (zero above the diagonal) and `context` `(T, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or `x` whose width is not `d_in`; the
    /// error names both shapes.
    pub fn forward(
        &self,
        x: ArrayView2<f64>,
        rng: Option<&mut SplitMix64>,
    ) -> Result<AttentionOutput> {
        // Each projection: (T, d_in) x (d_in, d_out) -> (T, d_out)
        let q = self.attention.queries(x)?;
        let k = self.attention.keys(x)?;
        let v = self.attention.values(x)?;
        // Ensure each token only looks left: (T, T), true where j <= i.
        let allowed = causal_mask(x.nrows());
        let mut out =
            masked_attention(q.view(), k.view(), v.view(), allowed.view())?;
        if let Some(rng) = rng {
            // Training only: drop some weights, scale up the rest.
            out.weights = self.dropout.apply(out.weights.view(), rng);
            // (T, T) x (T, d_out) -> (T, d_out)
            out.context = out.weights.dot(&v);
        }
        Ok(out)
    }
    // ANCHOR_END: forward

    // ANCHOR: forward_batch
    /// Causal self-attention over a batch of `B` sequences of equal
    /// length, each attended to on its own.
    ///
    /// With `rng` given, the sequences draw their dropout masks from it
    /// one after the other, batch entry 0 first.
    ///
    /// # Shapes
    /// - `x`: `(B, T, d_in)` -> context `(B, T, d_out)`
    ///
    /// # Errors
    /// An empty batch (`B`, `T` or `d_in` equal to 0), a non-finite entry,
    /// or a width that is not `d_in`; the error names the shapes.
    pub fn forward_batch(
        &self,
        x: ArrayView3<f64>,
        mut rng: Option<&mut SplitMix64>,
    ) -> Result<Array3<f64>> {
        check::usable("x", &x)?;
        check::same_len(
            "the width of every token in `x` and d_in",
            ("x", x.len_of(Axis(2)), &check::shape(&x)),
            ("w_q", self.d_in(), &check::shape(&self.attention.w_q())),
        )?;
        let (b, t, _) = x.dim();
        let mut context = Array3::zeros((b, t, self.d_out()));
        for (sequence, mut out) in x.outer_iter().zip(context.outer_iter_mut())
        {
            // (T, d_in) -> (T, d_out), one sequence at a time
            let one = self.forward(sequence, rng.as_deref_mut())?;
            out.assign(&one.context);
        }
        Ok(context)
    }
    // ANCHOR_END: forward_batch
}

// ANCHOR: batch
/// Stacks sequences of equal shape into one batch.
///
/// # Shapes
/// - each of the `B` sequences: `(T, d_in)` -> `(B, T, d_in)`
///
/// # Errors
/// No sequences, or sequences of different shapes (the error names the
/// first shape and the one that differs).
pub fn batch(sequences: &[ArrayView2<f64>]) -> Result<Array3<f64>> {
    let Some(first) = sequences.first() else {
        bail!("a batch needs at least one sequence, got none");
    };
    for (b, s) in sequences.iter().enumerate() {
        if s.dim() != first.dim() {
            bail!(
                "every sequence in a batch must have the same shape \
                 (T, d_in): sequence 0 has shape {} but sequence {b} has \
                 shape {}",
                check::shape(first),
                check::shape(s)
            );
        }
    }
    let (t, d_in) = first.dim();
    let mut x = Array3::zeros((sequences.len(), t, d_in));
    for (mut slot, s) in x.outer_iter_mut().zip(sequences) {
        slot.assign(s);
    }
    Ok(x) // B x (T, d_in) -> (B, T, d_in)
}
// ANCHOR_END: batch

/// One sequence of a batch as an owned matrix.
///
/// # Shapes
/// - `x`: `(B, T, d)`, `b < B` -> `(T, d)`
pub fn sequence(x: ArrayView3<f64>, b: usize) -> Array2<f64> {
    x.index_axis(Axis(0), b).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array, s};
    use proptest::prelude::*;

    /// A random layer and a random `(T, d_in)` input from one seed.
    fn random_setup(
        t: usize,
        d_in: usize,
        d_out: usize,
        seed: u64,
    ) -> (CausalAttention, Array2<f64>) {
        let mut rng = SplitMix64::new(seed);
        let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
        let x = rng.normal_matrix(t, d_in);
        (CausalAttention::new(layer, 0.5).unwrap(), x)
    }

    #[test]
    fn the_first_token_can_only_see_itself() {
        let (layer, x) = random_setup(4, 3, 2, 11);
        let out = layer.forward(x.view(), None).unwrap();
        let v = layer.attention().values(x.view()).unwrap();
        assert_eq!(out.weights.row(0), array![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(out.context.row(0), v.row(0));
    }

    #[test]
    fn a_bad_dropout_probability_is_named() {
        let (layer, _) = random_setup(1, 2, 2, 1);
        let err = CausalAttention::new(layer.attention().clone(), 1.0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("got 1"), "{err}");
    }

    #[test]
    fn an_input_of_the_wrong_width_names_both_shapes() {
        let (layer, _) = random_setup(1, 3, 2, 1);
        let x = Array2::<f64>::zeros((4, 5));
        let err = layer.forward(x.view(), None).unwrap_err().to_string();
        assert!(err.contains("`x` has shape (4, 5)"), "{err}");
        assert!(err.contains("`w_q` has shape (3, 2)"), "{err}");
        let xb = Array3::<f64>::zeros((2, 4, 5));
        let err = layer.forward_batch(xb.view(), None).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("`x` has shape (2, 4, 5)"), "{err}");
        assert!(err.contains("`w_q` has shape (3, 2)"), "{err}");
    }

    #[test]
    fn an_empty_sequence_is_an_error() {
        let (layer, _) = random_setup(1, 3, 2, 1);
        let x = Array2::<f64>::zeros((0, 3));
        let err = layer.forward(x.view(), None).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (0, 3) is empty"), "{err}");
    }

    #[test]
    fn an_empty_batch_is_an_error() {
        let (layer, _) = random_setup(1, 3, 2, 1);
        for shape in [(0, 4, 3), (2, 0, 3)] {
            let x = Array3::<f64>::zeros(shape);
            let err = layer.forward_batch(x.view(), None).unwrap_err();
            let want = format!("`x` with shape {} is empty", check::shape(&x));
            assert!(err.to_string().contains(&want), "{err}");
        }
    }

    #[test]
    fn sequences_of_different_shapes_do_not_make_a_batch() {
        let a = Array2::<f64>::zeros((6, 3));
        let b = Array2::<f64>::zeros((5, 3));
        let err = batch(&[a.view(), a.view(), b.view()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("sequence 0 has shape (6, 3)"), "{err}");
        assert!(err.contains("sequence 2 has shape (5, 3)"), "{err}");
        let err = batch(&[]).unwrap_err().to_string();
        assert!(err.contains("got none"), "{err}");
    }

    #[test]
    fn masked_attention_rejects_a_mask_of_the_wrong_shape() {
        let q = Array2::<f64>::ones((2, 3));
        let k = Array2::<f64>::ones((4, 3));
        let err = masked_attention(
            q.view(),
            k.view(),
            k.view(),
            causal_mask(4).view(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`scores` has shape (2, 4)"), "{err}");
        assert!(err.contains("`allowed` has shape (4, 4)"), "{err}");
    }

    #[test]
    fn a_query_that_sees_nothing_gets_the_zero_context() {
        let q = array![[1.0, 0.0], [0.0, 1.0]];
        let v = array![[3.0, 4.0], [5.0, 6.0]];
        let allowed = array![[false, false], [true, true]];
        let out =
            masked_attention(q.view(), q.view(), v.view(), allowed.view())
                .unwrap();
        assert_eq!(out.context.row(0), array![0.0, 0.0]);
        // Row 1 scores 0 and 1/sqrt(2) and mixes both values.
        assert!(out.context.row(1).iter().all(|x| x.is_finite()));
    }

    proptest! {
        #[test]
        fn later_tokens_never_change_earlier_outputs(
            t in 1usize..9, d_in in 1usize..5, d_out in 1usize..5,
            seed in any::<u64>(), cut in 0usize..8, train in any::<bool>(),
        ) {
            // Keep tokens 0..=t0 and replace every token after t0.
            let t0 = cut % t;
            let (layer, x) = random_setup(t, d_in, d_out, seed);
            let mut changed = x.clone();
            let mut noise = SplitMix64::new(seed ^ 0x5EED);
            changed
                .slice_mut(s![t0 + 1.., ..])
                .assign(&noise.normal_matrix(t - t0 - 1, d_in));
            // Training uses the same dropout seed for both runs.
            let run = |x: &Array2<f64>| {
                let mut rng = SplitMix64::new(seed.rotate_left(7));
                let rng = if train { Some(&mut rng) } else { None };
                layer.forward(x.view(), rng).unwrap()
            };
            let (a, b) = (run(&x), run(&changed));
            for i in 0..=t0 {
                prop_assert_eq!(a.context.row(i), b.context.row(i));
                prop_assert_eq!(a.weights.row(i), b.weights.row(i));
            }
        }

        #[test]
        fn causal_weights_are_zero_above_the_diagonal_and_sum_to_one(
            t in 1usize..9, d_in in 1usize..5, d_out in 1usize..5,
            seed in any::<u64>(),
        ) {
            let (layer, x) = random_setup(t, d_in, d_out, seed);
            let w = layer.forward(x.view(), None).unwrap().weights;
            for ((i, j), &x) in w.indexed_iter() {
                if j > i {
                    prop_assert_eq!(x, 0.0);
                }
            }
            for row in w.rows() {
                prop_assert!((row.sum() - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn the_last_token_sees_what_plain_self_attention_sees(
            t in 1usize..9, d_in in 1usize..5, d_out in 1usize..5,
            seed in any::<u64>(),
        ) {
            // The mask hides nothing from the last row.
            let (layer, x) = random_setup(t, d_in, d_out, seed);
            let causal = layer.forward(x.view(), None).unwrap();
            let plain = layer.attention().forward(x.view()).unwrap();
            for (a, b) in causal
                .context
                .row(t - 1)
                .iter()
                .zip(plain.context.row(t - 1))
            {
                prop_assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
            prop_assert_eq!(causal.scores, plain.scores);
        }

        #[test]
        fn a_batch_is_its_sequences_one_by_one(
            b in 1usize..4, t in 1usize..6, d_in in 1usize..4,
            d_out in 1usize..4, seed in any::<u64>(), train in any::<bool>(),
        ) {
            let (layer, _) = random_setup(1, d_in, d_out, seed);
            let mut rng = SplitMix64::new(seed ^ 1);
            let sequences: Vec<Array2<f64>> =
                (0..b).map(|_| rng.normal_matrix(t, d_in)).collect();
            let views: Vec<_> = sequences.iter().map(|s| s.view()).collect();
            let x = batch(&views).unwrap();
            prop_assert_eq!(x.dim(), (b, t, d_in));
            let mut rng_batch = SplitMix64::new(seed ^ 2);
            let mut rng_one = SplitMix64::new(seed ^ 2);
            let together = layer
                .forward_batch(
                    x.view(),
                    if train { Some(&mut rng_batch) } else { None },
                )
                .unwrap();
            prop_assert_eq!(together.dim(), (b, t, d_out));
            for (i, s) in sequences.iter().enumerate() {
                let rng = if train { Some(&mut rng_one) } else { None };
                let one = layer.forward(s.view(), rng).unwrap();
                prop_assert_eq!(sequence(together.view(), i), one.context);
            }
        }
    }
}
