//! The head-count experiment: at a fixed width `d_model`, what changes as
//! the number of heads grows, and what a very narrow head can no longer do.

use crate::fused::MultiHeadAttention;
use crate::heads::{Mask, head_width};
use crate::params::{parameter_count, score_entries};
use anyhow::Result;
use attn_common::check;
use attn_common::rng::SplitMix64;
use ndarray::{ArrayView2, Axis};

/// What one choice of `n_heads` costs at a fixed width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadCountCost {
    /// The number of heads.
    pub n_heads: usize,
    /// The width of each head, `d_model / n_heads`.
    pub d_head: usize,
    /// The layer's weights, biases included; the same for every row.
    pub parameters: usize,
    /// Multiply-adds for all heads' `Q K^T`: `n_heads * T * T * d_head`,
    /// which is `T * T * d_model` whatever `n_heads` is.
    pub score_multiply_adds: usize,
    /// Entries of all heads' `(T, T)` score matrices, which must be held
    /// in memory for the softmax: `n_heads * T * T`.
    pub score_entries: usize,
}

// ANCHOR: head_count_costs
/// The cost of every head count in `counts`, for a layer of width
/// `d_model` (so `d_in = d_out = d_model`) reading `t` tokens.
///
/// # Shapes
/// - each head: `(d_model, d_model / n_heads)` projections and a `(T, T)`
///   score matrix
///
/// # Errors
/// A count that is 0 or does not divide `d_model`.
pub fn head_count_costs(
    d_model: usize,
    t: usize,
    counts: &[usize],
) -> Result<Vec<HeadCountCost>> {
    counts
        .iter()
        .map(|&n_heads| {
            let d_head = head_width(d_model, n_heads)?;
            Ok(HeadCountCost {
                n_heads,
                d_head,
                parameters: parameter_count(d_model, d_model, n_heads, true)?,
                score_multiply_adds: n_heads * t * t * d_head,
                score_entries: score_entries(n_heads, t),
            })
        })
        .collect()
}
// ANCHOR_END: head_count_costs

// ANCHOR: rank
/// The rank of a matrix: how many of its rows are linearly independent.
///
/// Gaussian elimination with partial pivoting; a pivot smaller than
/// `1e-9` times the largest entry counts as zero.
///
/// # Shapes
/// - `m`: `(rows, cols)` -> a number at most `min(rows, cols)`
///
/// # Errors
/// An empty or non-finite matrix.
pub fn rank(m: ArrayView2<f64>) -> Result<usize> {
    check::usable("m", &m)?;
    let mut a = m.to_owned();
    let (rows, cols) = a.dim();
    let largest = a.iter().fold(0.0_f64, |acc, x| acc.max(x.abs()));
    let tolerance = 1e-9 * largest;
    let mut rank = 0;
    for col in 0..cols {
        if rank == rows {
            break;
        }
        // The row (from `rank` down) with the largest entry in this column.
        let (pivot, size) = (rank..rows)
            .map(|r| (r, a[[r, col]].abs()))
            .fold((rank, -1.0), |best, x| if x.1 > best.1 { x } else { best });
        if size <= tolerance {
            continue;
        }
        for c in 0..cols {
            a.swap([rank, c], [pivot, c]);
        }
        for r in rank + 1..rows {
            let factor = a[[r, col]] / a[[rank, col]];
            for c in col..cols {
                a[[r, c]] -= factor * a[[rank, c]];
            }
        }
        rank += 1;
    }
    Ok(rank)
}
// ANCHOR_END: rank

/// How many different keys are some query's favourite (its largest
/// weight).
///
/// # Shapes
/// - `weights`: `(T_q, T_k)` -> a number between 1 and `min(T_q, T_k)`
pub fn favourite_keys(weights: ArrayView2<f64>) -> usize {
    let mut seen = vec![false; weights.ncols()];
    for row in weights.rows() {
        let best = row
            .iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (j, &w)| {
                    if w > b.1 { (j, w) } else { b }
                },
            )
            .0;
        seen[best] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

/// What the heads of one layer could express on one random sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadReach {
    /// The number of heads.
    pub n_heads: usize,
    /// The width of each head.
    pub d_head: usize,
    /// The largest rank of any head's `(T, T)` score matrix.
    pub max_score_rank: usize,
    /// The number of distinct favourite keys, averaged over the heads.
    pub mean_favourite_keys: f64,
}

