//! Why the scores are divided by `sqrt(d_k)`, measured.
//!
//! If the entries of a query and a key are independent with mean 0 and
//! variance 1, their dot product is a sum of `d_k` terms of variance 1, so
//! its variance is `d_k`. Dividing by `sqrt(d_k)` brings it back to 1. This
//! module measures both claims with random vectors and shows what the
//! unscaled scores do to the softmax.

use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::Scale;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::Array1;
use std::sync::OnceLock;

/// The seed of the generator behind every measurement in this module.
pub const SCALING_SEED: u64 = 2017;

/// The key widths measured: 1, 2, 4, ..., 512.
pub const WIDTHS: [usize; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/// How many query/key pairs each variance is estimated from.
pub const PAIRS: usize = 2000;

/// How many keys each query is compared with in the softmax measurement.
pub const KEYS: usize = 16;

/// How many random queries the largest weight is averaged over.
pub const TRIALS: usize = 200;

/// A vector of `d` standard normal samples.
fn normal_vector(rng: &mut SplitMix64, d: usize) -> Vec<f64> {
    (0..d).map(|_| rng.normal()).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The mean and the variance (dividing by `n`) of some numbers.
fn mean_and_variance(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var)
}

// ANCHOR: score_variance
/// The variance of `q . k` and of `q . k / sqrt(d_k)` over `pairs` random
/// pairs whose entries are standard normal.
///
/// Each pair draws `q` and then `k` from `rng`.
///
/// # Shapes
/// - each `q` and `k`: `(d_k,)`; returns `(unscaled, scaled)` variances
///
/// # Errors
/// `d_k` of 0, or fewer than 2 pairs.
pub fn score_variance(
    d_k: usize,
    pairs: usize,
    rng: &mut SplitMix64,
) -> Result<(f64, f64)> {
    ensure!(d_k > 0, "d_k must be at least 1, got 0");
    ensure!(pairs >= 2, "a variance needs at least 2 pairs, got {pairs}");
    let scale = Scale::InvSqrtDk.factor(d_k);
    let mut raw = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let q = normal_vector(rng, d_k);
        let k = normal_vector(rng, d_k);
        raw.push(dot(&q, &k)); // (d_k,) . (d_k,) -> one score
    }
    let scaled: Vec<f64> = raw.iter().map(|s| s * scale).collect();
    Ok((mean_and_variance(&raw).1, mean_and_variance(&scaled).1))
}
// ANCHOR_END: score_variance

/// What the softmax makes of random scores, averaged over trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Saturation {
    /// The mean of the largest weight.
    pub max_weight: f64,
    /// The mean of `w_max (1 - w_max)`: how strongly the largest weight
    /// still responds to its own score (the derivative of `w_i` with
    /// respect to `s_i` is `w_i (1 - w_i)`).
    pub slope: f64,
}

// ANCHOR: saturation
/// The largest softmax weight of one random query over `keys` random keys,
/// averaged over `trials` queries, without and with the scaling.
///
/// Each trial draws the query and then the keys, one after another, from
/// `rng`; entries are standard normal.
///
/// # Shapes
/// - query `(d_k,)`, keys `(keys, d_k)`, weights `(keys,)`
/// - returns `(unscaled, scaled)`
///
/// # Errors
/// `d_k`, `keys` or `trials` of 0.
pub fn saturation(
    d_k: usize,
    keys: usize,
    trials: usize,
    rng: &mut SplitMix64,
) -> Result<(Saturation, Saturation)> {
    ensure!(
        d_k > 0 && keys > 0 && trials > 0,
        "d_k, keys and trials must be at least 1, got ({d_k}, {keys}, \
         {trials})"
    );
    let mut sums = [[0.0; 2]; 2]; // [scale][max_weight, slope]
    for _ in 0..trials {
        let q = normal_vector(rng, d_k);
        let raw: Array1<f64> = (0..keys)
            .map(|_| dot(&q, &normal_vector(rng, d_k)))
            .collect();
        for (s, scale) in [Scale::None, Scale::InvSqrtDk].iter().enumerate() {
            let w = softmax((&raw * scale.factor(d_k)).view())?;
            let top = w.fold(0.0_f64, |m, &x| m.max(x));
            sums[s][0] += top;
            sums[s][1] += top * (1.0 - top);
        }
    }
    let n = trials as f64;
    let mean = |s: [f64; 2]| Saturation {
        max_weight: s[0] / n,
        slope: s[1] / n,
    };
    Ok((mean(sums[0]), mean(sums[1])))
}
// ANCHOR_END: saturation

