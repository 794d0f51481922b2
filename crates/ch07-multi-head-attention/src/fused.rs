//! Way two: one wide projection per role, split into heads by reshaping,
//! with every head of every sequence in a batch handled by the same code.

use crate::heads::{BatchOutput, Mask, MultiHeadOutput, head_weights};
use crate::stack::HeadStack;
use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ndarray::{
    Array2, Array3, Array4, ArrayView2, ArrayView3, ArrayView4, Axis,
    concatenate, s,
};

// ANCHOR: split_heads
/// Cuts the last axis of a batch into `n_heads` slices of width `d_head`
/// and moves the head axis in front of the token axis.
///
/// Columns `h * d_head .. (h + 1) * d_head` of every token become head
/// `h`'s slice, so afterwards `out[b, h]` is one head's `(T, d_head)`
/// matrix for sequence `b`.
///
/// # Shapes
/// - `x`: `(B, T, d_out)` -> `(B, n_heads, T, d_head)`
///
/// # Errors
/// `n_heads == 0` or `d_out` not a multiple of `n_heads`.
pub fn split_heads(x: ArrayView3<f64>, n_heads: usize) -> Result<Array4<f64>> {
    let (b, t, d_out) = x.dim();
    let d_head = crate::heads::head_width(d_out, n_heads)?;
    // (B, T, d_out) -> (B, T, n_heads, d_head)
    let split = x.to_shape((b, t, n_heads, d_head))?;
    // (B, T, n_heads, d_head) -> (B, n_heads, T, d_head)
    let split = split.permuted_axes([0, 2, 1, 3]);
    Ok(split.as_standard_layout().into_owned())
}
// ANCHOR_END: split_heads

// ANCHOR: merge_heads
/// The inverse of [`split_heads`]: puts the token axis back in front and
/// lays the heads' slices side by side again.
///
/// # Shapes
/// - `heads`: `(B, n_heads, T, d_head)` -> `(B, T, n_heads * d_head)`
pub fn merge_heads(heads: ArrayView4<f64>) -> Result<Array3<f64>> {
    let (b, n_heads, t, d_head) = heads.dim();
    // (B, n_heads, T, d_head) -> (B, T, n_heads, d_head)
    let swapped = heads.permuted_axes([0, 2, 1, 3]);
    // (B, T, n_heads, d_head) -> (B, T, d_out)
    let merged = swapped.to_shape((b, t, n_heads * d_head))?;
    Ok(merged.into_owned())
}
// ANCHOR_END: merge_heads

// ANCHOR: batched_matmul
/// One matrix product per `(sequence, head)` pair: `a[b, h] x c[b, h]`.
///
/// ndarray's `dot` multiplies two-dimensional matrices only, so the batch
/// and head axes are walked explicitly; PyTorch's `@` does the same walk
/// inside one call.
///
/// # Shapes
/// - `a`: `(B, n_heads, n, m)`, `c`: `(B, n_heads, m, p)`
///   -> `(B, n_heads, n, p)`; the caller guarantees the shapes agree.
fn batched_matmul(a: ArrayView4<f64>, c: ArrayView4<f64>) -> Array4<f64> {
    let (b, h, n, _) = a.dim();
    let p = c.dim().3;
    let mut out = Array4::zeros((b, h, n, p));
    for i in 0..b {
        for j in 0..h {
            let product =
                // (n, m) x (m, p) -> (n, p)
                a.slice(s![i, j, .., ..]).dot(&c.slice(s![i, j, .., ..]));
            out.slice_mut(s![i, j, .., ..]).assign(&product);
        }
    }
    out
}
// ANCHOR_END: batched_matmul

