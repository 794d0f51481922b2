//! The backward pass of one attention layer, derived by hand.
//!
//! The forward pass is chapter 5's [`SelfAttention`]:
//! `Q = X W_q`, `K = X W_k`, `V = X W_v`, `S = c Q K^T` with
//! `c = 1/sqrt(d_k)`, `A = softmax(S)` row by row, `Z = A V`. Given how
//! the loss changes with `Z` (and, for losses on the weights themselves,
//! with `A`), [`attention_backward`] walks the same steps in reverse and
//! returns how the loss changes with `W_q`, `W_k` and `W_v`.

use anyhow::Result;
use attn_common::check;
use ch03_queries_keys_values::attention::{Scale, attention};
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

// ANCHOR: jacobian
/// The Jacobian of the softmax at its output `w`: entry `(i, j)` is
/// `d w_i / d s_j = w_i (delta_ij - w_j)`, that is `diag(w) - w w^T`.
///
/// Only for showing: it has `T^2` entries, and
/// [`softmax_backward`] never needs it.
///
/// # Shapes
/// - `w`: `(T,)` -> `(T, T)`
///
/// # Errors
/// An empty or non-finite `w`.
pub fn softmax_jacobian(w: ArrayView1<f64>) -> Result<Array2<f64>> {
    check::usable("w", &w)?;
    let t = w.len();
    Ok(Array2::from_shape_fn((t, t), |(i, j)| {
        let delta = if i == j { 1.0 } else { 0.0 };
        w[i] * (delta - w[j])
    }))
}
// ANCHOR_END: jacobian

// ANCHOR: softmax_backward
/// The softmax's backward pass without its Jacobian: given the softmax
/// output `w` and the upstream gradient `g = dL/dw`, returns
/// `dL/ds = J^T g = w * (g - g . w)` (elementwise `*`).
///
/// Two passes over `T` numbers instead of a `(T, T)` matrix. When `w`
/// sums to 1, the result sums to 0: adding the same number to every
/// score leaves the softmax, and so the loss, unchanged.
///
/// # Shapes
/// - `w`: `(T,)`, `g`: `(T,)` -> `(T,)`
///
/// # Errors
/// Empty or non-finite inputs, or `w` and `g` of different lengths; the
/// error names both shapes.
pub fn softmax_backward(
    w: ArrayView1<f64>,
    g: ArrayView1<f64>,
) -> Result<Array1<f64>> {
    check::usable("w", &w)?;
    check::usable("g", &g)?;
    check::same_len(
        "the softmax output and its upstream gradient (T)",
        ("w", w.len(), &check::shape(&w)),
        ("g", g.len(), &check::shape(&g)),
    )?;
    let g_dot_w = g.dot(&w); // (T,) . (T,) -> scalar
    Ok(&w * &(&g - g_dot_w))
}
// ANCHOR_END: softmax_backward

/// Everything the backward pass needs from one forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    /// The input. Shape `(T, d_in)`.
    pub x: Array2<f64>,
    /// Queries `X W_q`. Shape `(T, d_k)`.
    pub q: Array2<f64>,
    /// Keys `X W_k`. Shape `(T, d_k)`.
    pub k: Array2<f64>,
    /// Values `X W_v`. Shape `(T, d_v)`.
    pub v: Array2<f64>,
    /// Attention weights, row = query. Shape `(T, T)`.
    pub weights: Array2<f64>,
    /// Context vectors `A V`. Shape `(T, d_v)`.
    pub context: Array2<f64>,
}

// ANCHOR: forward
/// Chapter 5's forward pass, keeping what the backward pass needs.
///
/// # Shapes
/// - `x`: `(T, d_in)`; the cache holds `q`, `k` `(T, d_k)`, `v` and
///   `context` `(T, d_v)`, `weights` `(T, T)`
///
/// # Errors
/// An empty or non-finite `x`, or `x` whose width is not `d_in`.
pub fn forward(layer: &SelfAttention, x: ArrayView2<f64>) -> Result<Cache> {
    let q = layer.queries(x)?; // (T, d_in) x (d_in, d_k) -> (T, d_k)
    let k = layer.keys(x)?; // (T, d_in) x (d_in, d_k) -> (T, d_k)
    let v = layer.values(x)?; // (T, d_in) x (d_in, d_v) -> (T, d_v)
    let out = attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)?;
    Ok(Cache {
        x: x.to_owned(),
        q,
        k,
        v,
        weights: out.weights,
        context: out.context,
    })
}
// ANCHOR_END: forward

/// How the loss changes with each projection of the layer.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionGrads {
    /// `dL/dW_q`. Shape `(d_in, d_k)`.
    pub w_q: Array2<f64>,
    /// `dL/dW_k`. Shape `(d_in, d_k)`.
    pub w_k: Array2<f64>,
    /// `dL/dW_v`. Shape `(d_in, d_v)`.
    pub w_v: Array2<f64>,
}

