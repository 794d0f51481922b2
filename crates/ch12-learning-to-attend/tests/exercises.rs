//! Tests for chapter 12's exercises. Run one exercise's tests with
//! `cargo test -p ch12-learning-to-attend --test exercises ex_12_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use ch12_learning_to_attend::backward::{softmax_backward, softmax_jacobian};
use ch12_learning_to_attend::exercises::{
    adam_step, softmax_vjp, weighted_sum_backward,
};
use ch12_learning_to_attend::model::Params;
use ch12_learning_to_attend::optim::Adam;
use ndarray::{Array1, array};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 12.1: softmax_vjp

#[test]
fn ex_12_1_a_two_way_tie() {
    // g . w = 1 * 0.5 + 0 * 0.5 = 0.5;
    // [0.5 * (1 - 0.5), 0.5 * (0 - 0.5)] = [0.25, -0.25].
    let d =
        softmax_vjp(array![0.5, 0.5].view(), array![1.0, 0.0].view()).unwrap();
    assert!(close(d[0], 0.25, 1e-15) && close(d[1], -0.25, 1e-15));
}

#[test]
fn ex_12_1_the_same_upstream_everywhere_gives_zero() {
    // g = [3, 3, 3]: g . w = 3 (the weights sum to 1), g - 3 = 0.
    let w = array![0.2, 0.3, 0.5];
    let d = softmax_vjp(w.view(), array![3.0, 3.0, 3.0].view()).unwrap();
    assert!(d.iter().all(|x| x.abs() < 1e-15), "{d}");
}

#[test]
fn ex_12_1_equals_the_jacobian_product() {
    // w = [0.2, 0.3, 0.5], g = [1, -1, 2]: g . w = 0.2 - 0.3 + 1 = 0.9;
    // w * (g - 0.9) = [0.2 * 0.1, 0.3 * -1.9, 0.5 * 1.1]
    //               = [0.02, -0.57, 0.55], which sums to 0.
    let w = array![0.2, 0.3, 0.5];
    let g = array![1.0, -1.0, 2.0];
    let d = softmax_vjp(w.view(), g.view()).unwrap();
    let full = softmax_jacobian(w.view()).unwrap().t().dot(&g);
    for (got, want) in d.iter().zip([0.02, -0.57, 0.55]) {
        assert!(close(*got, want, 1e-12), "{d}");
    }
    for (a, b) in d.iter().zip(&full) {
        assert!(close(*a, *b, 1e-12));
    }
    let chapter = softmax_backward(w.view(), g.view()).unwrap();
    assert_eq!(d, chapter);
}

#[test]
fn ex_12_1_rejects_mismatched_lengths_naming_both_shapes() {
    let err =
        softmax_vjp(array![0.5, 0.5].view(), array![1.0, 2.0, 3.0].view())
            .unwrap_err()
            .to_string();
    assert!(names_shape(&err, &[2]) && names_shape(&err, &[3]), "{err}");
    assert!(
        softmax_vjp(Array1::zeros(0).view(), Array1::zeros(0).view()).is_err()
    );
    assert!(softmax_vjp(array![f64::NAN].view(), array![1.0].view()).is_err());
}

// Exercise 12.2: weighted_sum_backward

#[test]
fn ex_12_2_the_statements_example() {
    // d_weights_j = g . v_j: [1, 1] . [1, 0] = 1, [1, 1] . [0, 2] = 2.
    // d_values_j = w_j g: 0.25 * [1, 1], 0.75 * [1, 1].
    let g = weighted_sum_backward(
        array![0.25, 0.75].view(),
        array![[1.0, 0.0], [0.0, 2.0]].view(),
        array![1.0, 1.0].view(),
    )
    .unwrap();
    assert_eq!(g.d_weights, array![1.0, 2.0]);
    assert_eq!(g.d_values, array![[0.25, 0.25], [0.75, 0.75]]);
}

