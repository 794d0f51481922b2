//! Tests for chapter 5's exercises. Run one exercise's tests with
//! `cargo test -p ch05-trainable-weights --test exercises ex_5_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch05_trainable_weights::SelfAttention;
use ch05_trainable_weights::exercises::{
    dot_product_variance, parameter_count, scaled_scores,
};
use ch05_trainable_weights::scaling::{PAIRS, SCALING_SEED, score_variance};
use ch05_trainable_weights::worked::journey_layer;
use ndarray::{Array2, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 5.1: scaled_scores

#[test]
fn ex_5_1_scales_a_tiny_example_by_one_over_sqrt_2() {
    // [1, 0] . [1, 0] = 1, [1, 0] . [0, 1] = 0, [1, 0] . [1, 1] = 1;
    // each divided by sqrt(2): 0.70710678..., 0, 0.70710678...
    let s = scaled_scores(
        array![1.0, 0.0].view(),
        array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]].view(),
    )
    .unwrap();
    let r = std::f64::consts::FRAC_1_SQRT_2;
    assert_eq!(s.len(), 3);
    assert!(close(s[0], r, 1e-12) && close(s[1], 0.0, 1e-12));
    assert!(close(s[2], r, 1e-12));
}

#[test]
fn ex_5_1_divides_by_the_square_root_of_the_width() {
    // [1, 1, 1, 1] . [2, 2, 2, 2] = 8, divided by sqrt(4) = 2: 4.
    let s = scaled_scores(
        array![1.0, 1.0, 1.0, 1.0].view(),
        array![[2.0, 2.0, 2.0, 2.0]].view(),
    )
    .unwrap();
    assert!(close(s[0], 4.0, 1e-12), "{s}");
}

#[test]
fn ex_5_1_matches_the_layer_on_journey() {
    let x = journey().x;
    let layer = journey_layer().unwrap();
    let q = layer.queries(x.view()).unwrap();
    let k = layer.keys(x.view()).unwrap();
    let out = layer.forward(x.view()).unwrap();
    for i in 0..x.nrows() {
        let s = scaled_scores(q.row(i), k.view()).unwrap();
        for (a, b) in s.iter().zip(out.scores.row(i)) {
            assert!(close(*a, *b, 1e-12), "row {i}: {s}");
        }
    }
}

#[test]
fn ex_5_1_rejects_mismatched_widths_naming_both_shapes() {
    let err = scaled_scores(
        array![1.0, 0.0, 1.0].view(),
        Array2::<f64>::ones((4, 2)).view(),
    )
    .unwrap_err()
    .to_string();
    assert!(names_shape(&err, &[3]), "{err}");
    assert!(names_shape(&err, &[4, 2]), "{err}");
}

#[test]
fn ex_5_1_rejects_empty_and_non_finite_inputs() {
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(scaled_scores(array![1.0, 0.0].view(), empty.view()).is_err());
    let err =
        scaled_scores(array![f64::NAN, 0.0].view(), array![[1.0, 0.0]].view())
            .unwrap_err()
            .to_string();
    assert!(names_shape(&err, &[2]), "{err}");
}

// Exercise 5.2: dot_product_variance

#[test]
fn ex_5_2_agrees_with_score_variance_from_a_fresh_generator() {
    // Same seed, same draw order: the same dot products, so the same
    // variance up to rounding. Each width gets a fresh generator; the
    // chapter's table instead draws every width from one generator in
    // turn, so its rows differ from these.
    for d_k in [1, 8, 64] {
        let mut rng = SplitMix64::new(SCALING_SEED);
        let (want, _) = score_variance(d_k, PAIRS, &mut rng).unwrap();
        let got = dot_product_variance(d_k, 1.0, PAIRS, SCALING_SEED).unwrap();
        assert!((got - want).abs() <= 1e-9 * want, "d_k = {d_k}: {got}");
    }
}

#[test]
fn ex_5_2_grows_like_d_k_times_the_fourth_power_of_std_dev() {
    // Var(q . k) = d_k * std_dev^4: 64 * 1 = 64, 64 * 0.0625 = 4,
    // 16 * 16 = 256. An estimate from 2000 pairs lands within 15 %.
    for (d_k, std_dev, want) in
        [(64, 1.0, 64.0), (64, 0.5, 4.0), (16, 2.0, 256.0)]
    {
        let got = dot_product_variance(d_k, std_dev, 2000, 5).unwrap();
        assert!((got / want - 1.0).abs() < 0.15, "{d_k}, {std_dev}: {got}");
    }
}

#[test]
fn ex_5_2_is_reproducible_and_depends_on_the_seed() {
    let a = dot_product_variance(16, 1.0, 100, 3).unwrap();
    let b = dot_product_variance(16, 1.0, 100, 3).unwrap();
    let c = dot_product_variance(16, 1.0, 100, 4).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn ex_5_2_rejects_bad_arguments() {
    assert!(dot_product_variance(0, 1.0, 100, 1).is_err());
    assert!(dot_product_variance(4, 1.0, 1, 1).is_err());
    assert!(dot_product_variance(4, 0.0, 100, 1).is_err());
    assert!(dot_product_variance(4, f64::NAN, 100, 1).is_err());
}

// Exercise 5.3: parameter_count

#[test]
fn ex_5_3_counts_the_journey_layer() {
    // 3 matrices of 3 x 2 = 18; plus 3 biases of 2 = 24.
    assert_eq!(parameter_count(3, 2, false), 18);
    assert_eq!(parameter_count(3, 2, true), 24);
}

#[test]
fn ex_5_3_counts_a_gpt2_sized_layer() {
    // 3 * 768 * 768 = 1_769_472; plus 3 * 768 = 2_304 -> 1_771_776.
    assert_eq!(parameter_count(768, 768, false), 1_769_472);
    assert_eq!(parameter_count(768, 768, true), 1_771_776);
}

#[test]
fn ex_5_3_matches_the_entries_of_a_real_layer() {
    let mut rng = SplitMix64::new(11);
    for (d_in, d_out) in [(1, 1), (5, 3), (4, 7)] {
        let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
        let entries = layer.w_q().len() + layer.w_k().len() + layer.w_v().len();
        assert_eq!(parameter_count(d_in, d_out, false), entries);
        assert_eq!(
            parameter_count(d_in, d_out, true),
            entries + 3 * layer.d_out()
        );
    }
}
