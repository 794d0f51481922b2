//! Softmax: scores in, a probability distribution out.

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

// ANCHOR: naive
/// Softmax exactly as the formula reads: `exp(x_i) / sum_j exp(x_j)`.
///
/// This is the version that breaks: `exp(1000.0)` is infinite in `f64`, and
/// infinity divided by infinity is NaN. It is here to be shown failing; use
/// [`softmax`] everywhere else.
///
/// # Shapes
/// - `scores`: `(n,)` -> `(n,)`
pub fn softmax_naive(scores: ArrayView1<f64>) -> Array1<f64> {
    let exps = scores.mapv(f64::exp);
    let total = exps.sum();
    exps / total
}
// ANCHOR_END: naive

// ANCHOR: softmax
/// Softmax that cannot overflow: subtract the largest score first.
///
/// `exp(x_i - m) / sum_j exp(x_j - m)` equals the plain formula for any `m`
/// (the factor `exp(-m)` cancels), and with `m = max x` every exponent is at
/// most 0, so every `exp` lies in `(0, 1]` and the sum is at least 1.
///
/// # Shapes
/// - `scores`: `(n,)` -> `(n,)`, entries in `[0, 1]` summing to 1.
///
/// # Errors
/// An empty vector, or a score that is NaN or infinite.
pub fn softmax(scores: ArrayView1<f64>) -> Result<Array1<f64>> {
    check::usable("scores", &scores)?;
    let max = scores.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let exps = scores.mapv(|x| (x - max).exp());
    let total = exps.sum();
    Ok(exps / total)
}
// ANCHOR_END: softmax

// ANCHOR: temperature
/// Softmax of `scores / temperature`.
///
/// A temperature below 1 sharpens the distribution towards the largest
/// score; above 1 it flattens it towards uniform.
///
/// # Shapes
/// - `scores`: `(n,)` -> `(n,)`
///
/// # Errors
/// As [`softmax`], and a temperature that is not a finite positive number.
pub fn softmax_with_temperature(
    scores: ArrayView1<f64>,
    temperature: f64,
) -> Result<Array1<f64>> {
    ensure!(
        temperature.is_finite() && temperature > 0.0,
        "temperature must be a finite number above 0, got {temperature}"
    );
    check::usable("scores", &scores)?;
    softmax((&scores / temperature).view())
}
// ANCHOR_END: temperature