// ANCHOR: head_reach
/// Runs layers of width `d_model` with each head count in `counts` on the
/// same random sequence of `t` tokens, and measures what each head's
/// scores can express.
///
/// The tokens are `t` standard normal rows drawn first from
/// `SplitMix64::new(seed)`; each layer's weights then come from a
/// generator seeded with `seed + n_heads`.
///
/// # Shapes
/// - `x`: `(T, d_model)`; every head's scores: `(T, T)` of rank at most
///   `min(d_head, T)`
///
/// # Errors
/// `t == 0`, `d_model == 0`, or a count that is 0 or does not divide
/// `d_model`.
pub fn head_reach(
    d_model: usize,
    t: usize,
    counts: &[usize],
    seed: u64,
) -> Result<Vec<HeadReach>> {
    let x = SplitMix64::new(seed).normal_matrix(t, d_model);
    let mut out = Vec::new();
    for &n_heads in counts {
        let mut rng = SplitMix64::new(seed + n_heads as u64);
        let layer = MultiHeadAttention::random(
            d_model,
            d_model,
            n_heads,
            Mask::None,
            &mut rng,
        )?;
        let result = layer.forward(x.view())?;
        let mut max_score_rank = 0;
        let mut favourites = 0;
        for (scores, weights) in result
            .scores
            .axis_iter(Axis(0))
            .zip(result.weights.axis_iter(Axis(0)))
        {
            max_score_rank = max_score_rank.max(rank(scores)?);
            favourites += favourite_keys(weights);
        }
        out.push(HeadReach {
            n_heads,
            d_head: layer.d_head(),
            max_score_rank,
            mean_favourite_keys: favourites as f64 / n_heads as f64,
        });
    }
    Ok(out)
}
// ANCHOR_END: head_reach

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rank_of_small_matrices() {
        assert_eq!(rank(array![[1.0, 2.0], [2.0, 4.0]].view()).unwrap(), 1);
        assert_eq!(rank(array![[1.0, 2.0], [3.0, 4.0]].view()).unwrap(), 2);
        assert_eq!(rank(array![[0.0, 0.0], [0.0, 0.0]].view()).unwrap(), 0);
        let wide = array![[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 2.0]];
        assert_eq!(rank(wide.view()).unwrap(), 2);
        assert!(rank(array![[f64::NAN]].view()).is_err());
    }

    #[test]
    fn favourites_count_distinct_winners() {
        let w = array![[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]];
        assert_eq!(favourite_keys(w.view()), 2);
    }

    #[test]
    fn costs_keep_parameters_and_multiply_adds_fixed() {
        let costs = head_count_costs(768, 1024, &[1, 12, 64]).unwrap();
        for c in &costs {
            assert_eq!(c.parameters, 2_362_368);
            assert_eq!(c.score_multiply_adds, 1024 * 1024 * 768);
        }
        assert_eq!(costs[1].d_head, 64);
        assert_eq!(costs[2].score_entries, 64 * 1024 * 1024);
        let err = head_count_costs(768, 4, &[5]).unwrap_err().to_string();
        assert!(err.contains("n_heads = 5"), "{err}");
    }

    #[test]
    fn a_one_wide_head_has_rank_one_scores_and_at_most_two_favourites() {
        // With d_head = 1, score (i, j) is q_i k_j: every query prefers the
        // largest k_j when q_i > 0 and the smallest when q_i < 0.
        let reach = head_reach(8, 12, &[8], 1).unwrap();
        assert_eq!(reach[0].max_score_rank, 1);
        assert!(reach[0].mean_favourite_keys <= 2.0);
    }
}
