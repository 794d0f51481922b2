//! The three steps of attention: score, normalise, mix.

use crate::softmax::{softmax, softmax_rows};
use anyhow::Result;
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Whether scores are divided by `sqrt(d_k)` before the softmax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Use the raw dot products.
    None,
    /// Divide every score by `sqrt(d_k)`, the width of a key.
    InvSqrtDk,
}

impl Scale {
    /// The factor the scores are multiplied by for keys of width `d_k`.
    pub fn factor(self, d_k: usize) -> f64 {
        match self {
            Scale::None => 1.0,
            Scale::InvSqrtDk => 1.0 / (d_k as f64).sqrt(),
        }
    }
}

/// Everything one query's attention step produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Attended {
    /// One score per key, after scaling. Shape `(T,)`.
    pub scores: Array1<f64>,
    /// Softmax of the scores: one weight per key, summing to 1. Shape `(T,)`.
    pub weights: Array1<f64>,
    /// The weighted sum of the values: the context vector. Shape `(d_v,)`.
    pub output: Array1<f64>,
}

// ANCHOR: attend
/// One query attends over `T` key/value pairs.
///
/// # Shapes
/// - `query`: `(d_k,)`
/// - `keys`: `(T, d_k)`, one key per row
/// - `values`: `(T, d_v)`, one value per row
/// - returns scores `(T,)`, weights `(T,)` and output `(d_v,)`
///
/// # Errors
/// Empty or non-finite inputs, a query whose width differs from the keys',
/// or a different number of keys and values.
pub fn attend(
    query: ArrayView1<f64>,
    keys: ArrayView2<f64>,
    values: ArrayView2<f64>,
    scale: Scale,
) -> Result<Attended> {
    check::usable("query", &query)?;
    check::usable("keys", &keys)?;
    check::usable("values", &values)?;
    check::same_len(
        "the query's width and the keys' width",
        ("query", query.len(), &check::shape(&query)),
        ("keys", keys.ncols(), &check::shape(&keys)),
    )?;
    check::same_len(
        "the number of keys and values",
        ("keys", keys.nrows(), &check::shape(&keys)),
        ("values", values.nrows(), &check::shape(&values)),
    )?;
    // Step 1: how well does each key match the query?
    let scores = keys.dot(&query); // (T, d_k) x (d_k,) -> (T,)
    let scores = scores * scale.factor(query.len());
    // Step 2: turn the scores into weights that sum to 1.
    let weights = softmax(scores.view())?;
    // Step 3: mix the values in those proportions.
    let output = values.t().dot(&weights); // (d_v, T) x (T,) -> (d_v,)
    Ok(Attended {
        scores,
        weights,
        output,
    })
}
// ANCHOR_END: attend

/// Everything attention over a whole sequence of queries produces.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionOutput {
    /// Scaled scores, one row per query. Shape `(T_q, T_k)`.
    pub scores: Array2<f64>,
    /// Row-wise softmax of the scores. Shape `(T_q, T_k)`.
    pub weights: Array2<f64>,
    /// One context vector per query. Shape `(T_q, d_v)`.
    pub context: Array2<f64>,
}

