//! Tests for chapter 14's exercises. Run one exercise's tests with
//! `cargo test -p ch14-where-attention-lives --test exercises ex_14_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use ch14_where_attention_lives::block::{GPT2_SMALL, model_count};
use ch14_where_attention_lives::exercises::{
    block_parameters, normalise, rotate, sinusoidal_encoding,
};
use ch14_where_attention_lives::position::{rope, sinusoidal};
use ndarray::array;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 14.1: sinusoidal_encoding

#[test]
fn ex_14_1_two_positions_of_width_two() {
    // Position 0: [sin 0, cos 0] = [0, 1]; position 1, w = 1:
    // [sin 1, cos 1] = [0.84147098, 0.54030231].
    let pe = sinusoidal_encoding(2, 2).unwrap();
    assert_eq!(pe.dim(), (2, 2));
    assert!(close(pe[[0, 0]], 0.0, 1e-12) && close(pe[[0, 1]], 1.0, 1e-12));
    assert!(close(pe[[1, 0]], 0.841_470_984_8, 1e-10));
    assert!(close(pe[[1, 1]], 0.540_302_305_9, 1e-10));
}

#[test]
fn ex_14_1_the_second_pair_turns_a_hundred_times_slower() {
    // d_model = 4, i = 1: w = 10000^(-2/4) = 0.01; p = 3: sin(0.03)
    // = 0.0299955, cos(0.03) = 0.99955003.
    let pe = sinusoidal_encoding(4, 4).unwrap();
    assert!(close(pe[[3, 2]], 0.029_995_500_3, 1e-10));
    assert!(close(pe[[3, 3]], 0.999_550_033_7, 1e-10));
}

#[test]
fn ex_14_1_an_odd_width_ends_with_a_sine() {
    // d_model = 3, column 2: i = 1, w = 10000^(-2/3); p = 1: sin(w).
    let pe = sinusoidal_encoding(2, 3).unwrap();
    let w = 10_000f64.powf(-2.0 / 3.0);
    assert!(close(pe[[1, 2]], w.sin(), 1e-12));
}

#[test]
fn ex_14_1_matches_the_chapter_and_refuses_empty_sizes() {
    let pe = sinusoidal_encoding(7, 6).unwrap();
    let want = sinusoidal(7, 6).unwrap();
    for (a, b) in pe.iter().zip(want.iter()) {
        assert!(close(*a, *b, 1e-12));
    }
    assert!(sinusoidal_encoding(0, 4).is_err());
    assert!(sinusoidal_encoding(4, 0).is_err());
}

// Exercise 14.2: rotate

#[test]
fn ex_14_2_turns_the_first_pair_by_one_radian_per_position() {
    // [1, 0] at position 1: [cos 1, sin 1] = [0.54030231, 0.84147098].
    let out = rotate(array![1.0, 0.0].view(), 1).unwrap();
    assert!(close(out[0], 0.540_302_305_9, 1e-10));
    assert!(close(out[1], 0.841_470_984_8, 1e-10));
}

#[test]
fn ex_14_2_position_zero_changes_nothing() {
    let x = array![0.3, -1.0, 2.0, 0.5];
    let out = rotate(x.view(), 0).unwrap();
    for (a, b) in out.iter().zip(&x) {
        assert!(close(*a, *b, 1e-15));
    }
}

#[test]
fn ex_14_2_the_score_depends_only_on_the_offset() {
    // rotate(q, 2) . rotate(k, 5) == rotate(q, 12) . rotate(k, 15).
    let (q, k) = (array![1.0, 0.5, -0.3, 0.8], array![0.6, -0.2, 0.9, 0.4]);
    let a = rotate(q.view(), 2)
        .unwrap()
        .dot(&rotate(k.view(), 5).unwrap());
    let b = rotate(q.view(), 12)
        .unwrap()
        .dot(&rotate(k.view(), 15).unwrap());
    assert!(close(a, b, 1e-12), "{a} {b}");
    let want = rope(q.view(), 2).unwrap();
    let got = rotate(q.view(), 2).unwrap();
    assert!(got.iter().zip(&want).all(|(a, b)| close(*a, *b, 1e-12)));
}

#[test]
fn ex_14_2_refuses_an_odd_width_naming_its_shape() {
    let err = rotate(array![1.0, 2.0, 3.0].view(), 1).unwrap_err();
    assert!(names_shape(&err.to_string(), &[3]), "{err}");
    assert!(rotate(array![f64::NAN, 1.0].view(), 1).is_err());
    assert!(rotate(ndarray::Array1::zeros(0).view(), 1).is_err());
}

// Exercise 14.3: normalise

#[test]
fn ex_14_3_normalises_1_2_3() {
    // mean 2, variance (1 + 0 + 1) / 3 = 2/3, sqrt = 0.81649658;
    // (1 - 2) / 0.81649658 = -1.22474487.
    let out = normalise(array![1.0, 2.0, 3.0].view(), 0.0).unwrap();
    assert!(close(out[0], -1.224_744_871_4, 1e-9));
    assert!(close(out[1], 0.0, 1e-12));
    assert!(close(out[2], 1.224_744_871_4, 1e-9));
}

#[test]
fn ex_14_3_eps_keeps_a_flat_row_finite() {
    // [5, 5]: mean 5, variance 0, so every entry is 0 / sqrt(eps) = 0.
    let out = normalise(array![5.0, 5.0].view(), 1e-5).unwrap();
    assert_eq!(out.to_vec(), vec![0.0, 0.0]);
}

#[test]
fn ex_14_3_has_mean_0_and_ignores_shifts_and_scales() {
    let x = array![0.4, -2.0, 3.5, 1.0, 0.0];
    let a = normalise(x.view(), 0.0).unwrap();
    let b = normalise(x.mapv(|v| 10.0 * v + 7.0).view(), 0.0).unwrap();
    assert!(close(a.sum(), 0.0, 1e-12));
    assert!(a.iter().zip(&b).all(|(p, q)| close(*p, *q, 1e-12)));
}

#[test]
fn ex_14_3_refuses_bad_input() {
    let err = normalise(array![1.0, f64::INFINITY].view(), 0.0).unwrap_err();
    assert!(names_shape(&err.to_string(), &[2]), "{err}");
    assert!(normalise(ndarray::Array1::zeros(0).view(), 0.0).is_err());
    assert!(normalise(array![1.0, 2.0].view(), -1.0).is_err());
}

// Exercise 14.4: block_parameters

#[test]
fn ex_14_4_a_tiny_block() {
    // attention 4*2*2 + 4*2 = 24; norms 2*2*2 = 8;
    // feed-forward 2*8 + 8 + 8*2 + 2 = 42; 24 + 8 + 42 = 74.
    assert_eq!(block_parameters(2, 8), 74);
}

#[test]
fn ex_14_4_gpt2_small_s_block() {
    // 4*768^2 + 4*768 = 2362368; 4*768 = 3072;
    // 2*768*3072 + 3072 + 768 = 4722432; sum 7087872.
    assert_eq!(block_parameters(768, 3072), 7_087_872);
    assert_eq!(
        block_parameters(768, 3072),
        model_count(&GPT2_SMALL).unwrap().block()
    );
}