// ANCHOR: struct
/// Multi-head attention with one projection per role, split by reshaping.
///
/// `W_q`, `W_k` and `W_v` are each `(d_in, d_out)`: all heads' projections
/// side by side, head `h` owning columns `h * d_head .. (h + 1) * d_head`.
/// One matrix product per role computes every head's queries, keys or
/// values at once; [`split_heads`] then hands each head its slice.
///
/// # Shapes
/// - `w_q`, `w_k`, `w_v`: `(d_in, d_out)`; `w_o`: `(d_out, d_out)`
/// - `d_head = d_out / n_heads`
#[derive(Debug, Clone, PartialEq)]
pub struct MultiHeadAttention {
    w_q: Array2<f64>,
    w_k: Array2<f64>,
    w_v: Array2<f64>,
    w_o: Array2<f64>,
    n_heads: usize,
    mask: Mask,
}
// ANCHOR_END: struct

impl MultiHeadAttention {
    /// Builds the layer from its four matrices.
    ///
    /// # Shapes
    /// - `w_q`, `w_k`, `w_v`: `(d_in, d_out)`, all the same shape
    /// - `w_o`: `(d_out, d_out)`
    ///
    /// # Errors
    /// Empty or non-finite matrices, projections of different shapes, a
    /// `w_o` that is not `(d_out, d_out)`, `n_heads == 0`, or `d_out` not a
    /// multiple of `n_heads`; the errors name the shapes and numbers.
    pub fn new(
        w_q: Array2<f64>,
        w_k: Array2<f64>,
        w_v: Array2<f64>,
        w_o: Array2<f64>,
        n_heads: usize,
        mask: Mask,
    ) -> Result<Self> {
        for (name, w) in [("w_q", &w_q), ("w_k", &w_k), ("w_v", &w_v)] {
            check::usable(name, w)?;
        }
        check::usable("w_o", &w_o)?;
        if w_q.dim() != w_k.dim() || w_q.dim() != w_v.dim() {
            bail!(
                "the projections must all have shape (d_in, d_out): `w_q` \
                 has shape {}, `w_k` has shape {}, `w_v` has shape {}",
                check::shape(&w_q),
                check::shape(&w_k),
                check::shape(&w_v)
            );
        }
        let d_out = w_q.ncols();
        crate::heads::head_width(d_out, n_heads)?;
        ensure!(
            w_o.dim() == (d_out, d_out),
            "`w_o` must have shape (d_out, d_out) = ({d_out}, {d_out}) to \
             match `w_q` with shape {}, but it has shape {}",
            check::shape(&w_q),
            check::shape(&w_o)
        );
        Ok(Self {
            w_q,
            w_k,
            w_v,
            w_o,
            n_heads,
            mask,
        })
    }

    // ANCHOR: from_stack
    /// The fused layer that computes exactly what `stack` computes.
    ///
    /// Each fused projection is the heads' projections placed side by
    /// side: `W_q = [W_q^1 | W_q^2 | ... | W_q^n_heads]`, and the same for
    /// `W_k` and `W_v`. `W_o` is shared unchanged.
    ///
    /// # Shapes
    /// - `n_heads` heads with `(d_in, d_head)` projections
    ///   -> `(d_in, d_out)` projections with `d_out = n_heads * d_head`
    pub fn from_stack(stack: &HeadStack) -> Result<Self> {
        let heads = stack.heads();
        let w_q: Vec<_> = heads.iter().map(|h| h.w_q()).collect();
        let w_k: Vec<_> = heads.iter().map(|h| h.w_k()).collect();
        let w_v: Vec<_> = heads.iter().map(|h| h.w_v()).collect();
        Self::new(
            // n_heads x (d_in, d_head) -> (d_in, d_out)
            concatenate(Axis(1), &w_q)?,
            // n_heads x (d_in, d_head) -> (d_in, d_out)
            concatenate(Axis(1), &w_k)?,
            // n_heads x (d_in, d_head) -> (d_in, d_out)
            concatenate(Axis(1), &w_v)?,
            stack.w_o().to_owned(),
            stack.n_heads(),
            stack.mask(),
        )
    }
    // ANCHOR_END: from_stack

