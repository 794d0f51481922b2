//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 5's exercises on other inputs than the visible
//! tests: random queries and keys of other widths compared with `dot`,
//! width-1 and one-key inputs, huge and tiny magnitudes, variances for
//! other standard deviations, seeds and pair counts (down to 2) compared
//! with the draws written out here and with values from a Python copy of
//! SplitMix64, the exact `std_dev^4` scaling, and parameter counts for
//! other and lopsided sizes. Hand-computed values were checked with
//! Python (the expression is in each comment).

use attn_common::rng::SplitMix64;
use ch05_trainable_weights::exercises::{
    dot_product_variance, parameter_count, scaled_scores,
};
use ndarray::{Array1, Array2, array};

/// `|a - b|` at most `tol` times the larger magnitude (or `tol` near 0).
fn close_rel(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

// Exercise 5.1: scaled_scores

#[test]
fn ex_5_1_matches_dot_over_sqrt_d_k_on_random_inputs() {
    // keys.dot(q) / sqrt(d_k), computed with ndarray's `dot` here; the
    // widths and numbers of keys differ from the visible tests'.
    let mut rng = SplitMix64::new(51);
    for d_k in [1, 3, 7, 16] {
        for t in [1, 4, 9] {
            let q = rng.normal_matrix(1, d_k).row(0).to_owned();
            let keys = rng.normal_matrix(t, d_k).mapv(|x| 3.0 * x);
            let got = scaled_scores(q.view(), keys.view()).unwrap();
            let want = keys.dot(&q) / (d_k as f64).sqrt();
            assert_eq!(got.len(), t);
            for (a, b) in got.iter().zip(&want) {
                assert!(close_rel(*a, *b, 1e-12), "{d_k}, {t}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn ex_5_1_width_one_and_a_width_of_nine() {
    // d_k = 1: sqrt(1) = 1, so the scores are the plain products
    // 3 * 2 = 6, 3 * -0.5 = -1.5, 3 * 0 = 0.
    let s =
        scaled_scores(array![3.0].view(), array![[2.0], [-0.5], [0.0]].view())
            .unwrap();
    assert_eq!(s, array![6.0, -1.5, 0.0]);
    // d_k = 9: ones . [1, ..., 9] = 45, divided by sqrt(9) = 3: 15;
    // ones . -[1, ..., 9] = -45 -> -15.
    let ramp = Array1::from_iter((1..=9).map(f64::from));
    let mut keys = Array2::zeros((2, 9));
    keys.row_mut(0).assign(&ramp);
    keys.row_mut(1).assign(&-&ramp);
    let s = scaled_scores(Array1::ones(9).view(), keys.view()).unwrap();
    assert!(close_rel(s[0], 15.0, 1e-15) && close_rel(s[1], -15.0, 1e-15));
}

#[test]
fn ex_5_1_huge_and_tiny_magnitudes() {
    // [1e150, 1e150] . [1e150, 1e150] = 2e300, / sqrt(2)
    // = 1.4142135623730952e300 (Python: 2e300 / math.sqrt(2)).
    let big = array![1e150, 1e150];
    let s = scaled_scores(big.view(), array![[1e150, 1e150]].view()).unwrap();
    assert!(close_rel(s[0], 1.414_213_562_373_095_2e300, 1e-15), "{s}");
    // [1e-100, 3e-100] . [2e-100, -1e-100] = 2e-200 - 3e-200 = -1e-200,
    // / sqrt(2) = -7.071067811865475e-201.
    let s = scaled_scores(
        array![1e-100, 3e-100].view(),
        array![[2e-100, -1e-100]].view(),
    )
    .unwrap();
    assert!(
        (s[0] / -7.071_067_811_865_475e-201 - 1.0).abs() < 1e-14,
        "{s}"
    );
}

#[test]
fn ex_5_1_rejects_other_bad_inputs() {
    // Keys wider than the query: the error names both shapes.
    let err = scaled_scores(
        Array1::from_elem(5, 1.0).view(),
        Array2::<f64>::ones((2, 4)).view(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`query` has shape (5,)"), "{err}");
    assert!(err.contains("`keys` has shape (2, 4)"), "{err}");
    // An empty query, keys with no columns, infinities and NaN in keys.
    let empty = Array1::<f64>::zeros(0);
    assert!(scaled_scores(empty.view(), Array2::ones((2, 2)).view()).is_err());
    assert!(scaled_scores(empty.view(), Array2::ones((2, 0)).view()).is_err());
    let q = array![1.0, 2.0];
    let bad = array![[1.0, 0.0], [f64::INFINITY, 1.0]];
    let err = scaled_scores(q.view(), bad.view()).unwrap_err().to_string();
    assert!(err.contains("`keys` with shape (2, 2)"), "{err}");
    let bad = array![[f64::NAN, 0.0]];
    assert!(scaled_scores(q.view(), bad.view()).is_err());
    let bad_q = array![f64::NEG_INFINITY, 0.0];
    assert!(scaled_scores(bad_q.view(), array![[1.0, 1.0]].view()).is_err());
}

// Exercise 5.2: dot_product_variance

/// The draws the statement describes, written out here: per pair, `d_k`
/// entries of `q` then `d_k` of `k`, each `std_dev * normal()`; the
/// variance divides by `pairs`.
fn expected_variance(d_k: usize, std_dev: f64, pairs: usize, seed: u64) -> f64 {
    let mut rng = SplitMix64::new(seed);
    let mut dots = Vec::new();
    for _ in 0..pairs {
        let q: Vec<f64> = (0..d_k).map(|_| std_dev * rng.normal()).collect();
        let k: Vec<f64> = (0..d_k).map(|_| std_dev * rng.normal()).collect();
        let mut total = 0.0;
        for c in 0..d_k {
            total += q[c] * k[c];
        }
        dots.push(total);
    }
    let mean = dots.iter().sum::<f64>() / pairs as f64;
    dots.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / pairs as f64
}

#[test]
fn ex_5_2_matches_the_draws_written_out_here() {
    // Other widths, standard deviations, pair counts and seeds than the
    // visible tests.
    for (d_k, std_dev, pairs, seed) in [
        (1, 0.3, 2, 0),
        (5, 2.5, 3, 17),
        (2, 0.01, 50, 123),
        (33, 1.7, 400, 9_999),
        (128, 1.0, 10, u64::MAX),
    ] {
        let got = dot_product_variance(d_k, std_dev, pairs, seed).unwrap();
        let want = expected_variance(d_k, std_dev, pairs, seed);
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "({d_k}, {std_dev}, {pairs}, {seed}): {got} vs {want}"
        );
    }
}

#[test]
fn ex_5_2_hand_values_from_a_python_splitmix64() {
    // A Python copy of SplitMix64 and Box-Muller (u1 = 1 - uniform,
    // u2 = uniform, sqrt(-2 ln u1) cos(2 pi u2)) gives:
    // d_k = 3, std_dev = 1.5, 2 pairs, seed 7: dots 0.7520431549585851 and
    // -3.0710648036606445, variance ((a - b) / 2)^2 = 3.6540386158144234.
    let v = dot_product_variance(3, 1.5, 2, 7).unwrap();
    assert!((v / 3.654_038_615_814_423_4 - 1.0).abs() < 1e-12, "{v}");
    // d_k = 1, std_dev = 0.1, 5 pairs, seed 99: 2.4215237176621578e-05.
    let v = dot_product_variance(1, 0.1, 5, 99).unwrap();
    assert!((v / 2.421_523_717_662_157_8e-5 - 1.0).abs() < 1e-12, "{v}");
    // d_k = 2, std_dev = 3, 3 pairs, seed 123456789: 15.533473640412412.
    let v = dot_product_variance(2, 3.0, 3, 123_456_789).unwrap();
    assert!((v / 15.533_473_640_412_412 - 1.0).abs() < 1e-12, "{v}");
}

#[test]
fn ex_5_2_scales_with_the_fourth_power_of_std_dev() {
    // Same seed, same normals: every dot product is std_dev^2 times the
    // unit one, so the variance is std_dev^4 times it (up to rounding).
    for (d_k, seed) in [(1, 3), (6, 8), (40, 21)] {
        let unit = dot_product_variance(d_k, 1.0, 300, seed).unwrap();
        for std_dev in [0.2, 3.0, 1e-3, 1e3] {
            let got = dot_product_variance(d_k, std_dev, 300, seed).unwrap();
            let want = unit * std_dev.powi(4);
            assert!(
                (got / want - 1.0).abs() < 1e-12,
                "{d_k}, {std_dev}: {got} vs {want}"
            );
        }
    }
    // d_k = 1: Var(q k) = std_dev^4 = 81 for std_dev = 3; 20000 pairs
    // land within 10 % (the estimate's relative error is about
    // sqrt(8 / 20000) = 2 %).
    let v = dot_product_variance(1, 3.0, 20_000, 1).unwrap();
    assert!((v / 81.0 - 1.0).abs() < 0.1, "{v}");
}

#[test]
fn ex_5_2_rejects_other_bad_arguments() {
    assert!(dot_product_variance(4, 1.0, 0, 1).is_err(), "0 pairs");
    assert!(dot_product_variance(4, -1.0, 100, 1).is_err(), "negative");
    assert!(dot_product_variance(4, -0.0, 100, 1).is_err(), "-0");
    assert!(dot_product_variance(4, f64::INFINITY, 100, 1).is_err());
    assert!(dot_product_variance(4, f64::NEG_INFINITY, 100, 1).is_err());
    assert!(dot_product_variance(0, 2.0, 2, 1).is_err(), "d_k = 0");
    // The smallest legal call is fine.
    let v = dot_product_variance(1, 1e-3, 2, 1).unwrap();
    assert!(v.is_finite() && v >= 0.0, "{v}");
}

// Exercise 5.3: parameter_count

#[test]
fn ex_5_3_counts_small_and_lopsided_layers() {
    // 3 * 1 * 1 = 3, plus 3 * 1 = 6.
    assert_eq!(parameter_count(1, 1, false), 3);
    assert_eq!(parameter_count(1, 1, true), 6);
    // The bias has length d_out, not d_in: 3 * (5 * 2 + 2) = 36 but
    // 3 * (2 * 5 + 5) = 45; without bias both are 30.
    assert_eq!(parameter_count(5, 2, true), 36);
    assert_eq!(parameter_count(2, 5, true), 45);
    assert_eq!(parameter_count(5, 2, false), 30);
    assert_eq!(parameter_count(2, 5, false), 30);
}

#[test]
fn ex_5_3_matches_a_bias_row_formula_for_many_sizes() {
    // A bias acts like one more input row of each projection:
    // 3 * (d_in + [bias]) * d_out.
    for d_in in 1..=12 {
        for d_out in 1..=12 {
            for bias in [false, true] {
                let want = 3 * (d_in + usize::from(bias)) * d_out;
                assert_eq!(
                    parameter_count(d_in, d_out, bias),
                    want,
                    "({d_in}, {d_out}, {bias})"
                );
            }
        }
    }
}

#[test]
fn ex_5_3_counts_large_layers() {
    // Python: 3 * 12288**2 = 452984832, + 3 * 12288 = 453021696.
    assert_eq!(parameter_count(12_288, 12_288, false), 452_984_832);
    assert_eq!(parameter_count(12_288, 12_288, true), 453_021_696);
    // 3 * (4096 * 128 + 128) = 1573248.
    assert_eq!(parameter_count(4096, 128, true), 1_573_248);
}
