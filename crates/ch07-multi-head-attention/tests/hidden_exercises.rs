//! Instructor-only tests for chapter 7's exercises, on other inputs than
//! the visible ones. `cargo xtask grade` runs them with tests/exercises.rs.

use attn_common::rng::SplitMix64;
use ch07_multi_head_attention::exercises::{
    average_heads, grouped_query_parameter_count, merge_heads, split_heads,
};
use ch07_multi_head_attention::{Mask, MultiHeadAttention};
use ndarray::{Array3, Axis, array, s};

#[test]
fn ex_7_1_matches_the_batched_library_version() {
    // The library splits (B, T, d_out); a batch of one must agree.
    let x = SplitMix64::new(31).normal_matrix(7, 6);
    let ours = split_heads(x.view(), 3).unwrap();
    let batched = x.clone().insert_axis(Axis(0)); // (1, T, d_out)
    let library =
        ch07_multi_head_attention::split_heads(batched.view(), 3).unwrap();
    assert_eq!(ours, library.index_axis(Axis(0), 0));
}

#[test]
fn ex_7_1_a_transposed_input_is_split_by_its_logical_columns() {
    // x.t() is [[1, 2, 3], [4, 5, 6]], stored column by column: the
    // split must follow the numbers' positions, not their memory order.
    let x = array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]];
    let heads = split_heads(x.t(), 3).unwrap();
    assert_eq!(
        heads,
        array![[[1.0], [4.0]], [[2.0], [5.0]], [[3.0], [6.0]]]
    );
}

#[test]
fn ex_7_2_undoes_split_on_random_shapes() {
    let mut rng = SplitMix64::new(5);
    for (t, n_heads, d_head) in [(1, 1, 1), (3, 4, 2), (6, 2, 5)] {
        let x = rng.normal_matrix(t, n_heads * d_head);
        let heads = Array3::from_shape_fn((n_heads, t, d_head), |(h, i, c)| {
            x[[i, h * d_head + c]]
        });
        assert_eq!(merge_heads(heads.view()).unwrap(), x);
    }
}

#[test]
fn ex_7_3_averages_a_real_layer() {
    let mut rng = SplitMix64::new(11);
    let layer =
        MultiHeadAttention::random(4, 6, 3, Mask::None, &mut rng).unwrap();
    let x = rng.normal_matrix(5, 4);
    let out = layer.forward(x.view()).unwrap();
    let avg = average_heads(out.weights.view()).unwrap();
    for i in 0..5 {
        for j in 0..5 {
            let mean = out.weights.slice(s![.., i, j]).sum() / 3.0;
            assert!((avg[[i, j]] - mean).abs() < 1e-15);
        }
    }
}

#[test]
fn ex_7_4_other_sizes() {
    // d_model 4096, 32 heads, 8 kv heads, no bias (d_head 128, d_kv 1024):
    // 2*4096^2 + 2*4096*1024 = 33554432 + 8388608 = 41943040.
    assert_eq!(
        grouped_query_parameter_count(4096, 32, 8, false).unwrap(),
        41_943_040
    );
    // d_model 12, 6 heads, 3 kv heads, biases (d_head 2, d_kv 6):
    // 2*144 + 2*72 + 2*12 + 2*6 = 288 + 144 + 24 + 12 = 468.
    assert_eq!(grouped_query_parameter_count(12, 6, 3, true).unwrap(), 468);
}