/// One row of the scaling measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalingRow {
    /// The width of queries and keys.
    pub d_k: usize,
    /// Variance of `q . k`.
    pub variance_unscaled: f64,
    /// Variance of `q . k / sqrt(d_k)`.
    pub variance_scaled: f64,
    /// The softmax over raw scores.
    pub unscaled: Saturation,
    /// The softmax over scaled scores.
    pub scaled: Saturation,
}

/// The whole measurement: one row per width in [`WIDTHS`], all drawn in
/// order from one [`SplitMix64`] seeded with `seed`.
///
/// For each width, [`PAIRS`] pairs go to [`score_variance`], then
/// [`TRIALS`] queries over [`KEYS`] keys go to [`saturation`].
pub fn measure(seed: u64) -> Result<Vec<ScalingRow>> {
    let mut rng = SplitMix64::new(seed);
    WIDTHS
        .iter()
        .map(|&d_k| {
            let (variance_unscaled, variance_scaled) =
                score_variance(d_k, PAIRS, &mut rng)?;
            let (unscaled, scaled) = saturation(d_k, KEYS, TRIALS, &mut rng)?;
            Ok(ScalingRow {
                d_k,
                variance_unscaled,
                variance_scaled,
                unscaled,
                scaled,
            })
        })
        .collect()
}

/// [`measure`] at [`SCALING_SEED`], computed once per process and kept:
/// the worked examples and the figures share it.
pub fn measured() -> Result<&'static [ScalingRow]> {
    static ROWS: OnceLock<Vec<ScalingRow>> = OnceLock::new();
    if let Some(rows) = ROWS.get() {
        return Ok(rows);
    }
    let rows = measure(SCALING_SEED)?;
    Ok(ROWS.get_or_init(|| rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscaled_variance_grows_like_d_k_and_scaled_stays_near_1() {
        for row in measured().unwrap() {
            let d = row.d_k as f64;
            let ratio = row.variance_unscaled / d;
            assert!((0.85..1.15).contains(&ratio), "{row:?}");
            assert!((row.variance_scaled - 1.0).abs() < 0.15, "{row:?}");
            // The two differ by exactly the factor d_k.
            let back = row.variance_scaled * d;
            assert!((back / row.variance_unscaled - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn unscaled_softmax_saturates_and_scaled_does_not() {
        let rows = measured().unwrap();
        let last = rows.last().unwrap();
        assert!(last.unscaled.max_weight > 0.9, "{last:?}");
        assert!(last.unscaled.slope < 0.05, "{last:?}");
        for row in rows {
            // Scaled: well above uniform (1/16), well below one-hot.
            assert!((0.2..0.6).contains(&row.scaled.max_weight), "{row:?}");
            // Raw scores are sqrt(d_k) times the scaled ones, so for
            // d_k > 1 they are sharper: a larger top weight.
            if row.d_k > 1 {
                assert!(row.unscaled.max_weight > row.scaled.max_weight);
            }
        }
    }

    #[test]
    fn at_d_k_1_scaling_changes_nothing() {
        let row = measured().unwrap()[0];
        assert_eq!(row.d_k, 1);
        assert_eq!(row.variance_unscaled, row.variance_scaled);
        assert_eq!(row.unscaled, row.scaled);
    }

    #[test]
    fn the_cached_rows_are_the_seeded_measurement() {
        let mut rng = SplitMix64::new(SCALING_SEED);
        let (raw, scaled) = score_variance(1, PAIRS, &mut rng).unwrap();
        let row = measured().unwrap()[0];
        assert_eq!((row.variance_unscaled, row.variance_scaled), (raw, scaled));
    }

    #[test]
    fn the_same_seed_gives_the_same_measurement() {
        let mut a = SplitMix64::new(9);
        let mut b = SplitMix64::new(9);
        assert_eq!(
            score_variance(8, 50, &mut a).unwrap(),
            score_variance(8, 50, &mut b).unwrap()
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        let mut rng = SplitMix64::new(1);
        let err = score_variance(0, 10, &mut rng).unwrap_err().to_string();
        assert!(err.contains("d_k must be at least 1"), "{err}");
        let err = score_variance(4, 1, &mut rng).unwrap_err().to_string();
        assert!(err.contains("got 1"), "{err}");
        let err = saturation(4, 0, 3, &mut rng).unwrap_err().to_string();
        assert!(err.contains("(4, 0, 3)"), "{err}");
    }
}
