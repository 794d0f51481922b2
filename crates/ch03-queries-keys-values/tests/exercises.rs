//! Tests for chapter 3's exercises. Run one exercise's tests with
//! `cargo test -p ch03-queries-keys-values --test exercises ex_3_1`.
//!
//! Expected values were worked out by hand (the formula is in each comment)
//! and checked with Python's `math` module.

use attn_common::message::names_shape;
use ch03_queries_keys_values::exercises::{
    entropy, log_softmax, temperature_for_top_weight,
};
use ch03_queries_keys_values::softmax::{softmax, softmax_with_temperature};
use ch03_queries_keys_values::worked::CAT_SAT_SCORES;
use ndarray::{Array1, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 3.1: log_softmax

#[test]
fn ex_3_1_two_equal_scores_give_minus_ln_2() {
    // softmax([0, 0]) = [1/2, 1/2], and ln(1/2) = -ln 2 = -0.693147...
    let out = log_softmax(array![0.0, 0.0].view()).unwrap();
    for x in out {
        assert!(close(x, -std::f64::consts::LN_2, 1e-15), "{x}");
    }
}

#[test]
fn ex_3_1_huge_scores_stay_finite() {
    // log-sum-exp of [1000, 999, 998] = 1000 + ln(1 + e^-1 + e^-2)
    // = 1000 + ln(1.5032147...) = 1000.4076059644...
    let out = log_softmax(array![1000.0, 999.0, 998.0].view()).unwrap();
    let expected = [-0.407_605_964_444, -1.407_605_964_444, -2.407_605_964_444];
    for (x, e) in out.iter().zip(expected) {
        assert!(close(*x, e, 1e-12), "{x} vs {e}");
    }
}

#[test]
fn ex_3_1_a_vanishing_weight_keeps_its_logarithm() {
    // softmax([-1000, 0]) underflows to [0, 1], whose ln is [-inf, 0].
    // The exact answer is [-1000 - ln(1 + e^-1000), -ln(1 + e^-1000)],
    // which is [-1000, 0] to every digit an f64 holds.
    let out = log_softmax(array![-1000.0, 0.0].view()).unwrap();
    assert_eq!(out, array![-1000.0, 0.0]);
}

#[test]
fn ex_3_1_exp_of_the_result_is_the_softmax() {
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let logs = log_softmax(scores.view()).unwrap();
    let weights = softmax(scores.view()).unwrap();
    for (l, w) in logs.iter().zip(&weights) {
        assert!(close(l.exp(), *w, 1e-12), "{l} vs {w}");
    }
}

#[test]
fn ex_3_1_rejects_empty_and_non_finite_scores() {
    let err = log_softmax(Array1::<f64>::zeros(0).view()).unwrap_err();
    assert!(names_shape(&err.to_string(), &[0]), "{err}");
    let err = log_softmax(array![0.0, f64::INFINITY].view()).unwrap_err();
    assert!(names_shape(&err.to_string(), &[2]), "{err}");
}

// Exercise 3.2: entropy

#[test]
fn ex_3_2_uniform_weights_have_entropy_ln_n() {
    // -4 * (1/4) ln(1/4) = ln 4 = 1.386294...
    let h = entropy(array![0.25, 0.25, 0.25, 0.25].view()).unwrap();
    assert!(close(h, 4f64.ln(), 1e-15), "{h}");
}

#[test]
fn ex_3_2_one_hot_weights_have_entropy_zero() {
    // 0 ln 0 counts as 0 and 1 ln 1 = 0.
    let h = entropy(array![0.0, 1.0, 0.0].view()).unwrap();
    assert_eq!(h, 0.0);
}

#[test]
fn ex_3_2_example_two_is_flat_until_cooled() {
    // Python: -sum(w * ln w) for softmax([0.1, 0.9, 0.3, 0.2, 0.1] / tau)
    // gives 1.5539036746 at tau = 1 (ln 5 = 1.6094379124 is the most
    // possible) and 0.0305687285 at tau = 0.1.
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let warm = softmax_with_temperature(scores.view(), 1.0).unwrap();
    let cold = softmax_with_temperature(scores.view(), 0.1).unwrap();
    let h_warm = entropy(warm.view()).unwrap();
    let h_cold = entropy(cold.view()).unwrap();
    assert!(close(h_warm, 1.553_903_674_6, 1e-9), "{h_warm}");
    assert!(close(h_cold, 0.030_568_728_5, 1e-9), "{h_cold}");
}

#[test]
fn ex_3_2_rejects_what_is_not_a_distribution() {
    assert!(entropy(Array1::<f64>::zeros(0).view()).is_err());
    assert!(entropy(array![0.5, f64::NAN].view()).is_err());
    assert!(
        entropy(array![1.5, -0.5].view()).is_err(),
        "negative weight"
    );
    let err = entropy(array![0.5, 0.6].view()).unwrap_err().to_string();
    assert!(names_shape(&err, &[2]), "sums to 1.1: {err}");
}

// Exercise 3.3: temperature_for_top_weight

#[test]
fn ex_3_3_two_scores_match_the_closed_form() {
    // softmax([1, 0] / tau)[0] = 1 / (1 + e^(-1/tau)) = 3/4
    // <=> e^(-1/tau) = 1/3 <=> tau = 1 / ln 3 = 0.9102392266...
    let t = temperature_for_top_weight(array![1.0, 0.0].view(), 0.75).unwrap();
    assert!(close(t, 1.0 / 3f64.ln(), 1e-9), "{t}");
}

#[test]
fn ex_3_3_example_two_reaches_one_half() {
    // Bisection in Python on the same scores gives tau = 0.5180798048.
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let t = temperature_for_top_weight(scores.view(), 0.5).unwrap();
    assert!(close(t, 0.518_079_804_8, 1e-9), "{t}");
    let w = softmax_with_temperature(scores.view(), t).unwrap();
    assert!(close(w[1], 0.5, 1e-9), "cat gets {}", w[1]);
}

#[test]
fn ex_3_3_rejects_targets_out_of_reach() {
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    // 1/5 is the uniform limit and 1 the one-hot limit: neither is reached.
    assert!(temperature_for_top_weight(scores.view(), 0.2).is_err());
    assert!(temperature_for_top_weight(scores.view(), 1.0).is_err());
    // Two tied scores can never take more than half the weight each.
    let tied = array![1.0, 1.0, 0.0];
    let err = temperature_for_top_weight(tied.view(), 0.6).unwrap_err();
    assert!(names_shape(&err.to_string(), &[3]), "{err}");
    assert!(temperature_for_top_weight(array![f64::NAN].view(), 0.5).is_err());
}
