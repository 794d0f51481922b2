//! Tests for chapter 2's exercises. Run one exercise's tests with
//! `cargo test -p ch02-bottleneck --test exercises ex_2_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use ch02_bottleneck::exercises::{
    encode, first_token_sensitivity, steps_to_fade,
};
use ch02_bottleneck::worked::{encoders, sentence_embeddings};
use ndarray::{Array2, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 2.1: encode

#[test]
fn ex_2_1_runs_the_statement_example() {
    // h_1 = tanh(1 * 0.5 + 2 * 0.25) = tanh(1) = 0.76159416
    // h_2 = tanh(0.76159416 * 0.5 + 0) = tanh(0.38079708) = 0.36339948
    let h = encode(
        array![[0.5], [0.25]].view(),
        array![[0.5]].view(),
        array![[1.0, 2.0], [0.0, 0.0]].view(),
    )
    .unwrap();
    assert_eq!(h.len(), 1);
    assert!(close(h[0], 0.363_399_484_389_052_5, 1e-12), "{h}");
}

#[test]
fn ex_2_1_with_zero_recurrence_only_the_last_token_counts() {
    // W_h = 0: h_T = tanh(x_T W_x) = tanh([1, -1] . [[1, 0], [0, 1]])
    // = [tanh(1), tanh(-1)] = [0.76159416, -0.76159416]
    let h = encode(
        array![[1.0, 0.0], [0.0, 1.0]].view(),
        Array2::zeros((2, 2)).view(),
        array![[5.0, 5.0], [1.0, -1.0]].view(),
    )
    .unwrap();
    assert!(
        close(h[0], 1f64.tanh(), 1e-12) && close(h[1], -1f64.tanh(), 1e-12)
    );
}

#[test]
fn ex_2_1_agrees_with_the_chapter_encoder() {
    let (enc, _) = encoders().unwrap();
    let x = sentence_embeddings();
    let h = encode(enc.w_x.view(), enc.w_h.view(), x.view()).unwrap();
    let want = enc.final_state(x.view()).unwrap();
    for (a, b) in h.iter().zip(&want) {
        assert!(close(*a, *b, 1e-12));
    }
}

#[test]
fn ex_2_1_names_the_shapes_of_tokens_that_do_not_fit() {
    let err = encode(
        Array2::zeros((3, 2)).view(),
        Array2::zeros((2, 2)).view(),
        Array2::zeros((4, 5)).view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[4, 5]) && names_shape(&err, &[3, 2]),
        "{err}"
    );
}

// Exercise 2.2: first_token_sensitivity

#[test]
fn ex_2_2_runs_the_statement_example() {
    // G = [0.5, 0.25] (1 - 0.76159416^2) = [0.20998717, 0.10499359]
    // G = G * 0.5 * (1 - 0.36339948^2) = [0.09112822, 0.04556411]
    // norm = sqrt(0.09112822^2 + 0.04556411^2) = 0.10188445
    let n = first_token_sensitivity(
        array![[0.5], [0.25]].view(),
        array![[0.5]].view(),
        array![[1.0, 2.0], [0.0, 0.0]].view(),
    )
    .unwrap();
    assert!(close(n, 0.101_884_445_123_278_56, 1e-12), "{n}");
}

#[test]
fn ex_2_2_agrees_with_the_chapter_jacobian() {
    let (enc, _) = encoders().unwrap();
    let x = sentence_embeddings();
    let n = first_token_sensitivity(enc.w_x.view(), enc.w_h.view(), x.view())
        .unwrap();
    let j = enc.token_jacobian(x.view(), 0).unwrap();
    let want = j.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(close(n, want, 1e-12), "{n} vs {want}");
}

#[test]
fn ex_2_2_rejects_a_recurrent_matrix_that_is_not_square() {
    let err = first_token_sensitivity(
        Array2::zeros((2, 3)).view(),
        Array2::zeros((3, 2)).view(),
        Array2::zeros((1, 2)).view(),
    )
    .unwrap_err()
    .to_string();
    assert!(names_shape(&err, &[3, 2]), "{err}");
}

// Exercise 2.3: steps_to_fade

#[test]
fn ex_2_3_counts_the_statement_example() {
    // 0.5^3 = 0.125 >= 0.1, 0.5^4 = 0.0625 < 0.1
    assert_eq!(steps_to_fade(0.5, 0.1).unwrap(), 4);
}

#[test]
fn ex_2_3_counts_the_chapter_radius() {
    // ln(0.01) / ln(0.8) = 20.64, so 0.8^20 = 0.0115 and 0.8^21 = 0.0092
    assert_eq!(steps_to_fade(0.8, 0.01).unwrap(), 21);
    // a threshold of 1: 0.8^0 = 1 is not below it, 0.8^1 is
    assert_eq!(steps_to_fade(0.8, 1.0).unwrap(), 1);
}

#[test]
fn ex_2_3_refuses_a_radius_that_never_fades() {
    assert!(steps_to_fade(1.0, 0.1).is_err());
    assert!(steps_to_fade(1.5, 0.1).is_err());
    assert!(steps_to_fade(0.5, 0.0).is_err());
}
