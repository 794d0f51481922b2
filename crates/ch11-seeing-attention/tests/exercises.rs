//! Visible tests for chapter 11's exercises, with the arithmetic worked
//! by hand in the comments.

use attn_common::message::names_shape;
use ch11_seeing_attention::exercises::{
    effective_keys, rollout_with_residual, sparse_twin,
};
use ndarray::{Array3, Axis, array, stack};

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

#[test]
fn ex_11_1_one_uniform_layer_with_half_residual() {
    // 0.5 I + 0.5 [[0.5, 0.5], [0.5, 0.5]] = [[0.75, 0.25], [0.25, 0.75]]
    let layers = Array3::from_elem((1, 2, 2), 0.5);
    let r = rollout_with_residual(layers.view(), 0.5).unwrap();
    assert_eq!(r, array![[0.75, 0.25], [0.25, 0.75]]);
}

#[test]
fn ex_11_1_two_previous_token_layers_without_residual() {
    // A = previous token over 3 tokens (token 0 reads itself):
    // [[1, 0, 0], [1, 0, 0], [0, 1, 0]]; A A = [[1,0,0],[1,0,0],[1,0,0]]:
    // two hops back from token 2 land on token 0.
    let a = array![[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
    let layers = stack(Axis(0), &[a.view(), a.view()]).unwrap();
    let r = rollout_with_residual(layers.view(), 0.0).unwrap();
    assert_eq!(r.row(2).to_vec(), vec![1.0, 0.0, 0.0]);
    // With alpha = 0.5: M = 0.5 I + 0.5 A, row 2 of M = [0, 0.5, 0.5];
    // row 2 of M M = 0.5 * row 1 of M + 0.5 * row 2 of M
    //             = 0.5 [0.5, 0.5, 0] + 0.5 [0, 0.5, 0.5]
    //             = [0.25, 0.5, 0.25]
    let r = rollout_with_residual(layers.view(), 0.5).unwrap();
    assert_eq!(r.row(2).to_vec(), vec![0.25, 0.5, 0.25]);
}

#[test]
fn ex_11_1_rejects_maps_that_are_not_square() {
    let layers = Array3::from_elem((2, 3, 4), 0.25);
    let err = rollout_with_residual(layers.view(), 0.5)
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[2, 3, 4]), "{err}");
    let square = Array3::from_elem((1, 2, 2), 0.5);
    assert!(rollout_with_residual(square.view(), 1.5).is_err());
}

#[test]
fn ex_11_2_one_key_and_two_equal_keys() {
    // exp(-(1 ln 1)) = exp(0) = 1; exp(-2 * 0.5 ln 0.5) = exp(ln 2) = 2
    let e = effective_keys(array![[1.0, 0.0], [0.5, 0.5]].view()).unwrap();
    assert_eq!(e.mapv(round4).to_vec(), vec![1.0, 2.0]);
}

#[test]
fn ex_11_2_an_uneven_row() {
    // H = -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) = 0.3466 + 0.6931 = 1.0397;
    // exp(1.0397) = 2.8284 (that is 2^1.5)
    let e = effective_keys(array![[0.5, 0.25, 0.25]].view()).unwrap();
    assert_eq!(round4(e[0]), 2.8284);
}

#[test]
fn ex_11_2_rejects_rows_that_are_not_distributions() {
    let err = effective_keys(array![[0.5, 0.6]].view())
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[1, 2]), "{err}");
    assert!(effective_keys(array![[1.5, -0.5]].view()).is_err());
}

#[test]
fn ex_11_3_same_output_with_at_most_two_keys() {
    // values are numbers (d_v = 1), so d_v + 1 = 2 keys suffice:
    // output = 0.25 * (1 + 2 + 3 + 4) = 2.5, e.g. 0.5 * 1 + 0.5 * 4.
    let values = array![[1.0], [2.0], [3.0], [4.0]];
    let w = array![0.25, 0.25, 0.25, 0.25];
    let u = sparse_twin(w.view(), values.view()).unwrap();
    assert!(u.iter().all(|&x| x >= 0.0), "{u}");
    assert!((u.sum() - 1.0).abs() < 1e-9, "{u}");
    assert!((u.dot(&values)[0] - 2.5).abs() < 1e-9, "{u}");
    assert!(u.iter().filter(|&&x| x > 1e-9).count() <= 2, "{u}");
}

#[test]
fn ex_11_3_rejects_lengths_that_disagree() {
    let err = sparse_twin(
        array![0.2, 0.3, 0.5].view(),
        array![[1.0, 0.0], [0.0, 1.0]].view(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        names_shape(&err, &[3]) && names_shape(&err, &[2, 2]),
        "{err}"
    );
}