    /// Random weights, drawn exactly as [`HeadStack::random`] draws them
    /// (head by head, then `W_o`) and then fused: the same seed gives a
    /// stack and a fused layer that compute the same thing.
    ///
    /// # Shapes
    /// - returns `(d_in, d_out)` projections and a `(d_out, d_out)` `W_o`
    ///
    /// # Errors
    /// As [`HeadStack::random`].
    pub fn random(
        d_in: usize,
        d_out: usize,
        n_heads: usize,
        mask: Mask,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        Self::from_stack(&HeadStack::random(d_in, d_out, n_heads, mask, rng)?)
    }

    /// The number of heads.
    pub fn n_heads(&self) -> usize {
        self.n_heads
    }

    /// The width of an input token.
    pub fn d_in(&self) -> usize {
        self.w_q.nrows()
    }

    /// The total width of all heads together, and of the output.
    pub fn d_out(&self) -> usize {
        self.w_q.ncols()
    }

    /// The width of one head, `d_out / n_heads`.
    pub fn d_head(&self) -> usize {
        self.d_out() / self.n_heads
    }

    /// Whether the heads hide the future.
    pub fn mask(&self) -> Mask {
        self.mask
    }

    /// The fused query projection. Shape `(d_in, d_out)`.
    pub fn w_q(&self) -> ArrayView2<'_, f64> {
        self.w_q.view()
    }

    /// The fused key projection. Shape `(d_in, d_out)`.
    pub fn w_k(&self) -> ArrayView2<'_, f64> {
        self.w_k.view()
    }

    /// The fused value projection. Shape `(d_in, d_out)`.
    pub fn w_v(&self) -> ArrayView2<'_, f64> {
        self.w_v.view()
    }

    /// The output projection. Shape `(d_out, d_out)`.
    pub fn w_o(&self) -> ArrayView2<'_, f64> {
        self.w_o.view()
    }

    // ANCHOR: forward_batch
    /// Multi-head attention over a batch of sequences of equal length.
    ///
    /// # Shapes
    /// - `x`: `(B, T, d_in)`
    /// - returns scores and weights `(B, n_heads, T, T)`, and the
    ///   concatenated heads and the context, both `(B, T, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or `x` whose width is not `d_in`.
    pub fn forward_batch(&self, x: ArrayView3<f64>) -> Result<BatchOutput> {
        check::usable("x", &x)?;
        check::same_len(
            "the width of `x` and the rows of the projections (d_in)",
            ("x", x.dim().2, &check::shape(&x)),
            ("w_q", self.d_in(), &check::shape(&self.w_q)),
        )?;
        let (b, t, d_in) = x.dim();
        let (d_out, n_heads) = (self.d_out(), self.n_heads);
        // Every token of every sequence becomes one row of a tall matrix,
        // so one product per role projects the whole batch for all heads.
        let rows = x.to_shape((b * t, d_in))?; // (B, T, d_in) -> (B * T, d_in)
        let project = |w: &Array2<f64>| -> Result<Array4<f64>> {
            // (B * T, d_in) x (d_in, d_out) -> (B * T, d_out)
            let all = rows.dot(w);
            let all = all.to_shape((b, t, d_out))?; // -> (B, T, d_out)
            split_heads(all.view(), n_heads) // -> (B, n_heads, T, d_head)
        };
        let q = project(&self.w_q)?;
        let k = project(&self.w_k)?;
        let v = project(&self.w_v)?;

        // Every head of every sequence attends on its own.
        let k_t = k.view().permuted_axes([0, 1, 3, 2]); // (.., d_head, T)
        let scale = 1.0 / (self.d_head() as f64).sqrt();
        // (B, n_heads, T, d_head) x (B, n_heads, d_head, T)
        //   -> (B, n_heads, T, T)
        let scores = batched_matmul(q.view(), k_t) * scale;
        let mut weights = Array4::zeros(scores.raw_dim());
        for i in 0..b {
            for h in 0..n_heads {
                let one = scores.slice(s![i, h, .., ..]); // (T, T)
                let w = head_weights(one, self.mask)?;
                weights.slice_mut(s![i, h, .., ..]).assign(&w);
            }
        }
        // (B, n_heads, T, T) x (B, n_heads, T, d_head)
        //   -> (B, n_heads, T, d_head)
        let heads = batched_matmul(weights.view(), v.view());

        // The heads side by side again, then the output projection.
        let concatenated = merge_heads(heads.view())?; // (B, T, d_out)
        let flat = concatenated.to_shape((b * t, d_out))?; // (B * T, d_out)
        let context = flat.dot(&self.w_o); // (B * T, d_out) x (d_out, d_out)
        let context = context.to_shape((b, t, d_out))?; // -> (B, T, d_out)
        Ok(BatchOutput {
            scores,
            weights,
            concatenated,
            context: context.into_owned(),
        })
    }
    // ANCHOR_END: forward_batch

    /// Multi-head attention over one sequence: a batch of one.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`
    /// - returns scores and weights `(n_heads, T, T)`, and the
    ///   concatenated heads and the context, both `(T, d_out)`
    ///
    /// # Errors
    /// As [`MultiHeadAttention::forward_batch`].
    pub fn forward(&self, x: ArrayView2<f64>) -> Result<MultiHeadOutput> {
        // (T, d_in) -> (1, T, d_in)
        let batch = self.forward_batch(x.insert_axis(Axis(0)))?;
        Ok(MultiHeadOutput {
            // (1, n_heads, T, T) -> (n_heads, T, T)
            scores: batch.scores.index_axis_move(Axis(0), 0),
            // (1, n_heads, T, T) -> (n_heads, T, T)
            weights: batch.weights.index_axis_move(Axis(0), 0),
            // (1, T, d_out) -> (T, d_out)
            concatenated: batch.concatenated.index_axis_move(Axis(0), 0),
            // (1, T, d_out) -> (T, d_out)
            context: batch.context.index_axis_move(Axis(0), 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};
    use proptest::prelude::*;

    #[test]
    fn split_heads_hands_each_head_its_columns() {
        // One sequence of two tokens, d_out = 4, two heads of width 2.
        let x = array![[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]];
        let heads = split_heads(x.view(), 2).unwrap();
        assert_eq!(heads.dim(), (1, 2, 2, 2));
        assert_eq!(
            heads.slice(s![0, 0, .., ..]),
            array![[1.0, 2.0], [5.0, 6.0]]
        );
        assert_eq!(
            heads.slice(s![0, 1, .., ..]),
            array![[3.0, 4.0], [7.0, 8.0]]
        );
        assert_eq!(merge_heads(heads.view()).unwrap(), x);
    }

    #[test]
    fn split_heads_names_an_uneven_split() {
        let x = Array::zeros((1, 2, 6));
        let err = split_heads(x.view(), 4).unwrap_err().to_string();
        assert!(err.contains("d_out = 6"), "{err}");
        assert!(err.contains("n_heads = 4"), "{err}");
    }

    #[test]
    fn batched_matmul_multiplies_each_pair() {
        let a: Array4<f64> =
            Array::from_shape_fn((2, 3, 2, 4), |(b, h, i, j)| {
                (b + 2 * h + i * j) as f64
            });
        let c: Array4<f64> =
            Array::from_shape_fn((2, 3, 4, 1), |(b, h, i, _)| {
                (b * h + i) as f64
            });
        let out = batched_matmul(a.view(), c.view());
        for b in 0..2 {
            for h in 0..3 {
                let left: ArrayView2<f64> = a.slice(s![b, h, .., ..]);
                let want = left.dot(&c.slice(s![b, h, .., ..]));
                assert_eq!(out.slice(s![b, h, .., ..]), want);
            }
        }
    }

    fn layer(n_heads: usize) -> MultiHeadAttention {
        let mut rng = SplitMix64::new(5);
        MultiHeadAttention::random(3, 4, n_heads, Mask::None, &mut rng).unwrap()
    }

    #[test]
    fn mismatched_d_in_names_both_shapes() {
        let x = Array::ones((2, 3, 5));
        let err = layer(2).forward_batch(x.view()).unwrap_err().to_string();
        assert!(err.contains("`x` has shape (2, 3, 5)"), "{err}");
        assert!(err.contains("`w_q` has shape (3, 4)"), "{err}");
    }

    #[test]
    fn an_empty_batch_or_sequence_is_an_error() {
        for shape in [(0, 4, 3), (2, 0, 3)] {
            let x = Array::zeros(shape);
            let err = layer(2).forward_batch(x.view()).unwrap_err().to_string();
            assert!(err.contains("is empty"), "{err}");
        }
        let err = layer(2)
            .forward(Array2::zeros((0, 3)).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x` with shape (1, 0, 3) is empty"), "{err}");
    }

    #[test]
    fn a_non_finite_input_is_named() {
        let mut x = Array::ones((2, 3, 3));
        x[[1, 2, 0]] = f64::NEG_INFINITY;
        let err = layer(4).forward_batch(x.view()).unwrap_err().to_string();
        assert!(err.contains("-inf at (1, 2, 0)"), "{err}");
    }

    #[test]
    fn new_rejects_an_uneven_split_and_zero_heads() {
        let w = Array2::<f64>::ones((3, 6));
        let w_o = Array2::<f64>::eye(6);
        let err = MultiHeadAttention::new(
            w.clone(),
            w.clone(),
            w.clone(),
            w_o.clone(),
            4,
            Mask::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("d_out = 6"), "{err}");
        assert!(err.contains("n_heads = 4"), "{err}");
        let err = MultiHeadAttention::new(
            w.clone(),
            w.clone(),
            w,
            w_o,
            0,
            Mask::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("n_heads = 0"), "{err}");
    }

    #[test]
    fn new_names_mismatched_matrices() {
        let w = Array2::<f64>::ones((3, 4));
        let err = MultiHeadAttention::new(
            w.clone(),
            w.clone(),
            Array2::ones((2, 4)),
            Array2::eye(4),
            2,
            Mask::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`w_v` has shape (2, 4)"), "{err}");
        let err = MultiHeadAttention::new(
            w.clone(),
            w.clone(),
            w,
            Array2::eye(3),
            2,
            Mask::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(d_out, d_out) = (4, 4)"), "{err}");
        assert!(err.contains("shape (3, 3)"), "{err}");
    }

    /// A batch of `b` sequences of `t` standard normal tokens.
    fn normal_batch(
        rng: &mut SplitMix64,
        b: usize,
        t: usize,
        d_in: usize,
    ) -> Array3<f64> {
        rng.normal_matrix(b * t, d_in)
            // (B * T, d_in) -> (B, T, d_in)
            .into_shape_with_order((b, t, d_in))
            .unwrap()
    }

    /// The largest absolute difference between two arrays of one shape.
    fn gap<D: ndarray::Dimension>(
        a: ndarray::ArrayView<f64, D>,
        b: ndarray::ArrayView<f64, D>,
    ) -> f64 {
        assert_eq!(a.shape(), b.shape());
        a.iter()
            .zip(b.iter())
            .fold(0.0, |m, (x, y)| m.max((x - y).abs()))
    }

    proptest! {
        // ANCHOR: agree
        #[test]
        fn the_stack_and_the_fused_layer_agree(
            b in 1usize..4, t in 1usize..6, d_in in 1usize..5,
            n_heads in 1usize..5, d_head in 1usize..4, seed in any::<u64>(),
        ) {
            for mask in [Mask::None, Mask::Causal] {
                let mut rng = SplitMix64::new(seed);
                let d_out = n_heads * d_head;
                let stack =
                    HeadStack::random(d_in, d_out, n_heads, mask, &mut rng)
                        .unwrap();
                let fused = MultiHeadAttention::from_stack(&stack).unwrap();
                let x = normal_batch(&mut rng, b, t, d_in);
                let all = fused.forward_batch(x.view()).unwrap();
                prop_assert_eq!(all.weights.dim(), (b, n_heads, t, t));
                prop_assert_eq!(all.context.dim(), (b, t, d_out));
                for i in 0..b {
                    // The stack sees one sequence at a time.
                    let one = stack.forward(x.index_axis(Axis(0), i)).unwrap();
                    let w = all.weights.index_axis(Axis(0), i);
                    let c = all.concatenated.index_axis(Axis(0), i);
                    let o = all.context.index_axis(Axis(0), i);
                    prop_assert!(gap(w, one.weights.view()) < 1e-6);
                    prop_assert!(gap(c, one.concatenated.view()) < 1e-6);
                    prop_assert!(gap(o, one.context.view()) < 1e-6);
                }
            }
        }
        // ANCHOR_END: agree

        #[test]
        fn random_is_the_fused_stack_of_the_same_seed(
            d_in in 1usize..5, n_heads in 1usize..5, d_head in 1usize..4,
            seed in any::<u64>(),
        ) {
            let d_out = n_heads * d_head;
            let mut r1 = SplitMix64::new(seed);
            let mut r2 = SplitMix64::new(seed);
            let fused = MultiHeadAttention::random(
                d_in, d_out, n_heads, Mask::None, &mut r1,
            )
            .unwrap();
            let stack =
                HeadStack::random(d_in, d_out, n_heads, Mask::None, &mut r2)
                    .unwrap();
            // Head h's W_q is columns h * d_head .. (h + 1) * d_head.
            let (w_q, w_k, w_v) = (fused.w_q(), fused.w_k(), fused.w_v());
            for (h, head) in stack.heads().iter().enumerate() {
                let cols = s![.., h * d_head..(h + 1) * d_head];
                prop_assert_eq!(w_q.slice(cols), head.w_q());
                prop_assert_eq!(w_k.slice(cols), head.w_k());
                prop_assert_eq!(w_v.slice(cols), head.w_v());
            }
            prop_assert_eq!(fused.w_o(), stack.w_o());
        }

        #[test]
        fn split_then_merge_gives_the_input_back(
            b in 1usize..4, t in 1usize..6, n_heads in 1usize..5,
            d_head in 1usize..4, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let x = normal_batch(&mut rng, b, t, n_heads * d_head);
            let heads = split_heads(x.view(), n_heads).unwrap();
            prop_assert_eq!(heads.dim(), (b, n_heads, t, d_head));
            prop_assert_eq!(merge_heads(heads.view()).unwrap(), x);
        }

        #[test]
        fn a_causal_layer_ignores_later_tokens(
            t in 2usize..7, d_in in 1usize..5, n_heads in 1usize..4,
            cut in 1usize..6, seed in any::<u64>(),
        ) {
            // Change every token from position `cut` on: the outputs
            // before `cut` must not move, in any head.
            let cut = cut.min(t - 1);
            let mut rng = SplitMix64::new(seed);
            let layer = MultiHeadAttention::random(
                d_in, 2 * n_heads, n_heads, Mask::Causal, &mut rng,
            )
            .unwrap();
            let x = rng.normal_matrix(t, d_in);
            let mut changed = x.clone();
            changed
                .slice_mut(s![cut.., ..])
                .assign(&rng.normal_matrix(t - cut, d_in));
            let a = layer.forward(x.view()).unwrap();
            let b = layer.forward(changed.view()).unwrap();
            let early = s![..cut, ..];
            let moved = gap(a.context.slice(early), b.context.slice(early));
            prop_assert!(moved < 1e-12);
        }

        #[test]
        fn every_head_s_weights_are_distributions(
            b in 1usize..3, t in 1usize..6, d_in in 1usize..5,
            n_heads in 1usize..5, causal in any::<bool>(), seed in any::<u64>(),
        ) {
            let mask = if causal { Mask::Causal } else { Mask::None };
            let mut rng = SplitMix64::new(seed);
            let layer = MultiHeadAttention::random(
                d_in, n_heads, n_heads, mask, &mut rng,
            )
            .unwrap();
            let x = normal_batch(&mut rng, b, t, d_in);
            let out = layer.forward_batch(x.view()).unwrap();
            for row in out.weights.rows() {
                prop_assert!(row.iter().all(|&w| w >= 0.0));
                prop_assert!((row.sum() - 1.0).abs() < 1e-12);
            }
        }
    }
}