/// Softmax applied to every row of a matrix independently.
///
/// Entries equal to `-inf` are allowed (they are how later chapters mask
/// positions out) and get weight 0; a row that is entirely `-inf` has
/// nothing to attend to and is rejected here.
///
/// # Shapes
/// - `scores`: `(rows, n)` -> `(rows, n)`, each row summing to 1.
///
/// # Errors
/// An empty matrix, a NaN or `+inf` entry, or a row of only `-inf`.
pub fn softmax_rows(scores: ArrayView2<f64>) -> Result<Array2<f64>> {
    check::non_empty("scores", &scores)?;
    if let Some(((r, c), v)) = scores
        .indexed_iter()
        .find(|(_, v)| v.is_nan() || **v == f64::INFINITY)
    {
        anyhow::bail!(
            "`scores` with shape {} holds {v} at ({r}, {c}); only finite \
             scores or -inf (masked) are allowed",
            check::shape(&scores)
        );
    }
    let mut out = scores.to_owned();
    for (r, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        ensure!(
            max > f64::NEG_INFINITY,
            "row {r} of `scores` with shape {} is entirely masked (-inf): \
             there is nothing to attend to",
            check::shape(&scores)
        );
        row.mapv_inplace(|x| (x - max).exp());
        let total = row.sum();
        row /= total;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn naive_softmax_overflows_where_the_safe_one_does_not() {
        let scores = array![1000.0, 999.0, 998.0];
        let naive = softmax_naive(scores.view());
        assert!(naive.iter().all(|w| w.is_nan()), "{naive}");
        let safe = softmax(scores.view()).unwrap();
        assert!(safe.iter().all(|w| w.is_finite()));
        assert!((safe.sum() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn naive_softmax_underflows_to_zero_over_zero() {
        // exp(-1000) is below the smallest f64, so it rounds to exactly 0.
        let scores = array![-1000.0, -999.0, -998.0];
        assert!(scores.iter().all(|s: &f64| s.exp() == 0.0));
        let naive = softmax_naive(scores.view());
        assert!(naive.iter().all(|w| w.is_nan()), "{naive}");
        let safe = softmax(scores.view()).unwrap();
        assert!((safe.sum() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn agrees_with_the_naive_formula_where_that_one_works() {
        let scores = array![0.1, 0.9, 0.3, 0.2, 0.1];
        let a = softmax(scores.view()).unwrap();
        let b = softmax_naive(scores.view());
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-15);
        }
    }

    #[test]
    fn equal_scores_give_equal_weights() {
        // exp(2) / (4 exp(2)) = 1/4 whatever the shared score is.
        let w = softmax(array![2.0, 2.0, 2.0, 2.0].view()).unwrap();
        assert_eq!(w, array![0.25, 0.25, 0.25, 0.25]);
    }

    #[test]
    fn two_scores_one_apart_match_the_logistic_function() {
        // softmax([1, 0])[0] = e / (e + 1) = 1 / (1 + e^-1) = 0.7310585786...
        let w = softmax(array![1.0, 0.0].view()).unwrap();
        assert!((w[0] - 0.731_058_578_630_004_9).abs() < 1e-15);
    }

    #[test]
    fn rejects_empty_and_non_finite_scores() {
        let empty = Array1::<f64>::zeros(0);
        let err = softmax(empty.view()).unwrap_err().to_string();
        assert!(err.contains("shape (0,)"), "{err}");
        let err = softmax(array![1.0, f64::NAN].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("non-finite value NaN at 1"), "{err}");
    }

    #[test]
    fn temperature_must_be_positive() {
        let err = softmax_with_temperature(array![1.0].view(), 0.0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("got 0"), "{err}");
    }

    #[test]
    fn masked_entries_get_zero_weight_but_full_masks_are_rejected() {
        let s = array![[0.0, f64::NEG_INFINITY], [1.0, 1.0]];
        let w = softmax_rows(s.view()).unwrap();
        assert_eq!(w, array![[1.0, 0.0], [0.5, 0.5]]);
        let all = array![[f64::NEG_INFINITY, f64::NEG_INFINITY]];
        let err = softmax_rows(all.view()).unwrap_err().to_string();
        assert!(err.contains("row 0"), "{err}");
    }

    proptest! {
        #[test]
        fn weights_sum_to_one_and_stay_finite(
            scores in prop::collection::vec(-1e4f64..1e4, 1..40)
        ) {
            let w = softmax(Array1::from(scores).view()).unwrap();
            prop_assert!(w.iter().all(|x| x.is_finite() && *x >= 0.0));
            prop_assert!((w.sum() - 1.0).abs() < 1e-6);
        }

        #[test]
        fn rows_sum_to_one_and_stay_finite(
            rows in 1usize..6,
            cols in 1usize..12,
            seed in any::<u64>(),
        ) {
            let mut rng = attn_common::rng::SplitMix64::new(seed);
            let s = rng.uniform_matrix(rows, cols, -1e4, 1e4);
            let w = softmax_rows(s.view()).unwrap();
            for row in w.rows() {
                prop_assert!(row.iter().all(|x| x.is_finite()));
                prop_assert!((row.sum() - 1.0).abs() < 1e-6);
            }
        }

        #[test]
        fn weight_ratios_are_exponentials_of_score_gaps(
            scores in prop::collection::vec(-5f64..5.0, 2..10),
            temperature in 0.1f64..10.0,
        ) {
            // w_i / w_j = exp((s_i - s_j) / tau): only differences matter.
            let s = Array1::from(scores);
            let w = softmax_with_temperature(s.view(), temperature).unwrap();
            for i in 0..s.len() {
                for j in 0..s.len() {
                    let expected = ((s[i] - s[j]) / temperature).exp();
                    let ratio = w[i] / w[j];
                    prop_assert!((ratio / expected - 1.0).abs() < 1e-9);
                }
            }
        }

        #[test]
        fn temperature_never_changes_the_ranking(
            scores in prop::collection::vec(-10f64..10.0, 1..10),
            temperature in 0.05f64..20.0,
        ) {
            let s = Array1::from(scores);
            let w = softmax_with_temperature(s.view(), temperature).unwrap();
            for i in 0..s.len() {
                for j in 0..s.len() {
                    if s[i] > s[j] {
                        prop_assert!(w[i] >= w[j]);
                    }
                }
            }
        }

        #[test]
        fn top_weight_falls_as_temperature_rises(
            scores in prop::collection::vec(-10f64..10.0, 1..10),
            t_low in 0.05f64..10.0,
            factor in 1.0f64..10.0,
        ) {
            let s = Array1::from(scores);
            let top = |t: f64| {
                softmax_with_temperature(s.view(), t)
                    .unwrap()
                    .fold(0.0_f64, |m, &x| m.max(x))
            };
            prop_assert!(top(t_low) >= top(t_low * factor) - 1e-12);
        }

        #[test]
        fn low_temperature_approaches_one_hot(
            scores in prop::collection::vec(-10f64..10.0, 1..10),
        ) {
            // Lift the largest score by 1 so it leads the runner-up by at
            // least 1; at tau = 0.01 every other weight is below e^-100.
            let mut s = Array1::from(scores);
            let top = (0..s.len())
                .fold(0, |best, i| if s[i] > s[best] { i } else { best });
            s[top] += 1.0;
            let w = softmax_with_temperature(s.view(), 0.01).unwrap();
            prop_assert!(w[top] > 1.0 - 1e-12, "{}", w[top]);
        }

        #[test]
        fn high_temperature_approaches_uniform(
            scores in prop::collection::vec(-10f64..10.0, 1..10),
        ) {
            // At tau = 1e6 every scaled score lies within 1e-5 of 0.
            let s = Array1::from(scores);
            let w = softmax_with_temperature(s.view(), 1e6).unwrap();
            let uniform = 1.0 / s.len() as f64;
            prop_assert!(w.iter().all(|x| (x - uniform).abs() < 1e-4));
        }

        #[test]
        fn shifting_every_score_changes_nothing(
            scores in prop::collection::vec(-50f64..50.0, 1..20),
            shift in -100f64..100.0,
        ) {
            let a = softmax(Array1::from(scores.clone()).view()).unwrap();
            let shifted: Vec<f64> = scores.iter().map(|x| x + shift).collect();
            let b = softmax(Array1::from(shifted).view()).unwrap();
            for (x, y) in a.iter().zip(&b) {
                prop_assert!((x - y).abs() < 1e-9);
            }
        }
    }
}
