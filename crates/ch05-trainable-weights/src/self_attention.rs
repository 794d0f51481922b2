//! Level 2: self-attention whose queries, keys and values are learned
//! projections of the input.

use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{AttentionOutput, Scale, attention};
use ndarray::{Array2, ArrayView2};

// ANCHOR: struct
/// Scaled dot-product self-attention with three trainable matrices.
///
/// Each token's embedding is projected three ways: by `W_q` into its
/// query, by `W_k` into its key and by `W_v` into its value. The three
/// matrices are the layer's learned weights: fixed once training ends,
/// the same for every input. The attention weights, by contrast, are
/// computed afresh for every input by [`SelfAttention::forward`].
///
/// # Shapes
/// - `w_q`, `w_k`, `w_v`: `(d_in, d_out)` each
#[derive(Debug, Clone, PartialEq)]
pub struct SelfAttention {
    w_q: Array2<f64>,
    w_k: Array2<f64>,
    w_v: Array2<f64>,
}
// ANCHOR_END: struct

impl SelfAttention {
    // ANCHOR: new
    /// Builds the layer from three given projection matrices.
    ///
    /// # Shapes
    /// - `w_q`, `w_k`, `w_v`: `(d_in, d_out)` each, all the same shape
    ///
    /// # Errors
    /// An empty or non-finite matrix, or matrices of different shapes; the
    /// error names every shape.
    pub fn new(
        w_q: Array2<f64>,
        w_k: Array2<f64>,
        w_v: Array2<f64>,
    ) -> Result<Self> {
        check::usable("w_q", &w_q)?;
        check::usable("w_k", &w_k)?;
        check::usable("w_v", &w_v)?;
        if w_q.dim() != w_k.dim() || w_q.dim() != w_v.dim() {
            bail!(
                "the projections must all have shape (d_in, d_out): `w_q` \
                 has shape {}, `w_k` has shape {}, `w_v` has shape {}",
                check::shape(&w_q),
                check::shape(&w_k),
                check::shape(&w_v)
            );
        }
        Ok(Self { w_q, w_k, w_v })
    }
    // ANCHOR_END: new

    // ANCHOR: random
    /// Builds the layer with random weights drawn from `rng`.
    ///
    /// Every entry is uniform in `[-1/sqrt(d_in), 1/sqrt(d_in))`, the
    /// range PyTorch's `nn.Linear` uses by default. The generator fills
    /// `W_q` first, then `W_k`, then `W_v`, each row by row, so the same
    /// seed always gives the same three matrices.
    ///
    /// # Shapes
    /// - returns a layer with `w_q`, `w_k`, `w_v` of `(d_in, d_out)` each
    ///
    /// # Errors
    /// `d_in` or `d_out` equal to 0.
    pub fn random(
        d_in: usize,
        d_out: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        ensure!(
            d_in > 0 && d_out > 0,
            "a projection needs at least one row and one column, but \
             (d_in, d_out) = ({d_in}, {d_out})"
        );
        let bound = 1.0 / (d_in as f64).sqrt();
        let w_q = rng.uniform_matrix(d_in, d_out, -bound, bound);
        let w_k = rng.uniform_matrix(d_in, d_out, -bound, bound);
        let w_v = rng.uniform_matrix(d_in, d_out, -bound, bound);
        Self::new(w_q, w_k, w_v)
    }
    // ANCHOR_END: random

    /// The width of an input token (rows of each projection).
    pub fn d_in(&self) -> usize {
        self.w_q.nrows()
    }

    /// The width of a query, key and value (columns of each projection).
    pub fn d_out(&self) -> usize {
        self.w_q.ncols()
    }

    /// The query projection. Shape `(d_in, d_out)`.
    pub fn w_q(&self) -> ArrayView2<'_, f64> {
        self.w_q.view()
    }

    /// The key projection. Shape `(d_in, d_out)`.
    pub fn w_k(&self) -> ArrayView2<'_, f64> {
        self.w_k.view()
    }

    /// The value projection. Shape `(d_in, d_out)`.
    pub fn w_v(&self) -> ArrayView2<'_, f64> {
        self.w_v.view()
    }

    /// The queries of every token: `Q = X W_q`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)` -> `(T, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or `x` whose width is not `d_in`; the
    /// error names both shapes.
    pub fn queries(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        project(x, "w_q", &self.w_q)
    }

    /// The keys of every token: `K = X W_k`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)` -> `(T, d_out)`
    ///
    /// # Errors
    /// As [`SelfAttention::queries`].
    pub fn keys(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        project(x, "w_k", &self.w_k)
    }

    /// The values of every token: `V = X W_v`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)` -> `(T, d_out)`
    ///
    /// # Errors
    /// As [`SelfAttention::queries`].
    pub fn values(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        project(x, "w_v", &self.w_v)
    }

    // ANCHOR: forward
    /// Scaled dot-product self-attention:
    /// `softmax(Q K^T / sqrt(d_out)) V` with `Q = X W_q`, `K = X W_k`,
    /// `V = X W_v`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`, one token per row
    /// - returns scores and weights `(T, T)` (row = query, column = key)
    ///   and context `(T, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or `x` whose width is not `d_in`.
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<AttentionOutput> {
        let q = self.queries(x)?; // (T, d_in) x (d_in, d_out) -> (T, d_out)
        let k = self.keys(x)?; // (T, d_in) x (d_in, d_out) -> (T, d_out)
        let v = self.values(x)?; // (T, d_in) x (d_in, d_out) -> (T, d_out)
        // Scores (T, d_out) x (d_out, T) -> (T, T), divided by sqrt(d_k);
        // context (T, T) x (T, d_out) -> (T, d_out).
        attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)
    }
    // ANCHOR_END: forward
}

