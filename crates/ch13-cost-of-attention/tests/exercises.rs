//! Visible tests for chapter 13's exercises, with the arithmetic worked by
//! hand. Run `cargo test -p ch13-cost-of-attention --test exercises`.

use attn_common::message::names_shape;
use ch13_cost_of_attention::exercises::{
    kv_cache_bytes, naive_multiply_adds, online_softmax_step, tiled_attention,
};
use ndarray::array;

#[test]
fn ex_13_1_counts_scores_and_weighted_sums() {
    // 2*3*4 + 2*3*5 = 24 + 30 = 54.
    assert_eq!(naive_multiply_adds(2, 3, 4, 5).unwrap(), 54);
    // 4096 * 4096 * (64 + 64) = 2,147,483,648.
    assert_eq!(
        naive_multiply_adds(4096, 4096, 64, 64).unwrap(),
        2_147_483_648
    );
}

#[test]
fn ex_13_1_rejects_empty_sizes_and_overflow() {
    assert!(naive_multiply_adds(0, 3, 4, 5).is_err());
    assert!(naive_multiply_adds(2, 3, 4, 0).is_err());
    assert!(naive_multiply_adds(u64::MAX, 2, 1, 1).is_err());
}

#[test]
fn ex_13_2_counts_keys_and_values() {
    // 2 * 1 * 2 * 3 * 4 * 8 = 384.
    assert_eq!(kv_cache_bytes(1, 2, 3, 4, 8).unwrap(), 384);
    // GPT-2 small, 1,024 tokens, 2 bytes: 2*12*12*64*1024*2 = 37,748,736.
    assert_eq!(kv_cache_bytes(12, 12, 64, 1024, 2).unwrap(), 37_748_736);
    // An empty cache holds nothing.
    assert_eq!(kv_cache_bytes(12, 12, 64, 0, 2).unwrap(), 0);
}

#[test]
fn ex_13_2_rejects_zero_sizes() {
    assert!(kv_cache_bytes(0, 12, 64, 10, 2).is_err());
    assert!(kv_cache_bytes(12, 12, 64, 10, 0).is_err());
    assert!(kv_cache_bytes(u64::MAX, 12, 64, 10, 2).is_err());
}

#[test]
fn ex_13_3_first_block_from_the_start_state() {
    // m = 2, l = e^(1-2) + e^(2-2) = 0.3679 + 1 = 1.3679.
    let (m, l) =
        online_softmax_step(f64::NEG_INFINITY, 0.0, array![1.0, 2.0].view())
            .unwrap();
    assert_eq!(m, 2.0);
    assert!((l - (1.0 + (-1.0f64).exp())).abs() < 1e-12);
}

#[test]
fn ex_13_3_a_larger_score_rescales_the_old_sum() {
    // From (m, l) = (2, 1.3679) and [3]: l = 1.3679 * e^(2-3) + 1.
    let old = 1.0 + (-1.0f64).exp();
    let (m, l) = online_softmax_step(2.0, old, array![3.0].view()).unwrap();
    assert_eq!(m, 3.0);
    assert!((l - (old * (-1.0f64).exp() + 1.0)).abs() < 1e-12);
    // A smaller score leaves the max and adds e^(s - m): 1 + e^-2.
    let (m, l) = online_softmax_step(2.0, 1.0, array![0.0].view()).unwrap();
    assert_eq!(m, 2.0);
    assert!((l - (1.0 + (-2.0f64).exp())).abs() < 1e-12);
}

#[test]
fn ex_13_3_rejects_bad_states_and_scores() {
    let s = array![1.0];
    let err = online_softmax_step(0.0, 1.0, array![].view()).unwrap_err();
    assert!(names_shape(&err.to_string(), &[0]), "{err}");
    assert!(online_softmax_step(0.0, 1.0, array![f64::NAN].view()).is_err());
    assert!(online_softmax_step(f64::NAN, 1.0, s.view()).is_err());
    assert!(online_softmax_step(0.0, -1.0, s.view()).is_err());
    assert!(online_softmax_step(f64::NEG_INFINITY, 1.0, s.view()).is_err());
}

#[test]
fn ex_13_4_equal_scores_average_the_values() {
    // q = [0] scores 0 against every key: weights 1/2, output (1 + 3) / 2.
    let out = tiled_attention(
        array![[0.0]].view(),
        array![[1.0], [2.0]].view(),
        array![[1.0], [3.0]].view(),
        1,
    )
    .unwrap();
    assert!((out[[0, 0]] - 2.0).abs() < 1e-12);
}

#[test]
fn ex_13_4_matches_the_library_search_for_every_tile() {
    // Chapter 3's example 1, scaled: [6.6152, 13.2304, 19.8455].
    let q = array![[1.0, 0.0, 1.0]];
    let k = array![[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]];
    let v = array![[10.0, 20.0, 30.0], [1.0, 2.0, 3.0], [5.0, 10.0, 15.0]];
    for tile in 1..=4 {
        let out = tiled_attention(q.view(), k.view(), v.view(), tile).unwrap();
        for (got, want) in out.iter().zip([6.6152, 13.2304, 19.8455]) {
            assert!((got - want).abs() < 1e-4, "tile {tile}: {got}");
        }
    }
}

#[test]
fn ex_13_4_rejects_mismatched_shapes_and_empty_tiles() {
    let q = array![[1.0, 0.0, 1.0]];
    let k = array![[1.0, 0.0], [0.0, 1.0]];
    let v = array![[1.0], [2.0]];
    let err = tiled_attention(q.view(), k.view(), v.view(), 1)
        .unwrap_err()
        .to_string();
    assert!(
        names_shape(&err, &[1, 3]) && names_shape(&err, &[2, 2]),
        "{err}"
    );
    let q = array![[1.0, 0.0]];
    assert!(tiled_attention(q.view(), k.view(), v.view(), 0).is_err());
}
