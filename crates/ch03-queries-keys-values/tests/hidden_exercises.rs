//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 3's exercises on other inputs than the visible
//! tests: length-1 vectors, far-apart and huge scores, zero weights among
//! non-zero ones, the `1e-9` tolerance on the sum, targets that need the
//! temperature interval to grow or shrink, and random inputs compared
//! with a formula computed here. Hand-computed values were checked with
//! Python's `math` module (the expression is in each comment).

use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::exercises::{
    entropy, log_softmax, temperature_for_top_weight,
};
use ch03_queries_keys_values::softmax::{softmax, softmax_with_temperature};
use ndarray::{Array1, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// `n` standard normal scores multiplied by `scale`.
fn random_scores(rng: &mut SplitMix64, n: usize, scale: f64) -> Array1<f64> {
    rng.normal_matrix(1, n).row(0).mapv(|x| x * scale)
}

/// The largest weight of `softmax(scores / tau)`.
fn top_weight(scores: &Array1<f64>, tau: f64) -> f64 {
    softmax_with_temperature(scores.view(), tau)
        .unwrap()
        .fold(0.0, |m: f64, &x| m.max(x))
}

// Exercise 3.1: log_softmax

#[test]
fn ex_3_1_matches_log_of_softmax_on_random_scores() {
    // For moderate scores ln(softmax(x)) is accurate, so it is an
    // independent reference; exp of the result must also sum to 1.
    let mut rng = SplitMix64::new(31);
    for n in [1, 2, 3, 7, 16] {
        for scale in [0.1, 1.0, 5.0] {
            let x = random_scores(&mut rng, n, scale);
            let out = log_softmax(x.view()).unwrap();
            let w = softmax(x.view()).unwrap();
            assert_eq!(out.len(), n);
            for (l, w) in out.iter().zip(&w) {
                assert!(close(*l, w.ln(), 1e-12), "{l} vs ln {w}");
                assert!(*l <= 0.0, "{l}");
            }
            let total: f64 = out.iter().map(|l| l.exp()).sum();
            assert!(close(total, 1.0, 1e-12), "{total}");
        }
    }
}

#[test]
fn ex_3_1_a_single_score_has_log_weight_zero() {
    // One score takes all the weight: ln 1 = 0, however large the score.
    // x - (x + ln e^0) = 0 exactly.
    for x in [0.0, -7.5, 1e300, -1e300] {
        assert_eq!(log_softmax(array![x].view()).unwrap(), array![0.0], "{x}");
    }
}

#[test]
fn ex_3_1_hand_values_and_far_apart_scores() {
    // Python: m = 2, lse = 2 + ln(e^-5 + e^-1.5 + 1 + 1)
    // = 2.801942438946007, so [-3, 0.5, 2, 2] -> [-5.801942438946007,
    // -2.301942438946007, -0.801942438946007, -0.801942438946007].
    let out = log_softmax(array![-3.0, 0.5, 2.0, 2.0].view()).unwrap();
    let want = [
        -5.801_942_438_946_007,
        -2.301_942_438_946_007,
        -0.801_942_438_946_007,
        -0.801_942_438_946_007,
    ];
    for (x, e) in out.iter().zip(want) {
        assert!(close(*x, e, 1e-13), "{x} vs {e}");
    }
    // [-1e4, 1e4, 0]: lse = 1e4 + ln(1 + e^-2e4 + e^-1e4) = 1e4 to every
    // digit, so the answer is [-2e4, 0, -1e4]; ln(softmax) would give
    // -inf twice, and a sum of exp without the max overflows.
    let out = log_softmax(array![-1e4, 1e4, 0.0].view()).unwrap();
    assert_eq!(out, array![-2e4, 0.0, -1e4]);
    // Shifting every score by the same amount changes nothing.
    let base = log_softmax(array![0.3, -1.2, 2.5].view()).unwrap();
    let shifted = log_softmax(array![700.3, 698.8, 702.5].view()).unwrap();
    for (a, b) in base.iter().zip(&shifted) {
        assert!(close(*a, *b, 1e-12), "{a} vs {b}");
    }
}

#[test]
fn ex_3_1_rejects_nan_and_minus_infinity() {
    assert!(log_softmax(array![f64::NAN].view()).is_err());
    assert!(log_softmax(array![1.0, f64::NEG_INFINITY, 2.0].view()).is_err());
    assert!(log_softmax(array![f64::NAN, 0.0, 0.0, 0.0].view()).is_err());
}

// Exercise 3.2: entropy

#[test]
fn ex_3_2_matches_the_formula_on_random_distributions() {
    // H = -sum w ln w, computed here, for softmax of random scores; it
    // lies in [0, ln n].
    let mut rng = SplitMix64::new(32);
    for n in [1, 2, 5, 11] {
        for scale in [0.01, 1.0, 4.0] {
            let w = softmax(random_scores(&mut rng, n, scale).view()).unwrap();
            let want: f64 =
                w.iter().filter(|&&p| p > 0.0).map(|&p| -p * p.ln()).sum();
            let h = entropy(w.view()).unwrap();
            assert!(close(h, want, 1e-12), "{h} vs {want}");
            assert!(h >= -1e-15 && h <= (n as f64).ln() + 1e-12, "{h}");
        }
    }
}

#[test]
fn ex_3_2_hand_values() {
    // -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 1.5 ln 2 = 1.0397207708399179.
    let h = entropy(array![0.5, 0.25, 0.25].view()).unwrap();
    assert!(close(h, 1.039_720_770_839_917_9, 1e-15), "{h}");
    // Python: -sum(w * ln w) for [0.1, 0.2, 0.3, 0.4] = 1.2798542258336676.
    let h = entropy(array![0.1, 0.2, 0.3, 0.4].view()).unwrap();
    assert!(close(h, 1.279_854_225_833_667_6, 1e-15), "{h}");
    // -(0.9 ln 0.9 + 0.1 ln 0.1) = 0.3250829733914482.
    let h = entropy(array![0.9, 0.1].view()).unwrap();
    assert!(close(h, 0.325_082_973_391_448_2, 1e-15), "{h}");
}

#[test]
fn ex_3_2_zero_weights_count_as_nothing() {
    // 0 ln 0 = 0: [0, 0.5, 0, 0.5] has entropy ln 2 = 0.6931471805599453
    // (0 * ln 0 computed literally is 0 * -inf = NaN).
    let h = entropy(array![0.0, 0.5, 0.0, 0.5].view()).unwrap();
    assert!(close(h, std::f64::consts::LN_2, 1e-15), "{h}");
    // A single weight of 1: entropy 0 = ln 1.
    assert_eq!(entropy(array![1.0].view()).unwrap(), 0.0);
    // One-hot at the end of a long vector.
    let mut w = Array1::<f64>::zeros(9);
    w[8] = 1.0;
    assert_eq!(entropy(w.view()).unwrap(), 0.0);
}

#[test]
fn ex_3_2_the_sum_tolerance_is_1e_9_and_negatives_are_rejected() {
    // A sum 5e-10 away from 1 is accepted (entropy still close to ln 2).
    let h = entropy(array![0.5, 0.500_000_000_5].view()).unwrap();
    assert!(close(h, std::f64::consts::LN_2, 1e-8), "{h}");
    // 2e-9 away (above or below) is not.
    assert!(entropy(array![0.5, 0.500_000_002].view()).is_err());
    assert!(entropy(array![0.5, 0.499_999_998].view()).is_err());
    // A negative weight is rejected even when the sum is exactly 1.
    assert!(entropy(array![0.25, 0.75 + 0.25, -0.25].view()).is_err());
    assert!(entropy(array![f64::INFINITY, 0.0].view()).is_err());
    assert!(entropy(array![0.2, 0.2].view()).is_err(), "sums to 0.4");
}

// Exercise 3.3: temperature_for_top_weight

#[test]
fn ex_3_3_two_scores_need_the_interval_to_grow_and_to_shrink() {
    // softmax([2.5, -0.5] / tau)[0] = 1 / (1 + e^(-3/tau)) = p
    // <=> tau = 3 / ln(p / (1 - p)).
    // p = 0.6: tau = 3 / ln 1.5 = 7.398910387129295 (above 1: hi grows).
    let scores = array![2.5, -0.5];
    let t = temperature_for_top_weight(scores.view(), 0.6).unwrap();
    assert!(close(t, 7.398_910_387_129_295, 1e-8), "{t}");
    // p = 0.999999: tau = 3 / ln 999999 = 0.21714725666927634 (below 1).
    let t = temperature_for_top_weight(scores.view(), 0.999_999).unwrap();
    assert!(close(t, 0.217_147_256_669_276_34, 1e-9), "{t}");
    // The top score need not come first.
    let t = temperature_for_top_weight(array![-0.5, 2.5].view(), 0.6).unwrap();
    assert!(close(t, 7.398_910_387_129_295, 1e-8), "{t}");
}

#[test]
fn ex_3_3_two_tied_top_scores() {
    // [1, 0, 1]: each top weight is 1 / (2 + e^(-1/tau)), reachable in
    // (1/3, 1/2). 0.4 <=> e^(-1/tau) = 1/2 <=> tau = 1 / ln 2
    // = log2(e) = 1.4426950408889634; 0.49 <=> e^(-1/tau) = 2/49
    // <=> tau = 1 / ln 24.5 = 0.3126296321162475.
    let scores = array![1.0, 0.0, 1.0];
    let t = temperature_for_top_weight(scores.view(), 0.4).unwrap();
    assert!(close(t, std::f64::consts::LOG2_E, 1e-9), "{t}");
    let t = temperature_for_top_weight(scores.view(), 0.49).unwrap();
    assert!(close(t, 0.312_629_632_116_247_5, 1e-9), "{t}");
}

#[test]
fn ex_3_3_hits_the_target_on_random_scores() {
    // The returned temperature gives the target top weight, and scaling
    // the scores by c scales the temperature by c.
    let mut rng = SplitMix64::new(33);
    for n in [2, 3, 6, 10] {
        for _ in 0..5 {
            let scores = random_scores(&mut rng, n, 2.0);
            let low = 1.0 / n as f64 + 0.02;
            let target = rng.uniform_in(low, 0.98);
            let t = temperature_for_top_weight(scores.view(), target).unwrap();
            assert!(t > 0.0 && t.is_finite(), "{t}");
            let top = top_weight(&scores, t);
            assert!(close(top, target, 1e-9), "{top} vs {target}");
            let scaled = scores.mapv(|x| 3.0 * x);
            let t3 = temperature_for_top_weight(scaled.view(), target).unwrap();
            assert!(close(t3, 3.0 * t, 1e-8 * t), "{t3} vs 3 x {t}");
        }
    }
}

#[test]
fn ex_3_3_rejects_unreachable_targets() {
    // One score: its weight is always 1, the range (1/1, 1/1) is empty.
    assert!(temperature_for_top_weight(array![5.0].view(), 0.5).is_err());
    assert!(temperature_for_top_weight(array![5.0].view(), 1.0).is_err());
    // All scores equal: k = n, the weights are always uniform.
    for target in [0.4, 0.5, 0.6] {
        let equal = array![2.0, 2.0];
        assert!(temperature_for_top_weight(equal.view(), target).is_err());
    }
    // Exactly 1/n for n = 4 is a limit, not a value.
    let scores = array![0.0, 1.0, 2.0, 3.0];
    assert!(temperature_for_top_weight(scores.view(), 0.25).is_err());
    assert!(temperature_for_top_weight(scores.view(), f64::NAN).is_err());
    assert!(temperature_for_top_weight(scores.view(), -0.5).is_err());
    let empty = Array1::<f64>::zeros(0);
    assert!(temperature_for_top_weight(empty.view(), 0.5).is_err());
    let inf = array![0.0, f64::NEG_INFINITY];
    assert!(temperature_for_top_weight(inf.view(), 0.75).is_err());
}