// ANCHOR: attention_backward
/// The backward pass of one attention layer.
///
/// `d_context` is `dL/dZ`; `d_weights` is any gradient that reaches the
/// weights directly (zero unless the loss looks at `A` itself).
///
/// # Shapes
/// - `d_context`: `(T, d_v)`, `d_weights`: `(T, T)`
/// - returns `dL/dW_q`, `dL/dW_k` `(d_in, d_k)` and `dL/dW_v`
///   `(d_in, d_v)`
///
/// # Errors
/// Upstream gradients whose shapes do not match the cache's, or that are
/// not finite; the error names the shapes.
pub fn attention_backward(
    cache: &Cache,
    d_context: ArrayView2<f64>,
    d_weights: ArrayView2<f64>,
) -> Result<AttentionGrads> {
    let Cache {
        x,
        q,
        k,
        v,
        weights,
        ..
    } = cache;
    check::usable("d_context", &d_context)?;
    check::usable("d_weights", &d_weights)?;
    if d_context.dim() != cache.context.dim()
        || d_weights.dim() != weights.dim()
    {
        anyhow::bail!(
            "upstream gradients must match the forward pass: `d_context` \
             has shape {} for a context of shape {}, `d_weights` has \
             shape {} for weights of shape {}",
            check::shape(&d_context),
            check::shape(&cache.context),
            check::shape(&d_weights),
            check::shape(weights)
        );
    }
    // Z = A V: each weight multiplies one value, each value is summed
    // into every context row with that row's weight.
    let d_a = &d_weights + &d_context.dot(&v.t()); // (T, d_v) x (d_v, T)
    let d_v = weights.t().dot(&d_context); // (T, T) x (T, d_v) -> (T, d_v)
    // A = softmax(S), each row on its own: the cheap form, row by row.
    let mut d_s = Array2::zeros(weights.dim());
    for ((w, g), mut out) in weights
        .rows()
        .into_iter()
        .zip(d_a.rows())
        .zip(d_s.axis_iter_mut(Axis(0)))
    {
        out.assign(&softmax_backward(w, g)?);
    }
    // S = c Q K^T: the scale passes straight through, and each score
    // is a dot product of one query and one key.
    let c = Scale::InvSqrtDk.factor(q.ncols());
    let d_q = d_s.dot(k) * c; // (T, T) x (T, d_k) -> (T, d_k)
    let d_k = d_s.t().dot(q) * c; // (T, T) x (T, d_k) -> (T, d_k)
    // Q = X W_q, K = X W_k, V = X W_v.
    Ok(AttentionGrads {
        w_q: x.t().dot(&d_q), // (d_in, T) x (T, d_k) -> (d_in, d_k)
        w_k: x.t().dot(&d_k), // (d_in, T) x (T, d_k) -> (d_in, d_k)
        w_v: x.t().dot(&d_v), // (d_in, T) x (T, d_v) -> (d_in, d_v)
    })
}
// ANCHOR_END: attention_backward

#[cfg(test)]
mod tests {
    use super::*;
    use ch03_queries_keys_values::softmax::softmax;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn the_jacobian_of_a_uniform_softmax() {
        // w = [1/2, 1/2]: J = [[1/4, -1/4], [-1/4, 1/4]].
        let j = softmax_jacobian(array![0.5, 0.5].view()).unwrap();
        assert_eq!(j, array![[0.25, -0.25], [-0.25, 0.25]]);
    }

    #[test]
    fn the_cheap_form_equals_the_jacobian_product() {
        let w = softmax(array![2.0, 1.0, 0.1].view()).unwrap();
        let g = array![1.0, -2.0, 0.5];
        let full = softmax_jacobian(w.view()).unwrap().t().dot(&g);
        let cheap = softmax_backward(w.view(), g.view()).unwrap();
        for (a, b) in full.iter().zip(&cheap) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn mismatched_lengths_name_both_shapes() {
        let err = softmax_backward(
            array![0.5, 0.5].view(),
            array![1.0, 2.0, 3.0].view(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(2,)") && err.contains("(3,)"), "{err}");
        let err = softmax_jacobian(Array1::zeros(0).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("(0,)"), "{err}");
    }

    #[test]
    fn upstream_gradients_of_the_wrong_shape_are_rejected() {
        let mut rng = attn_common::rng::SplitMix64::new(1);
        let layer = SelfAttention::random(3, 2, &mut rng).unwrap();
        let x = rng.normal_matrix(4, 3);
        let cache = forward(&layer, x.view()).unwrap();
        let err = attention_backward(
            &cache,
            Array2::zeros((4, 3)).view(),
            Array2::zeros((4, 4)).view(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(4, 3)") && err.contains("(4, 2)"), "{err}");
    }

    proptest! {
        #[test]
        fn the_softmax_gradient_sums_to_zero_and_matches_the_jacobian(
            s in prop::collection::vec(-5.0f64..5.0, 1..10),
            seed in any::<u64>(),
        ) {
            let s = Array1::from(s);
            let w = softmax(s.view()).unwrap();
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let g = Array1::from_shape_simple_fn(w.len(), || rng.normal());
            let cheap = softmax_backward(w.view(), g.view()).unwrap();
            let full = softmax_jacobian(w.view()).unwrap().t().dot(&g);
            prop_assert!(cheap.sum().abs() < 1e-12);
            for (a, b) in full.iter().zip(&cheap) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }
    }
}
