//! Exact attention in tiles, with an online softmax: the idea behind
//! FlashAttention, on the CPU and in plain Rust.

use crate::exp::exp_shifted;
use anyhow::{Result, bail, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::{Scale, attention, check_qkv};
use ch06_causal_attention::{causal_mask, masked_attention};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2, s};

/// Which keys each query may see.
#[derive(Debug, Clone, Copy)]
pub enum Mask<'a> {
    /// Every query sees every key.
    None,
    /// Query `i` sees key `j` when `j <= i` (chapter 6).
    Causal,
    /// Query `i` sees key `j` when `allowed[[i, j]]`.
    Given(ArrayView2<'a, bool>),
}

impl Mask<'_> {
    /// Sets every score this mask hides to `-inf`, in a tile whose first
    /// row is query `i0` and whose first column is key `j0`.
    ///
    /// # Shapes
    /// - `scores`: `(b_q, b_k)`, rows `i0..i0 + b_q` and columns
    ///   `j0..j0 + b_k` of the `(T_q, T_k)` scores
    fn hide(&self, mut scores: ArrayViewMut2<f64>, i0: usize, j0: usize) {
        for ((r, c), x) in scores.indexed_iter_mut() {
            let (i, j) = (i0 + r, j0 + c);
            let hidden = match self {
                Mask::None => return, // nothing is hidden
                Mask::Causal => j > i,
                Mask::Given(allowed) => !allowed[[i, j]],
            };
            if hidden {
                *x = f64::NEG_INFINITY;
            }
        }
    }

    fn check(&self, t_q: usize, t_k: usize) -> Result<()> {
        if let Mask::Given(allowed) = self
            && allowed.dim() != (t_q, t_k)
        {
            bail!(
                "the mask must be (T_q, T_k) = ({t_q}, {t_k}), but `allowed` \
                 has shape {}",
                check::shape(allowed)
            );
        }
        Ok(())
    }
}