/// The checks every attention function makes on its inputs before any
/// matrix product: nothing empty or non-finite, queries as wide as keys,
/// and one value per key. Each error names the shapes.
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)`
pub fn check_qkv(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
) -> Result<()> {
    check::usable("q", &q)?;
    check::usable("k", &k)?;
    check::usable("v", &v)?;
    check::same_len(
        "the widths of queries and keys (d_k)",
        ("q", q.ncols(), &check::shape(&q)),
        ("k", k.ncols(), &check::shape(&k)),
    )?;
    check::same_len(
        "the number of keys and values (T_k)",
        ("k", k.nrows(), &check::shape(&k)),
        ("v", v.nrows(), &check::shape(&v)),
    )?;
    Ok(())
}

// ANCHOR: attention
/// `softmax(Q K^T * scale) V`: every query at once, as matrix products.
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)`
/// - returns scores and weights `(T_q, T_k)` and context `(T_q, d_v)`
///
/// # Errors
/// Empty or non-finite inputs, queries and keys of different widths, or a
/// different number of keys and values.
pub fn attention(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    scale: Scale,
) -> Result<AttentionOutput> {
    check_qkv(q, k, v)?;
    let scores = q.dot(&k.t()); // (T_q, d_k) x (d_k, T_k) -> (T_q, T_k)
    let scores = scores * scale.factor(q.ncols());
    let weights = softmax_rows(scores.view())?;
    let context = weights.dot(&v); // (T_q, T_k) x (T_k, d_v) -> (T_q, d_v)
    Ok(AttentionOutput {
        scores,
        weights,
        context,
    })
}
// ANCHOR_END: attention

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, array};
    use proptest::prelude::*;

    #[test]
    fn identical_scores_average_the_values() {
        // Every key scores 0 against a zero query, so each weight is 1/2.
        let out = attend(
            array![0.0, 0.0].view(),
            array![[1.0, 0.0], [0.0, 1.0]].view(),
            array![[2.0], [4.0]].view(),
            Scale::None,
        )
        .unwrap();
        assert_eq!(out.weights, array![0.5, 0.5]);
        assert_eq!(out.output, array![3.0]);
    }

    #[test]
    fn mismatched_widths_name_both_shapes() {
        let err = attend(
            array![1.0, 0.0, 1.0].view(),
            array![[1.0, 0.0], [0.0, 1.0]].view(),
            array![[2.0], [4.0]].view(),
            Scale::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`query` has shape (3,)"), "{err}");
        assert!(err.contains("`keys` has shape (2, 2)"), "{err}");
    }

    #[test]
    fn more_keys_than_values_is_an_error() {
        let err = attention(
            array![[1.0, 0.0]].view(),
            array![[1.0, 0.0], [0.0, 1.0]].view(),
            array![[2.0]].view(),
            Scale::InvSqrtDk,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`k` has shape (2, 2)"), "{err}");
        assert!(err.contains("`v` has shape (1, 1)"), "{err}");
    }

    #[test]
    fn non_finite_values_are_rejected() {
        let err = attention(
            array![[1.0]].view(),
            array![[1.0]].view(),
            array![[f64::INFINITY]].view(),
            Scale::None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`v` with shape (1, 1)"), "{err}");
    }

    proptest! {
        #[test]
        fn output_is_a_weighted_average_of_the_values(
            t in 1usize..6, d_k in 1usize..5, d_v in 1usize..4,
            seed in any::<u64>(),
        ) {
            // Weights are >= 0 and sum to 1, so each output entry lies
            // between the smallest and largest value in its column.
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let q = rng.normal_matrix(1, d_k);
            let k = rng.normal_matrix(t, d_k);
            let v = rng.normal_matrix(t, d_v);
            let out = attend(q.row(0), k.view(), v.view(), Scale::None)
                .unwrap();
            prop_assert!((out.weights.sum() - 1.0).abs() < 1e-12);
            for (c, column) in v.columns().into_iter().enumerate() {
                let lo = column.fold(f64::INFINITY, |m, &x| m.min(x));
                let hi = column.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
                prop_assert!(out.output[c] >= lo - 1e-12);
                prop_assert!(out.output[c] <= hi + 1e-12);
            }
        }

        #[test]
        fn scaling_is_a_temperature_of_sqrt_d_k(
            t in 1usize..6, d_k in 1usize..8, seed in any::<u64>(),
        ) {
            // Dividing scores by sqrt(d_k) is softmax at tau = sqrt(d_k).
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let q = rng.normal_matrix(1, d_k);
            let k = rng.normal_matrix(t, d_k);
            let v = rng.normal_matrix(t, 1);
            let raw = attend(q.row(0), k.view(), v.view(), Scale::None)
                .unwrap();
            let scaled = attend(q.row(0), k.view(), v.view(), Scale::InvSqrtDk)
                .unwrap();
            let hot = crate::softmax::softmax_with_temperature(
                raw.scores.view(),
                (d_k as f64).sqrt(),
            )
            .unwrap();
            for (a, b) in scaled.weights.iter().zip(&hot) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }

        #[test]
        fn matrix_form_matches_one_query_at_a_time(
            t_q in 1usize..5, t_k in 1usize..6, d_k in 1usize..5,
            d_v in 1usize..4, seed in any::<u64>(),
        ) {
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let q = rng.normal_matrix(t_q, d_k);
            let k = rng.normal_matrix(t_k, d_k);
            let v = rng.normal_matrix(t_k, d_v);
            let all = attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)
                .unwrap();
            for (i, row) in q.axis_iter(Axis(0)).enumerate() {
                let one = attend(row, k.view(), v.view(), Scale::InvSqrtDk)
                    .unwrap();
                for (a, b) in one.output.iter().zip(all.context.row(i)) {
                    prop_assert!((a - b).abs() < 1e-12);
                }
            }
        }
    }
}
