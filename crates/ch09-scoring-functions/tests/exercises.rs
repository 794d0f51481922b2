//! Tests for chapter 9's exercises. Run one exercise's tests with
//! `cargo test -p ch09-scoring-functions --test exercises ex_9_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use ch09_scoring_functions::exercises::{
    additive_scores, cosine_scores, multiply_adds,
};
use ch09_scoring_functions::scorers::cosine;
use ch09_scoring_functions::worked::{band_keys, band_query, band_scorer};
use ndarray::{Array2, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 9.1: additive_scores

#[test]
fn ex_9_1_scores_the_statements_example() {
    // W_q q = [1 * 1 + 0 * 0] = [1], W_k k = [0 * 0 + 1 * 1] = [1],
    // 2 tanh(1 + 1) = 2 * 0.96402758 = 1.92805516.
    let s = additive_scores(
        array![1.0, 0.0].view(),
        array![[0.0, 1.0]].view(),
        array![[1.0, 0.0]].view(),
        array![[0.0, 1.0]].view(),
        array![2.0].view(),
    )
    .unwrap();
    assert_eq!(s.len(), 1);
    assert!(close(s[0], 1.928_055_160_151_634, 1e-12), "{s}");
}

#[test]
fn ex_9_1_prefers_the_middle_key_of_the_band_scorer() {
    // The chapter's hand-built scorer: tanh(2c - 1) - tanh(2c - 3) for
    // c = 0.5, 1, 1.5: tanh(0) - tanh(-2) = 0.9640, tanh(1) - tanh(-1) =
    // 1.5232, tanh(2) - tanh(0) = 0.9640.
    let band = band_scorer().unwrap();
    let q = band_query();
    let k = band_keys(&[0.5, 1.0, 1.5]);
    let s =
        additive_scores(q.row(0), k.view(), band.w_q(), band.w_k(), band.v())
            .unwrap();
    let t1 = 1.0_f64.tanh();
    let t2 = 2.0_f64.tanh();
    assert!(close(s[0], t2, 1e-12) && close(s[2], t2, 1e-12), "{s}");
    assert!(close(s[1], 2.0 * t1, 1e-12), "{s}");
}

#[test]
fn ex_9_1_allows_queries_and_keys_of_different_widths() {
    // d_q = 1, d_k = 3, d_a = 2. W_q q = [2, 0]; W_k k = [1, 3] for the
    // key [1, 1, 1]: v . tanh([3, 3]) = (1 + 1) * tanh(3) = 1.99010143.
    let s = additive_scores(
        array![2.0].view(),
        array![[1.0, 1.0, 1.0]].view(),
        array![[1.0], [0.0]].view(),
        array![[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]].view(),
        array![1.0, 1.0].view(),
    )
    .unwrap();
    assert!(close(s[0], 2.0 * 3.0_f64.tanh(), 1e-12), "{s}");
}

#[test]
fn ex_9_1_rejects_a_w_q_that_does_not_fit_the_query() {
    let err = additive_scores(
        array![1.0, 0.0].view(),
        array![[0.0, 1.0]].view(),
        Array2::<f64>::ones((1, 3)).view(),
        array![[0.0, 1.0]].view(),
        array![2.0].view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[2]) && names_shape(&err, &[1, 3]),
        "{err}"
    );
}

#[test]
fn ex_9_1_rejects_a_v_of_the_wrong_length_and_a_nan() {
    let err = additive_scores(
        array![1.0, 0.0].view(),
        array![[0.0, 1.0]].view(),
        array![[1.0, 0.0]].view(),
        array![[0.0, 1.0]].view(),
        array![2.0, 1.0].view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[1, 2]) && names_shape(&err, &[2]),
        "{err}"
    );
    assert!(
        additive_scores(
            array![f64::NAN, 0.0].view(),
            array![[0.0, 1.0]].view(),
            array![[1.0, 0.0]].view(),
            array![[0.0, 1.0]].view(),
            array![2.0].view(),
        )
        .is_err()
    );
}

// Exercise 9.2: multiply_adds

#[test]
fn ex_9_2_counts_the_statements_examples() {
    // 2 * 3 * 4 = 24; general: 2*4*5 + 2*3*5 = 40 + 30 = 70.
    assert_eq!(multiply_adds("dot", 2, 3, 4, 4, 0).unwrap(), 24);
    assert_eq!(multiply_adds("general", 2, 3, 4, 5, 0).unwrap(), 70);
}