// ANCHOR: project
/// `X W` after checking that `x` is usable and `d_in` wide.
fn project(
    x: ArrayView2<f64>,
    name: &str,
    w: &Array2<f64>,
) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    check::same_len(
        "the width of `x` and the rows of the projection (d_in)",
        ("x", x.ncols(), &check::shape(&x)),
        (name, w.nrows(), &check::shape(w)),
    )?;
    Ok(x.dot(w)) // (T, d_in) x (d_in, d_out) -> (T, d_out)
}
// ANCHOR_END: project

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projections::journey_projections;
    use ch03_queries_keys_values::softmax::softmax_rows;
    use ch04_self_attention::sentences::journey;
    use ndarray::{Axis, array};
    use proptest::prelude::*;

    fn journey_layer() -> SelfAttention {
        let (w_q, w_k, w_v) = journey_projections();
        SelfAttention::new(w_q, w_k, w_v).unwrap()
    }

    #[test]
    fn the_query_of_journey_is_its_embedding_times_w_q() {
        // x_2 = [0.55, 0.87, 0.66]
        // q_2[0] = 0.55*0.2961 + 0.87*0.2517 + 0.66*0.0740
        //        = 0.162855 + 0.218979 + 0.04884 = 0.430674
        // q_2[1] = 0.55*0.5166 + 0.87*0.6886 + 0.66*0.8665
        //        = 0.28413 + 0.599082 + 0.57189 = 1.455102
        let layer = journey_layer();
        let q = layer.queries(journey().x.view()).unwrap();
        assert!((q[[1, 0]] - 0.430674).abs() < 1e-12);
        assert!((q[[1, 1]] - 1.455102).abs() < 1e-12);
    }

    #[test]
    fn reports_its_widths_and_weights() {
        let layer = journey_layer();
        assert_eq!((layer.d_in(), layer.d_out()), (3, 2));
        let (w_q, w_k, w_v) = journey_projections();
        assert_eq!(layer.w_q(), w_q.view());
        assert_eq!(layer.w_k(), w_k.view());
        assert_eq!(layer.w_v(), w_v.view());
    }

    #[test]
    fn a_too_wide_input_names_both_shapes() {
        let layer = journey_layer();
        let x = Array2::<f64>::ones((4, 5));
        for err in [
            layer.queries(x.view()).unwrap_err(),
            layer.forward(x.view()).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(err.contains("`x` has shape (4, 5)"), "{err}");
            assert!(err.contains("`w_q` has shape (3, 2)"), "{err}");
        }
        let err = layer.keys(x.view()).unwrap_err().to_string();
        assert!(err.contains("`w_k` has shape (3, 2)"), "{err}");
        let err = layer.values(x.view()).unwrap_err().to_string();
        assert!(err.contains("`w_v` has shape (3, 2)"), "{err}");
    }

    #[test]
    fn projections_of_different_shapes_are_rejected() {
        let (w_q, w_k, _) = journey_projections();
        let w_v = Array2::<f64>::ones((3, 4));
        let err = SelfAttention::new(w_q, w_k, w_v).unwrap_err().to_string();
        assert!(err.contains("`w_q` has shape (3, 2)"), "{err}");
        assert!(err.contains("`w_v` has shape (3, 4)"), "{err}");
    }

    #[test]
    fn empty_or_non_finite_projections_are_rejected() {
        let (w_q, w_k, _) = journey_projections();
        let err =
            SelfAttention::new(w_q.clone(), w_k.clone(), Array2::zeros((0, 2)))
                .unwrap_err()
                .to_string();
        assert!(err.contains("`w_v` with shape (0, 2) is empty"), "{err}");
        let mut bad = w_k.clone();
        bad[[2, 1]] = f64::NAN;
        let err = SelfAttention::new(w_q, bad, w_k).unwrap_err().to_string();
        assert!(err.contains("`w_k` with shape (3, 2)"), "{err}");
        assert!(err.contains("NaN at (2, 1)"), "{err}");
    }

    #[test]
    fn an_empty_sequence_is_an_error_naming_its_shape() {
        let layer = journey_layer();
        let x = Array2::<f64>::zeros((0, 3));
        let err = layer.forward(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (0, 3) is empty"), "{err}");
    }

    #[test]
    fn a_non_finite_input_is_an_error_naming_its_shape() {
        let layer = journey_layer();
        let mut x = journey().x;
        x[[4, 2]] = f64::INFINITY;
        let err = layer.forward(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (6, 3)"), "{err}");
        assert!(err.contains("inf at (4, 2)"), "{err}");
    }

    #[test]
    fn random_rejects_zero_widths() {
        let mut rng = SplitMix64::new(1);
        let err = SelfAttention::random(0, 2, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(err.contains("(d_in, d_out) = (0, 2)"), "{err}");
        assert!(SelfAttention::random(3, 0, &mut rng).is_err());
    }

    #[test]
    fn random_fills_w_q_then_w_k_then_w_v_row_by_row() {
        let mut rng = SplitMix64::new(123);
        let layer = SelfAttention::random(2, 3, &mut rng).unwrap();
        let mut again = SplitMix64::new(123);
        let b = 1.0 / 2f64.sqrt();
        for w in [layer.w_q(), layer.w_k(), layer.w_v()] {
            for r in 0..2 {
                for c in 0..3 {
                    assert_eq!(w[[r, c]], again.uniform_in(-b, b));
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_layer() {
        let a = SelfAttention::random(4, 3, &mut SplitMix64::new(7)).unwrap();
        let b = SelfAttention::random(4, 3, &mut SplitMix64::new(7)).unwrap();
        let c = SelfAttention::random(4, 3, &mut SplitMix64::new(8)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn identity_projections_reduce_to_scaled_level_1() {
        // With W = I, Q = K = V = X: chapter 4's attention, scaled.
        let x = array![[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]];
        let eye = Array2::<f64>::eye(2);
        let layer = SelfAttention::new(eye.clone(), eye.clone(), eye).unwrap();
        let out = layer.forward(x.view()).unwrap();
        let scores = x.dot(&x.t()) / 2f64.sqrt(); // (3, 2) x (2, 3) -> (3, 3)
        let weights = softmax_rows(scores.view()).unwrap();
        let context = weights.dot(&x); // (3, 3) x (3, 2) -> (3, 2)
        for (a, b) in out.context.iter().zip(&context) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    /// A random permutation of `0..n` (Fisher-Yates).
    fn permutation(rng: &mut SplitMix64, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }

    proptest! {
        #[test]
        fn every_row_of_weights_is_a_distribution(
            t in 1usize..10, d_in in 1usize..6, d_out in 1usize..6,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
            let x = rng.uniform_matrix(t, d_in, -3.0, 3.0);
            let out = layer.forward(x.view()).unwrap();
            prop_assert_eq!(out.weights.dim(), (t, t));
            prop_assert_eq!(out.context.dim(), (t, d_out));
            for row in out.weights.rows() {
                prop_assert!(row.iter().all(|&w| (0.0..=1.0).contains(&w)));
                prop_assert!((row.sum() - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn forward_is_chapter_3_attention_on_the_projections(
            t in 1usize..8, d_in in 1usize..6, d_out in 1usize..6,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
            let x = rng.normal_matrix(t, d_in);
            let out = layer.forward(x.view()).unwrap();
            // Project by hand, without the layer's own methods.
            let q = x.dot(&layer.w_q()); // (T, d_in) x (d_in, d_out)
            let k = x.dot(&layer.w_k()); // (T, d_in) x (d_in, d_out)
            let v = x.dot(&layer.w_v()); // (T, d_in) x (d_in, d_out)
            let want =
                attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)
                    .unwrap();
            for (a, b) in out.weights.iter().zip(&want.weights) {
                prop_assert!((a - b).abs() < 1e-12);
            }
            for (a, b) in out.context.iter().zip(&want.context) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }

        #[test]
        fn permuting_the_tokens_permutes_the_outputs(
            t in 1usize..8, d_in in 1usize..6, d_out in 1usize..6,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
            let x = rng.normal_matrix(t, d_in);
            let p = permutation(&mut rng, t);
            // Row r of the shuffled sequence is token p[r] of the original.
            let shuffled = x.select(Axis(0), &p);
            let a = layer.forward(x.view()).unwrap();
            let b = layer.forward(shuffled.view()).unwrap();
            for r in 0..t {
                for c in 0..d_out {
                    let (got, want) = (b.context[[r, c]], a.context[[p[r], c]]);
                    prop_assert!((got - want).abs() < 1e-12);
                }
                for c in 0..t {
                    let got = b.weights[[r, c]];
                    let want = a.weights[[p[r], p[c]]];
                    prop_assert!((got - want).abs() < 1e-12);
                }
            }
        }

        #[test]
        fn random_weights_stay_inside_the_documented_range(
            d_in in 1usize..20, d_out in 1usize..6, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
            let b = 1.0 / (d_in as f64).sqrt();
            for w in [layer.w_q(), layer.w_k(), layer.w_v()] {
                prop_assert!(w.iter().all(|&x| (-b..b).contains(&x)));
            }
        }
    }
}
