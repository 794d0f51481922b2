//! Two ways to use one set of weights: read the expected value (soft) or
//! read one value, the arg-max or a sample (hard).

use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ndarray::{Array1, ArrayView1, ArrayView2};

/// Fails unless `weights` is a probability vector: non-empty, finite,
/// non-negative and summing to 1 (within `1e-9`).
///
/// # Shapes
/// - `weights`: `(T,)`
pub fn check_distribution(weights: ArrayView1<f64>) -> Result<()> {
    check::usable("weights", &weights)?;
    if let Some((i, w)) = weights.iter().enumerate().find(|(_, w)| **w < 0.0) {
        bail!(
            "`weights` with shape {} holds a negative weight {w} at {i}",
            check::shape(&weights)
        );
    }
    let total = weights.sum();
    ensure!(
        (total - 1.0).abs() < 1e-9,
        "`weights` with shape {} sum to {total}, not 1",
        check::shape(&weights)
    );
    Ok(())
}

// ANCHOR: soft_read
/// Soft attention: the weighted average of the values, which is the
/// *expected* value when a row is drawn with probabilities `weights`.
///
/// # Shapes
/// - `weights`: `(T,)`, a probability vector
/// - `values`: `(T, d_v)` -> `(d_v,)`
///
/// # Errors
/// Weights that are not a probability vector, non-finite values, or a
/// number of weights that differs from the number of values.
pub fn soft_read(
    weights: ArrayView1<f64>,
    values: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    check_distribution(weights)?;
    check::usable("values", &values)?;
    check::same_len(
        "the number of weights and values",
        ("weights", weights.len(), &check::shape(&weights)),
        ("values", values.nrows(), &check::shape(&values)),
    )?;
    Ok(values.t().dot(&weights)) // (d_v, T) x (T,) -> (d_v,)
}
// ANCHOR_END: soft_read

// ANCHOR: arg_max
/// Hard attention by arg-max: the index of the largest score. A tie goes
/// to the earliest position, so the answer is always one index.
///
/// # Shapes
/// - `scores`: `(T,)` -> an index in `0..T`
///
/// # Errors
/// Empty or non-finite scores.
pub fn arg_max(scores: ArrayView1<f64>) -> Result<usize> {
    check::usable("scores", &scores)?;
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    Ok(best)
}
// ANCHOR_END: arg_max

// ANCHOR: sample
/// Hard attention by sampling: draw index `i` with probability
/// `weights[i]`, from one uniform number `u` in `[0, 1)`: the first index
/// whose running total of weights exceeds `u`.
///
/// # Shapes
/// - `weights`: `(T,)`, a probability vector -> an index in `0..T`
///
/// # Errors
/// Weights that are not a probability vector.
pub fn sample(weights: ArrayView1<f64>, rng: &mut SplitMix64) -> Result<usize> {
    Ok(Sampler::new(weights)?.draw(rng))
}

/// Draws indices from one set of weights many times, checking the
/// weights and adding up their running totals only once.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// `totals[i]` is `weights[0] + ... + weights[i]`.
    totals: Vec<f64>,
    /// The last index with a positive weight.
    last: usize,
}

impl Sampler {
    /// A sampler for `weights`.
    ///
    /// # Shapes
    /// - `weights`: `(T,)`, a probability vector
    ///
    /// # Errors
    /// Weights that are not a probability vector.
    pub fn new(weights: ArrayView1<f64>) -> Result<Self> {
        check_distribution(weights)?;
        let mut total = 0.0;
        let totals = weights
            .iter()
            .map(|&w| {
                total += w;
                total
            })
            .collect();
        let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        Ok(Self { totals, last })
    }

    /// One index, drawn with one uniform number from `rng`.
    pub fn draw(&self, rng: &mut SplitMix64) -> usize {
        let u = rng.uniform();
        // Rounding can leave the last total a hair below u: then take the
        // last index that can be drawn at all.
        self.totals.iter().position(|&t| u < t).unwrap_or(self.last)
    }
}
// ANCHOR_END: sample

/// Hard attention's read: the value in row `index`.
///
/// # Shapes
/// - `values`: `(T, d_v)` -> `(d_v,)`
///
/// # Errors
/// An index outside `0..T`.
pub fn hard_read(values: ArrayView2<f64>, index: usize) -> Result<Array1<f64>> {
    ensure!(
        index < values.nrows(),
        "index {index} is outside `values` with shape {}",
        check::shape(&values)
    );
    Ok(values.row(index).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn soft_read_is_the_weighted_average() {
        // 0.25 * [4, 0] + 0.75 * [0, 8] = [1, 6]
        let out = soft_read(
            array![0.25, 0.75].view(),
            array![[4.0, 0.0], [0.0, 8.0]].view(),
        )
        .unwrap();
        assert_eq!(out, array![1.0, 6.0]);
    }

    #[test]
    fn ties_go_to_the_earliest_position() {
        assert_eq!(arg_max(array![1.0, 3.0, 3.0, 2.0].view()).unwrap(), 1);
    }

    #[test]
    fn sampling_follows_the_weights() {
        // Over 20000 draws each frequency lies within 0.01 of its weight.
        let w = array![0.1, 0.6, 0.0, 0.3];
        let mut rng = SplitMix64::new(5);
        let mut counts = [0usize; 4];
        for _ in 0..20_000 {
            counts[sample(w.view(), &mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[2], 0);
        for (c, &p) in counts.iter().zip(&w) {
            assert!((*c as f64 / 20_000.0 - p).abs() < 0.01, "{counts:?}");
        }
    }

    #[test]
    fn bad_weights_and_shapes_are_named() {
        let values = array![[1.0], [2.0]];
        let err = soft_read(array![0.5, 0.6].view(), values.view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("sum to"), "{err}");
        let err = soft_read(array![1.5, -0.5].view(), values.view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("negative weight"), "{err}");
        let err = soft_read(array![0.5, 0.25, 0.25].view(), values.view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("(3,)") && err.contains("(2, 1)"), "{err}");
        let err = hard_read(values.view(), 2).unwrap_err().to_string();
        assert!(err.contains("(2, 1)"), "{err}");
        let empty = Array1::<f64>::zeros(0);
        assert!(arg_max(empty.view()).is_err());
    }
}