#[test]
fn ex_9_2_counts_the_other_three() {
    // scaled dot: 24 + 6 = 30; cosine: 24 + 2 * (2 + 3) * 4 = 64;
    // additive with d_a = 6: (2*4 + 3*5) * 6 + 2*3*6 = 138 + 36 = 174.
    assert_eq!(multiply_adds("scaled_dot", 2, 3, 4, 4, 0).unwrap(), 30);
    assert_eq!(multiply_adds("cosine", 2, 3, 4, 4, 0).unwrap(), 64);
    assert_eq!(multiply_adds("additive", 2, 3, 4, 5, 6).unwrap(), 174);
}

#[test]
fn ex_9_2_matches_the_chapters_table_at_t_1024() {
    // 1024 * 1024 * 64 = 67,108,864; additive: 2 * 1024 * 64 * 64 +
    // 1024 * 1024 * 64 = 8,388,608 + 67,108,864 = 75,497,472.
    assert_eq!(
        multiply_adds("dot", 1024, 1024, 64, 64, 64).unwrap(),
        67_108_864
    );
    assert_eq!(
        multiply_adds("additive", 1024, 1024, 64, 64, 64).unwrap(),
        75_497_472
    );
}

#[test]
fn ex_9_2_rejects_unknown_scorers_and_unequal_widths_for_dot() {
    assert!(multiply_adds("bilinear", 1, 1, 1, 1, 1).is_err());
    assert!(multiply_adds("dot", 1, 1, 2, 3, 0).is_err());
    assert!(multiply_adds("cosine", 1, 1, 2, 3, 0).is_err());
    assert!(multiply_adds("general", 1, 1, 2, 3, 0).is_ok());
}

// Exercise 9.3: cosine_scores

#[test]
fn ex_9_3_scores_the_statements_example() {
    // [1, 0] . [2, 0] / (1 * 2) = 1; [1, 0] . [1, 1] / (1 * sqrt(2)) =
    // 0.70710678; [1, 0] . [0, 3] = 0.
    let s = cosine_scores(
        array![1.0, 0.0].view(),
        array![[2.0, 0.0], [1.0, 1.0], [0.0, 3.0]].view(),
    )
    .unwrap();
    assert!(close(s[0], 1.0, 1e-12));
    assert!(close(s[1], std::f64::consts::FRAC_1_SQRT_2, 1e-12));
    assert!(close(s[2], 0.0, 1e-12));
}

#[test]
fn ex_9_3_matches_the_library_cosines() {
    // [1, 0, 1] . [1, 1, 1] / (sqrt(2) sqrt(3)) = 2 / sqrt(6) = 0.81649658.
    let (keys, _) = ch03_queries_keys_values::worked::library();
    let s = cosine_scores(array![1.0, 0.0, 1.0].view(), keys.view()).unwrap();
    let want = cosine(array![[1.0, 0.0, 1.0]].view(), keys.view()).unwrap();
    for (a, b) in s.iter().zip(want.row(0)) {
        assert!(close(*a, *b, 1e-12), "{s}");
    }
    assert!(close(s[2], 2.0 / 6.0_f64.sqrt(), 1e-12));
}

#[test]
fn ex_9_3_ignores_the_length_of_the_query() {
    let keys = array![[1.0, 2.0], [-3.0, 0.5]];
    let a = cosine_scores(array![0.3, -0.4].view(), keys.view()).unwrap();
    let b = cosine_scores(array![3.0, -4.0].view(), keys.view()).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert!(close(*x, *y, 1e-12));
    }
}

#[test]
fn ex_9_3_rejects_zero_vectors_and_mismatched_widths() {
    let keys = array![[1.0, 0.0]];
    assert!(cosine_scores(array![0.0, 0.0].view(), keys.view()).is_err());
    let zero_key = array![[1.0, 0.0], [0.0, 0.0]];
    assert!(cosine_scores(array![1.0, 1.0].view(), zero_key.view()).is_err());
    let err = cosine_scores(array![1.0, 0.0, 1.0].view(), keys.view())
        .unwrap_err()
        .to_string();
    assert!(
        names_shape(&err, &[3]) && names_shape(&err, &[1, 2]),
        "{err}"
    );
}