#[test]
fn ex_12_2_a_one_hot_weight_sends_the_gradient_to_one_value() {
    // w = [0, 1, 0]: only v_2 reaches z, so only row 2 of d_values is
    // nonzero; d_weights = [g . v_1, g . v_2, g . v_3] with g = [2, 1]
    // = [2 + 1, 0 - 1, 6 - 3] = [3, -1, 3].
    let g = weighted_sum_backward(
        array![0.0, 1.0, 0.0].view(),
        array![[1.0, 1.0], [0.0, -1.0], [3.0, -3.0]].view(),
        array![2.0, 1.0].view(),
    )
    .unwrap();
    assert_eq!(g.d_weights, array![3.0, -1.0, 3.0]);
    assert_eq!(g.d_values, array![[0.0, 0.0], [2.0, 1.0], [0.0, 0.0]]);
}

#[test]
fn ex_12_2_rejects_mismatched_shapes_naming_them() {
    let err = weighted_sum_backward(
        array![0.5, 0.5].view(),
        array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]].view(),
        array![1.0, 1.0].view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[2]) && names_shape(&err, &[3, 2]),
        "{err}"
    );
    let err = weighted_sum_backward(
        array![0.5, 0.5].view(),
        array![[1.0, 0.0], [0.0, 1.0]].view(),
        array![1.0, 1.0, 1.0].view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[2, 2]) && names_shape(&err, &[3]),
        "{err}"
    );
}

// Exercise 12.3: adam_step

#[test]
fn ex_12_3_the_first_step_has_the_size_of_the_learning_rate() {
    // m = 0.1 * -5 = -0.5, v = 0.001 * 25 = 0.025;
    // m_hat = -0.5 / 0.1 = -5, v_hat = 0.025 / 0.001 = 25;
    // w = 1 - 0.01 * (-5 / (5 + 1e-8)) = 1.0099999999800...
    let s = adam_step(
        array![1.0].view(),
        array![-5.0].view(),
        array![0.0].view(),
        array![0.0].view(),
        1,
        0.01,
    )
    .unwrap();
    assert!(close(s.m[0], -0.5, 1e-15) && close(s.v[0], 0.025, 1e-15));
    assert!(close(s.w[0], 1.01, 1e-9), "{}", s.w);
}

#[test]
fn ex_12_3_agrees_with_the_chapters_adam_over_three_steps() {
    let mut p = Params {
        w_q: array![[0.5, -1.0]],
        w_k: array![[0.0, 0.0]],
        w_v: array![[0.0, 0.0]],
        w_o: None,
    };
    let mut adam = Adam::new(0.1, &p);
    let (mut w, mut m, mut v) =
        (array![0.5, -1.0], array![0.0, 0.0], array![0.0, 0.0]);
    for (t, g) in [[1.0, -2.0], [0.5, 0.0], [-3.0, 1.0]].iter().enumerate() {
        let g = array![g[0], g[1]];
        let grads = Params {
            w_q: g.clone().into_shape_with_order((1, 2)).unwrap(),
            ..p.zeros_like()
        };
        adam.step(&mut p, &grads).unwrap();
        let s = adam_step(w.view(), g.view(), m.view(), v.view(), t + 1, 0.1)
            .unwrap();
        (w, m, v) = (s.w, s.m, s.v);
    }
    for (a, b) in w.iter().zip(p.w_q.iter()) {
        assert!(close(*a, *b, 1e-15));
    }
}

#[test]
fn ex_12_3_rejects_bad_inputs() {
    let one = array![1.0];
    let err = adam_step(
        one.view(),
        array![1.0, 2.0].view(),
        one.view(),
        one.view(),
        1,
        0.1,
    )
    .unwrap_err()
    .to_string();
    assert!(names_shape(&err, &[1]) && names_shape(&err, &[2]), "{err}");
    assert!(
        adam_step(one.view(), one.view(), one.view(), one.view(), 0, 0.1)
            .is_err()
    );
    assert!(
        adam_step(one.view(), one.view(), one.view(), one.view(), 1, 0.0)
            .is_err()
    );
}