// ANCHOR: naive
/// Attention the way chapters 3 and 6 compute it: the whole `(T_q, T_k)`
/// score matrix, its softmax, then the weighted sum. A query with nothing
/// allowed gets the zero vector (chapter 6's convention).
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)` ->
///   `(T_q, d_v)`
///
/// # Errors
/// As chapter 3's `attention`, and a given mask that is not `(T_q, T_k)`.
pub fn naive_attention(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    mask: Mask,
) -> Result<Array2<f64>> {
    check_qkv(q, k, v)?;
    mask.check(q.nrows(), k.nrows())?;
    let out = match mask {
        Mask::None => attention(q, k, v, Scale::InvSqrtDk)?,
        Mask::Causal => {
            let allowed = causal_mask(q.nrows().max(k.nrows()));
            let allowed = allowed.slice(s![..q.nrows(), ..k.nrows()]);
            masked_attention(q, k, v, allowed)?
        }
        Mask::Given(allowed) => masked_attention(q, k, v, allowed)?,
    };
    Ok(out.context)
}
// ANCHOR_END: naive

// ANCHOR: online_softmax
/// The running state of an online softmax over one row of scores: the
/// largest score seen so far and the sum of `exp(score - max)` over them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnlineSoftmax {
    /// The running max `m`; `-inf` before any score.
    pub max: f64,
    /// The running sum `l = sum_j exp(s_j - m)`; 0 before any score.
    pub sum: f64,
}

impl OnlineSoftmax {
    /// The state before any score has been seen.
    pub const START: OnlineSoftmax = OnlineSoftmax {
        max: f64::NEG_INFINITY,
        sum: 0.0,
    };

    /// Takes in one block of scores and turns each, in place, into its
    /// weight `exp(score - m_new)` under the new max: one `exp` per score.
    /// Returns the factor `alpha = exp(m_old - m_new)` by which everything
    /// summed under the old max must be multiplied to be measured against
    /// the new one.
    ///
    /// # Shapes
    /// - `scores`: `(b,)`; `-inf` entries are masked and get weight 0
    pub fn update(&mut self, mut scores: ArrayViewMut1<f64>) -> f64 {
        let block_max = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let new_max = self.max.max(block_max);
        if new_max == f64::NEG_INFINITY {
            scores.fill(0.0); // all hidden so far: weight 0, no change
            return 1.0;
        }
        let alpha = (self.max - new_max).exp(); // exp(-inf) = 0 at start
        exp_shifted(scores.view_mut(), new_max); // each s -> exp(s - m_new)
        self.sum = alpha * self.sum + scores.sum();
        self.max = new_max;
        alpha
    }
}
// ANCHOR_END: online_softmax

// ANCHOR: tiled
/// Exact attention computed in tiles of `tile` queries by `tile` keys,
/// never holding more than one `(tile, tile)` block of scores.
///
/// For each block of queries, the keys and values are visited one tile
/// at a time. Each query row keeps a running max `m`, a running sum `l`
/// and an unnormalised output `acc`. When a tile raises the max from
/// `m_old` to `m_new`, what was summed so far is rescaled by
/// `alpha = exp(m_old - m_new)`; at the end, `acc / l` is exactly
/// `softmax(scores) V`. A query with nothing allowed gets the zero vector,
/// as in [`naive_attention`].
///
/// # Shapes
/// - `q`: `(T_q, d_k)`, `k`: `(T_k, d_k)`, `v`: `(T_k, d_v)` ->
///   `(T_q, d_v)`
/// - working memory: scores `(b_q, b_k)`, `acc` `(b_q, d_v)`, `m` and `l`
///   `(b_q,)`, with `b_q = min(tile, T_q)`, `b_k = min(tile, T_k)`
///
/// # Errors
/// As [`naive_attention`], and a tile of 0.
pub fn tiled_attention(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    mask: Mask,
    tile: usize,
) -> Result<Array2<f64>> {
    check_qkv(q, k, v)?;
    mask.check(q.nrows(), k.nrows())?;
    ensure!(tile > 0, "a tile must hold at least one query and one key");
    let (t_q, t_k, d_v) = (q.nrows(), k.nrows(), v.ncols());
    let scale = Scale::InvSqrtDk.factor(q.ncols());
    let (b_q, b_k) = (tile.min(t_q), tile.min(t_k));
    let mut out = Array2::zeros((t_q, d_v));
    // The only working memory: one tile of scores and one of outputs.
    let mut scores_buf = Array2::<f64>::zeros((b_q, b_k));
    let mut acc_buf = Array2::<f64>::zeros((b_q, d_v));
    // One running max and running sum per query row of the block.
    let mut state_buf = vec![OnlineSoftmax::START; b_q];
    for i0 in (0..t_q).step_by(b_q) {
        let i1 = (i0 + b_q).min(t_q);
        let qi = q.slice(s![i0..i1, ..]);
        let mut acc = acc_buf.slice_mut(s![..i1 - i0, ..]);
        acc.fill(0.0);
        let state = &mut state_buf[..i1 - i0];
        state.fill(OnlineSoftmax::START);
        for j0 in (0..t_k).step_by(b_k) {
            if matches!(mask, Mask::Causal) && j0 > i1 - 1 {
                break; // every key from here on is in every query's future
            }
            let j1 = (j0 + b_k).min(t_k);
            let mut s = scores_buf.slice_mut(s![..i1 - i0, ..j1 - j0]);
            // (b_q, d_k) x (d_k, b_k) -> (b_q, b_k), scaled
            general_mat_mul(
                scale,
                &qi,
                &k.slice(s![j0..j1, ..]).t(),
                0.0,
                &mut s,
            );
            mask.hide(s.view_mut(), i0, j0); // hidden scores become -inf
            for (r, row) in s.rows_mut().into_iter().enumerate() {
                // Scores become this tile's weights exp(s - m), m the new
                // max; what was summed under the old max is rescaled.
                let alpha = state[r].update(row);
                acc.row_mut(r).mapv_inplace(|a| a * alpha);
            }
            // acc += P V_j: (b_q, b_k) x (b_k, d_v) -> (b_q, d_v)
            general_mat_mul(1.0, &s, &v.slice(s![j0..j1, ..]), 1.0, &mut acc);
        }
        for (r, st) in state.iter().enumerate() {
            if st.sum > 0.0 {
                let row = acc.row(r).mapv(|a| a / st.sum);
                out.row_mut(i0 + r).assign(&row);
            }
        }
    }
    Ok(out)
}
// ANCHOR_END: tiled

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;
    use proptest::prelude::*;

    fn largest_difference(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        a.iter()
            .zip(b)
            .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()))
    }

    #[test]
    fn online_softmax_of_two_blocks_equals_the_softmax() {
        // Blocks [1, 2] then [3]: after the first, m = 2, l = e^-1 + 1;
        // after the second, m = 3, l = (e^-1 + 1) e^-1 + 1.
        let mut st = OnlineSoftmax::START;
        let mut w = ndarray::array![1.0, 2.0];
        let alpha = st.update(w.view_mut());
        assert_eq!(alpha, 0.0);
        assert_eq!(st.max, 2.0);
        assert!((st.sum - (1.0 + (-1.0f64).exp())).abs() < 1e-15);
        // The scores became their weights under the new max.
        assert!((w[0] - (-1.0f64).exp()).abs() < 1e-15 && w[1] == 1.0);
        let mut w = ndarray::array![3.0];
        let alpha = st.update(w.view_mut());
        assert!((alpha - (-1.0f64).exp()).abs() < 1e-15);
        assert_eq!(w[0], 1.0);
        let direct: f64 =
            [1.0f64, 2.0, 3.0].iter().map(|x| (x - 3.0).exp()).sum();
        assert!((st.sum - direct).abs() < 1e-15);
    }

    #[test]
    fn a_block_with_every_score_hidden_changes_nothing() {
        let mut st = OnlineSoftmax::START;
        let mut w = ndarray::array![f64::NEG_INFINITY, f64::NEG_INFINITY];
        assert_eq!(st.update(w.view_mut()), 1.0);
        assert_eq!(st, OnlineSoftmax::START);
        assert_eq!(w, ndarray::array![0.0, 0.0]);
        let mut w = ndarray::array![f64::NEG_INFINITY, 0.5];
        assert_eq!(st.update(w.view_mut()), 0.0);
        assert_eq!(w, ndarray::array![0.0, 1.0]);
        assert_eq!((st.max, st.sum), (0.5, 1.0));
    }

    #[test]
    fn a_fully_masked_row_gets_zeros() {
        let mut rng = SplitMix64::new(3);
        let (q, k, v) = (
            rng.normal_matrix(2, 3),
            rng.normal_matrix(4, 3),
            rng.normal_matrix(4, 2),
        );
        let allowed = ndarray::array![
            [false, false, false, false],
            [true, false, true, false]
        ];
        let m = Mask::Given(allowed.view());
        let a = naive_attention(q.view(), k.view(), v.view(), m).unwrap();
        let b = tiled_attention(q.view(), k.view(), v.view(), m, 1).unwrap();
        assert_eq!(a.row(0), ndarray::array![0.0, 0.0]);
        assert_eq!(b.row(0), ndarray::array![0.0, 0.0]);
        assert!(largest_difference(&a, &b) < 1e-12);
    }

    #[test]
    fn bad_inputs_name_the_shapes() {
        let q = Array2::<f64>::zeros((2, 3));
        let k = Array2::<f64>::zeros((4, 2));
        let v = Array2::<f64>::zeros((4, 2));
        let err = tiled_attention(q.view(), k.view(), v.view(), Mask::None, 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("(2, 3)") && err.contains("(4, 2)"), "{err}");
        let k = Array2::<f64>::zeros((4, 3));
        assert!(
            tiled_attention(q.view(), k.view(), v.view(), Mask::None, 0)
                .is_err()
        );
        let allowed = Array2::from_elem((3, 3), true);
        let err = tiled_attention(
            q.view(),
            k.view(),
            v.view(),
            Mask::Given(allowed.view()),
            2,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(2, 4)") && err.contains("(3, 3)"), "{err}");
    }

    proptest! {
        #[test]
        fn tiles_of_any_size_equal_the_naive_result_with_any_mask(
            t_q in 1usize..24, t_k in 1usize..24, d_k in 1usize..6,
            d_v in 1usize..5, tile in 1usize..30, which in 0usize..3,
            density in 0.0f64..1.0, spread in 0.1f64..30.0,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let q = rng.normal_matrix(t_q, d_k).mapv(|x| x * spread);
            let k = rng.normal_matrix(t_k, d_k);
            let v = rng.normal_matrix(t_k, d_v);
            let allowed = Array2::from_shape_simple_fn((t_q, t_k), || {
                rng.uniform() < density
            });
            let mask = match which {
                0 => Mask::None,
                1 => Mask::Causal,
                _ => Mask::Given(allowed.view()),
            };
            let a = naive_attention(q.view(), k.view(), v.view(), mask)
                .unwrap();
            let b = tiled_attention(q.view(), k.view(), v.view(), mask, tile)
                .unwrap();
            let diff = largest_difference(&a, &b);
            prop_assert!(diff < 1e-12, "largest difference {diff}");
        }
    }
}
