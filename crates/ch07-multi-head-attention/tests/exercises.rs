//! Tests for chapter 7's exercises. Run one exercise's tests with
//! `cargo test -p ch07-multi-head-attention --test exercises ex_7_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python.

use attn_common::message::names_shape;
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch07_multi_head_attention::exercises::{
    average_heads, grouped_query_parameter_count, merge_heads, split_heads,
};
use ch07_multi_head_attention::worked::journey_stack;
use ch07_multi_head_attention::{Mask, parameter_count};
use ndarray::{Array2, Array3, Axis, array, s};

/// Whether `err` holds the whole number `n` (not inside a larger one), as
/// the judge reads an error that must name a number.
fn names_number(err: &str, n: usize) -> bool {
    err.split(|c: char| !c.is_ascii_digit())
        .any(|d| d.parse() == Ok(n))
}

// Exercise 7.1: split_heads

#[test]
fn ex_7_1_two_heads_take_two_columns_each() {
    let x = array![[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]];
    let heads = split_heads(x.view(), 2).unwrap();
    let want = array![[[1.0, 2.0], [5.0, 6.0]], [[3.0, 4.0], [7.0, 8.0]]];
    assert_eq!(heads, want);
}

#[test]
fn ex_7_1_each_head_sees_its_own_column_block() {
    // (T, d_out) = (5, 12), four heads of width 3: head h is columns
    // 3h..3h+3 of every row.
    let x = SplitMix64::new(9).normal_matrix(5, 12);
    let heads = split_heads(x.view(), 4).unwrap();
    assert_eq!(heads.dim(), (4, 5, 3));
    for h in 0..4 {
        let block = x.slice(s![.., 3 * h..3 * h + 3]);
        assert_eq!(heads.index_axis(Axis(0), h), block);
    }
}

#[test]
fn ex_7_1_one_head_is_the_whole_matrix() {
    let x = array![[1.0, 2.0, 3.0]];
    let heads = split_heads(x.view(), 1).unwrap();
    assert_eq!(heads, x.insert_axis(Axis(0)));
}

#[test]
fn ex_7_1_rejects_what_cannot_be_split() {
    let x = Array2::<f64>::zeros((2, 6));
    let err = split_heads(x.view(), 4).unwrap_err().to_string();
    assert!(names_number(&err, 6) && names_number(&err, 4), "{err}");
    assert!(split_heads(x.view(), 0).is_err());
    assert!(split_heads(Array2::zeros((0, 4)).view(), 2).is_err());
}

// Exercise 7.2: merge_heads

#[test]
fn ex_7_2_heads_go_back_side_by_side() {
    let heads = array![[[1.0, 2.0], [5.0, 6.0]], [[3.0, 4.0], [7.0, 8.0]]];
    let merged = merge_heads(heads.view()).unwrap();
    assert_eq!(merged, array![[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]);
}

#[test]
fn ex_7_2_three_heads_of_width_one() {
    // Head h holds the numbers 10h + t for t = 0, 1: row t of the merge
    // is [t, 10 + t, 20 + t].
    let heads =
        Array3::from_shape_fn((3, 2, 1), |(h, t, _)| (10 * h + t) as f64);
    let merged = merge_heads(heads.view()).unwrap();
    assert_eq!(merged, array![[0.0, 10.0, 20.0], [1.0, 11.0, 21.0]]);
}

#[test]
fn ex_7_2_merges_what_the_layer_split() {
    // The layer's concatenation is merge_heads of its per-head contexts.
    let out = journey_stack(Mask::None)
        .unwrap()
        .forward(journey().x.view())
        .unwrap();
    let heads = Array3::from_shape_fn((4, 6, 2), |(h, t, c)| {
        out.concatenated[[t, 2 * h + c]]
    });
    assert_eq!(merge_heads(heads.view()).unwrap(), out.concatenated);
}

#[test]
fn ex_7_2_rejects_an_empty_input() {
    assert!(merge_heads(Array3::zeros((0, 2, 2)).view()).is_err());
}

// Exercise 7.3: average_heads

#[test]
fn ex_7_3_two_opposite_heads_average_to_uniform() {
    let weights = array![[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]];
    let avg = average_heads(weights.view()).unwrap();
    assert_eq!(avg, array![[0.5, 0.5], [0.5, 0.5]]);
}

#[test]
fn ex_7_3_the_journey_average_is_still_a_distribution() {
    let out = journey_stack(Mask::Causal)
        .unwrap()
        .forward(journey().x.view())
        .unwrap();
    let avg = average_heads(out.weights.view()).unwrap();
    assert_eq!(avg.dim(), (6, 6));
    for row in avg.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    // Causal heads average to a causal matrix: nothing above the diagonal.
    assert_eq!(avg[[0, 1]], 0.0);
    // Entry (5, 4) is the mean of the four heads' entries (5, 4).
    let mean = out.weights.slice(s![.., 5, 4]).sum() / 4.0;
    assert!((avg[[5, 4]] - mean).abs() < 1e-15);
}

#[test]
fn ex_7_3_rejects_empty_or_non_finite_weights() {
    assert!(average_heads(Array3::zeros((0, 2, 2)).view()).is_err());
    let mut w = Array3::from_elem((2, 2, 2), 0.5);
    w[[1, 0, 1]] = f64::NAN;
    let err = average_heads(w.view()).unwrap_err().to_string();
    assert!(names_shape(&err, &[2, 2, 2]), "{err}");
}

// Exercise 7.4: grouped_query_parameter_count

#[test]
fn ex_7_4_the_small_example() {
    // d_head = 8 / 4 = 2, d_kv = 2 * 2 = 4:
    // W_q 8*8 + W_k 8*4 + W_v 8*4 + W_o 8*8 = 64 + 32 + 32 + 64 = 192.
    assert_eq!(grouped_query_parameter_count(8, 4, 2, false).unwrap(), 192);
    // Biases add 8 + 4 + 4 + 8 = 24.
    assert_eq!(grouped_query_parameter_count(8, 4, 2, true).unwrap(), 216);
}

#[test]
fn ex_7_4_one_group_per_head_is_the_ordinary_layer() {
    for (d, h) in [(768, 12), (64, 8), (6, 3)] {
        for bias in [false, true] {
            assert_eq!(
                grouped_query_parameter_count(d, h, h, bias).unwrap(),
                parameter_count(d, d, h, bias).unwrap()
            );
        }
    }
}

#[test]
fn ex_7_4_multi_query_and_a_large_model() {
    // GPT-2 sizes with one key/value head (multi-query), biases:
    // 2*768*768 + 2*768*64 + (768 + 2*64 + 768) = 1,279,616.
    assert_eq!(
        grouped_query_parameter_count(768, 12, 1, true).unwrap(),
        1_279_616
    );
    // d_model 8192, 64 query heads, 8 key/value heads, no biases (the
    // attention of Llama 2 70B): 2*8192^2 + 2*8192*1024 = 150,994,944.
    assert_eq!(
        grouped_query_parameter_count(8192, 64, 8, false).unwrap(),
        150_994_944
    );
}

#[test]
fn ex_7_4_rejects_groups_that_do_not_divide() {
    let err = grouped_query_parameter_count(768, 12, 5, false)
        .unwrap_err()
        .to_string();
    assert!(names_number(&err, 12) && names_number(&err, 5), "{err}");
    assert!(grouped_query_parameter_count(768, 12, 0, false).is_err());
    assert!(grouped_query_parameter_count(768, 5, 1, false).is_err());
    assert!(grouped_query_parameter_count(768, 0, 1, false).is_err());
}
