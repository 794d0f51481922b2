//! Naming what a head does: a previous-token score, an induction score,
//! and the loss on each half of the held-out sequences.

use crate::model::{Params, forward, position_losses};
use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::ArrayView2;

fn check_square(weights: &ArrayView2<f64>) -> Result<()> {
    check::usable("weights", weights)?;
    ensure!(
        weights.nrows() == weights.ncols(),
        "self-attention weights are square (T, T), got shape {}",
        check::shape(weights)
    );
    Ok(())
}

// ANCHOR: previous_token
/// How much a head attends to the token just before each query: the mean
/// of `A[i][i - 1]` over the queries `i = 1..T`. A perfect
/// previous-token head scores 1.
///
/// # Shapes
/// - `weights`: `(T, T)` with `T >= 2`, row = query
///
/// # Errors
/// A map that is not square, has fewer than two rows or is not finite;
/// the error names the shape.
pub fn previous_token_score(weights: ArrayView2<f64>) -> Result<f64> {
    check_square(&weights)?;
    let t = weights.nrows();
    ensure!(
        t >= 2,
        "a previous token needs T >= 2, got shape ({t}, {t})"
    );
    let total: f64 = (1..t).map(|i| weights[[i, i - 1]]).sum();
    Ok(total / (t - 1) as f64)
}
// ANCHOR_END: previous_token

// ANCHOR: induction
/// How much a head attends, from each token of the repeated half, to the
/// token just after that token's first occurrence: the mean of
/// `A[i][i - half + 1]` over the queries `i = half..T`, for a sequence
/// whose second half (from position `half`) repeats the first. A perfect
/// induction head scores 1.
///
/// # Shapes
/// - `weights`: `(T, T)` with `T = 2 * half`, row = query
///
/// # Errors
/// A map that is not square or not finite, or `half` of 0 or not half of
/// `T`; the error names the shape.
pub fn induction_score(weights: ArrayView2<f64>, half: usize) -> Result<f64> {
    check_square(&weights)?;
    let t = weights.nrows();
    ensure!(
        half > 0 && 2 * half == t,
        "the repeat starts at half = {half}, but weights of shape \
         ({t}, {t}) need half = T / 2 with T even and above 0"
    );
    let total: f64 = (half..t).map(|i| weights[[i, i - half + 1]]).sum();
    Ok(total / half as f64)
}
// ANCHOR_END: induction

/// What the model does on a held-out set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The mean loss of the predictions made in the first half (positions
    /// `0..half`, whose next tokens are random).
    pub first_half: f64,
    /// The mean loss of the predictions made in the repeated half
    /// (positions `half..T - 1`, whose next tokens appeared before).
    pub repeated: f64,
    /// `prev[l][h]`: head `h` of layer `l`'s mean previous-token score.
    pub prev: Vec<Vec<f64>>,
    /// `induction[l][h]`: its mean induction score.
    pub induction: Vec<Vec<f64>>,
}

// ANCHOR: evaluate
/// The loss on each half and every head's scores, averaged over `test`,
/// with the heads in `ablate` removed.
///
/// # Shapes
/// - every sequence of `test`: `(T,)`, second half repeating the first
///
/// # Errors
/// An empty set, or a sequence the model cannot read.
pub fn evaluate_ablated(
    params: &Params,
    test: &[Vec<usize>],
    ablate: &[(usize, usize)],
) -> Result<Evaluation> {
    ensure!(
        !test.is_empty(),
        "an evaluation needs at least one sequence"
    );
    let (heads, layers) = (params.config.n_heads, params.layers.len());
    let mut e = Evaluation {
        first_half: 0.0,
        repeated: 0.0,
        prev: vec![vec![0.0; heads]; layers],
        induction: vec![vec![0.0; heads]; layers],
    };
    for tokens in test {
        let half = tokens.len() / 2;
        ensure!(
            half >= 2 && tokens.len() == 2 * half,
            "held-out sequences have an even length of 4 or more, got {}",
            tokens.len()
        );
        let cache = forward(params, tokens, ablate)?;
        let losses = position_losses(&cache);
        e.first_half += losses[..half].iter().sum::<f64>() / half as f64;
        e.repeated +=
            losses[half..].iter().sum::<f64>() / (half - 1).max(1) as f64;
        for (l, layer) in cache.heads.iter().enumerate() {
            for (h, hc) in layer.iter().enumerate() {
                e.prev[l][h] += previous_token_score(hc.weights.view())?;
                e.induction[l][h] += induction_score(hc.weights.view(), half)?;
            }
        }
    }
    let n = test.len() as f64;
    e.first_half /= n;
    e.repeated /= n;
    for row in e.prev.iter_mut().chain(e.induction.iter_mut()) {
        for x in row {
            *x /= n;
        }
    }
    Ok(e)
}
// ANCHOR_END: evaluate

/// [`evaluate_ablated`] with every head in place.
///
/// # Shapes
/// - as [`evaluate_ablated`]
///
/// # Errors
/// As [`evaluate_ablated`].
pub fn evaluate(params: &Params, test: &[Vec<usize>]) -> Result<Evaluation> {
    evaluate_ablated(params, test, &[])
}

/// The head of `layer` (from 0) with the largest score in `scores`; 0 if
/// there is no such layer.
///
/// # Shapes
/// - `scores[l][h]` as [`Evaluation::prev`]
pub fn best_head(scores: &[Vec<f64>], layer: usize) -> usize {
    let Some(row) = scores.get(layer) else {
        return 0;
    };
    (0..row.len()).fold(0, |best, h| if row[h] > row[best] { h } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    /// The map of a head that always attends to `target(i)`.
    fn hard(t: usize, target: impl Fn(usize) -> usize) -> Array2<f64> {
        Array2::from_shape_fn((t, t), |(i, j)| f64::from(j == target(i)))
    }

    proptest! {
        #[test]
        fn perfect_heads_score_one_and_each_other_less(half in 3usize..12) {
            let t = 2 * half;
            let prev = hard(t, |i| i.saturating_sub(1));
            let ind = hard(t, |i| if i >= half { i - half + 1 } else { 0 });
            prop_assert_eq!(previous_token_score(prev.view()).unwrap(), 1.0);
            prop_assert_eq!(induction_score(ind.view(), half).unwrap(), 1.0);
            // An induction head looks half - 1 steps back: for half >= 3, not 1.
            prop_assert!(previous_token_score(ind.view()).unwrap() < 1.0);
            prop_assert!(induction_score(prev.view(), half).unwrap() < 1.0);
        }

        #[test]
        fn scores_of_distributions_lie_in_0_1(
            half in 1usize..8, seed in any::<u64>(),
        ) {
            let t = 2 * half;
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let s = rng.normal_matrix(t, t) * 3.0;
            let w = crate::model::causal_softmax(s.view());
            let i = induction_score(w.view(), half).unwrap();
            prop_assert!((0.0..=1.0).contains(&i));
            if t >= 2 {
                let p = previous_token_score(w.view()).unwrap();
                prop_assert!((0.0..=1.0).contains(&p));
            }
        }
    }

    #[test]
    fn bad_maps_name_their_shape() {
        let w = Array2::zeros((3, 4));
        let err = previous_token_score(w.view()).unwrap_err().to_string();
        assert!(err.contains("(3, 4)"), "{err}");
        let w = Array2::zeros((4, 4));
        let err = induction_score(w.view(), 3).unwrap_err().to_string();
        assert!(err.contains("(4, 4)"), "{err}");
        let one = Array2::ones((1, 1));
        assert!(previous_token_score(one.view()).is_err());
    }
}
