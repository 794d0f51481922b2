//! Tests for chapter 10's exercises. Run one exercise's tests with
//! `cargo test -p ch10-hard-soft-attention --test exercises ex_10_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use ch10_hard_soft_attention::exercises::{
    reinforce_estimate, sparsemax_at, top_k_weights,
};
use ch10_hard_soft_attention::reinforce::exact_gradient;
use ndarray::{Array1, array};

fn assert_close(got: &Array1<f64>, want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "got {got}, want {want:?}");
    }
}

// Exercise 10.1: sparsemax_at

#[test]
fn ex_10_1_sparsemax_of_example_2() {
    // Sorted 0.9, 0.3, 0.2, 0.1, 0.1; k = 3 (1 + 3 * 0.2 = 1.6 > 1.4, but
    // 1 + 4 * 0.1 = 1.4 < 1.5); t = (1.4 - 1) / 3 = 0.1333...
    let w = sparsemax_at(array![0.1, 0.9, 0.3, 0.2, 0.1].view(), 1.0).unwrap();
    let t = 0.4 / 3.0;
    assert_close(&w, &[0.0, 0.9 - t, 0.3 - t, 0.2 - t, 0.0]);
}

#[test]
fn ex_10_1_splits_a_tie_evenly() {
    // [2, 0, 2]: k = 2 (1 + 2 * 2 = 5 > 4), t = (4 - 1) / 2 = 1.5.
    let w = sparsemax_at(array![2.0, 0.0, 2.0].view(), 1.0).unwrap();
    assert_close(&w, &[0.5, 0.0, 0.5]);
}

#[test]
fn ex_10_1_a_low_temperature_gives_one_hot() {
    // [0.4, 0] / 0.2 = [2, 0]: the gap 2 is at least 1, so k = 1, t = 1.
    let w = sparsemax_at(array![0.4, 0.0].view(), 0.2).unwrap();
    assert_close(&w, &[1.0, 0.0]);
    // At temperature 1 the gap 0.4 < 1: [(1 + 0.4)/2, (1 - 0.4)/2].
    let w = sparsemax_at(array![0.4, 0.0].view(), 1.0).unwrap();
    assert_close(&w, &[0.7, 0.3]);
}

#[test]
fn ex_10_1_rejects_bad_input() {
    let empty = Array1::<f64>::zeros(0);
    let err = sparsemax_at(empty.view(), 1.0).unwrap_err().to_string();
    assert!(names_shape(&err, &[0]), "{err}");
    assert!(sparsemax_at(array![1.0, f64::NAN].view(), 1.0).is_err());
    assert!(sparsemax_at(array![1.0, 2.0].view(), 0.0).is_err());
}

// Exercise 10.2: top_k_weights

#[test]
fn ex_10_2_keeps_the_two_largest_of_example_2() {
    // Keep 0.9 ("cat") and 0.3 ("on"): e^0.9 / (e^0.9 + e^0.3)
    // = 1 / (1 + e^-0.6) = 0.6456563..., and 1 - that = 0.3543436...
    let w = top_k_weights(array![0.1, 0.9, 0.3, 0.2, 0.1].view(), 2).unwrap();
    let a = 1.0 / (1.0 + (-0.6f64).exp());
    assert_close(&w, &[0.0, a, 1.0 - a, 0.0, 0.0]);
}

#[test]
fn ex_10_2_breaks_ties_towards_the_earlier_position() {
    // [1, 1, 0] with k = 1 keeps position 0 only.
    let w = top_k_weights(array![1.0, 1.0, 0.0].view(), 1).unwrap();
    assert_close(&w, &[1.0, 0.0, 0.0]);
    // k = 2 keeps both 1s: e^0 / (e^0 + e^0) = 0.5 each.
    let w = top_k_weights(array![1.0, 1.0, 0.0].view(), 2).unwrap();
    assert_close(&w, &[0.5, 0.5, 0.0]);
}

#[test]
fn ex_10_2_rejects_k_out_of_range_naming_the_shape() {
    for k in [0, 4] {
        let err = top_k_weights(array![1.0, 2.0, 3.0].view(), k)
            .unwrap_err()
            .to_string();
        assert!(names_shape(&err, &[3]), "{err}");
    }
}

// Exercise 10.3: reinforce_estimate

#[test]
fn ex_10_3_two_draws_by_hand() {
    // p = [0.5, 0.5]. Draw 0: (1 - 0)([1, 0] - p) = [0.5, -0.5]; draw 1:
    // (0 - 0)(...) = [0, 0]. Mean: [0.25, -0.25].
    let s = array![0.0, 0.0];
    let c = array![1.0, 0.0];
    let g = reinforce_estimate(s.view(), c.view(), &[0, 1], 0.0).unwrap();
    assert_close(&g, &[0.25, -0.25]);
    // Baseline 0.5. Draw 0: 0.5 [0.5, -0.5] = [0.25, -0.25]; draw 1:
    // -0.5 ([0, 1] - p) = -0.5 [-0.5, 0.5] = [0.25, -0.25].
    let g = reinforce_estimate(s.view(), c.view(), &[1], 0.5).unwrap();
    assert_close(&g, &[0.25, -0.25]);
}

#[test]
fn ex_10_3_weighting_each_index_by_p_gives_the_exact_gradient() {
    // Scores [ln 1, ln 3] give p = [0.25, 0.75]. Samples [0, 1, 1, 1]
    // hit each index in proportion to p, so the mean is exact:
    // dJ/ds = p (c - J) with J = 0.25 * 2 + 0.75 * 0 = 0.5
    // -> [0.25 * 1.5, 0.75 * -0.5] = [0.375, -0.375].
    let s = array![0.0, 3f64.ln()];
    let c = array![2.0, 0.0];
    let g = reinforce_estimate(s.view(), c.view(), &[0, 1, 1, 1], 0.0).unwrap();
    let (_, exact) = exact_gradient(s.view(), c.view()).unwrap();
    for (a, b) in g.iter().zip(&exact) {
        assert!((a - b).abs() < 1e-12, "{g} vs {exact}");
    }
    assert!((g[0] - 0.375).abs() < 1e-12);
}

#[test]
fn ex_10_3_rejects_bad_input_naming_the_shapes() {
    let s = array![0.0, 1.0, 2.0];
    let err = reinforce_estimate(s.view(), array![1.0, 0.0].view(), &[0], 0.0)
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[3]) && names_shape(&err, &[2]), "{err}");
    let c = array![1.0, 0.0, 1.0];
    let err = reinforce_estimate(s.view(), c.view(), &[3], 0.0)
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[3]), "{err}");
    assert!(reinforce_estimate(s.view(), c.view(), &[], 0.0).is_err());
    assert!(reinforce_estimate(s.view(), c.view(), &[0], f64::NAN).is_err());
}
