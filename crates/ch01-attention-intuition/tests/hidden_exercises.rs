//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 1's exercises on other inputs than the visible
//! tests: other memories and queries, ties away from row 0, all-negative
//! scores, extreme temperatures, and random memories compared with a
//! formula computed here. Hand-computed values were checked with Python's
//! `math` module (the expression is in each comment).

use attn_common::rng::SplitMix64;
use ch01_attention_intuition::exercises::{
    nearest_lookup, soft_read_with_temperature,
};
use ch01_attention_intuition::memory::Memory;
use ch01_attention_intuition::worked::{GOLLUM, story_memory};
use ndarray::{Array1, array};

/// A random memory of `t` entries with keys and values uniform in
/// `[-3, 3)` (distinct keys with probability 1), and a random query.
fn random_memory_and_query(
    rng: &mut SplitMix64,
    t: usize,
    d_k: usize,
    d_v: usize,
) -> (Memory, Array1<f64>) {
    let names: Vec<String> = (0..t).map(|i| format!("m{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let keys = rng.uniform_matrix(t, d_k, -3.0, 3.0);
    let values = rng.uniform_matrix(t, d_v, -3.0, 3.0);
    let memory = Memory::new(&names, keys, values).unwrap();
    let query = rng.uniform_matrix(1, d_k, -3.0, 3.0).row(0).to_owned();
    (memory, query)
}

// Exercise 1.1: nearest_lookup

#[test]
fn ex_1_1_matches_the_first_arg_max_on_random_memories() {
    // The arg-max is computed here from `Memory::scores`, which is not
    // part of the exercise.
    let mut rng = SplitMix64::new(101);
    for (t, d_k) in [(1, 1), (2, 3), (5, 2), (8, 4), (13, 6)] {
        for _ in 0..10 {
            let (memory, query) = random_memory_and_query(&mut rng, t, d_k, 2);
            let scores = memory.scores(query.view()).unwrap();
            let mut want = 0;
            for i in 1..t {
                if scores[i] > scores[want] {
                    want = i;
                }
            }
            let got = nearest_lookup(&memory, query.view()).unwrap();
            assert_eq!(got, want, "scores {scores}");
        }
    }
}

#[test]
fn ex_1_1_all_negative_scores_still_pick_the_largest() {
    // Scores of [-1, -2]: row 0 -1 - 2 = -3, row 1 -2, row 2 -1. Every
    // score is below 0, so a search that starts from a best score of 0
    // finds nothing; the answer is row 2.
    let memory = Memory::new(
        &["a", "b", "c"],
        array![[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
        array![[1.0], [2.0], [3.0]],
    )
    .unwrap();
    let query = array![-1.0, -2.0];
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), 2);
    // A one-entry memory has only row 0, whatever its (negative) score.
    let single =
        Memory::new(&["only"], array![[2.0, -1.0]], array![[5.0]]).unwrap();
    let query = array![-4.0, 3.0]; // score -8 - 3 = -11
    assert_eq!(nearest_lookup(&single, query.view()).unwrap(), 0);
}

#[test]
fn ex_1_1_ties_go_to_the_first_tied_row_not_the_last() {
    let memory = story_memory().unwrap();
    // Query [0, 0, 1, -1, 0] against the story keys: Rivendell -1,
    // Gollum 0, the Ring 1, Aragorn's lineage -1, Moria 1. The Ring
    // (row 2) and Moria (row 4) tie for the top: row 2 wins.
    let query = array![0.0, 0.0, 1.0, -1.0, 0.0];
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), 2);
    // The zero query scores 0 against every key: a five-way tie, row 0.
    let zero = Array1::<f64>::zeros(5);
    assert_eq!(nearest_lookup(&memory, zero.view()).unwrap(), 0);
    // Query [-1, 0, 0, 1, 1]: Rivendell 0, Gollum 1, the Ring 1,
    // Aragorn's lineage 1, Moria -1: a three-way tie from row 1.
    let query = array![-1.0, 0.0, 0.0, 1.0, 1.0];
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), 1);
}

#[test]
fn ex_1_1_rejects_non_finite_and_empty_queries() {
    let memory = story_memory().unwrap();
    let err =
        nearest_lookup(&memory, array![0.0, f64::NAN, 0.0, 0.0, 0.0].view())
            .unwrap_err()
            .to_string();
    assert!(err.contains("`query` with shape (5,)"), "{err}");
    let err = nearest_lookup(&memory, Array1::<f64>::zeros(0).view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("is empty"), "{err}");
    let too_wide = Array1::<f64>::ones(6);
    assert!(nearest_lookup(&memory, too_wide.view()).is_err());
}

// Exercise 1.2: soft_read_with_temperature

#[test]
fn ex_1_2_matches_the_formula_on_random_memories() {
    // scores_i = (k_i . q) / tau, weights = exp(s_i - max s) / sum_j
    // exp(s_j - max s), output = sum_i w_i v_i, all computed here with
    // loops.
    let mut rng = SplitMix64::new(202);
    for (t, d_k, d_v) in [(1, 2, 1), (3, 1, 2), (6, 4, 3), (9, 5, 2)] {
        for tau in [0.05, 0.3, 1.7, 25.0] {
            let (memory, query) =
                random_memory_and_query(&mut rng, t, d_k, d_v);
            let keys = memory.keys();
            let values = memory.values();
            let scores: Vec<f64> = (0..t)
                .map(|i| {
                    (0..d_k).map(|c| keys[[i, c]] * query[c]).sum::<f64>() / tau
                })
                .collect();
            let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let exps: Vec<f64> =
                scores.iter().map(|s| (s - max).exp()).collect();
            let total: f64 = exps.iter().sum();
            let weights: Vec<f64> = exps.iter().map(|e| e / total).collect();
            let read =
                soft_read_with_temperature(&memory, query.view(), tau).unwrap();
            assert_eq!(read.scores.len(), t);
            assert_eq!(read.weights.len(), t);
            assert_eq!(read.output.len(), d_v);
            for i in 0..t {
                let tol = 1e-12 * (1.0 + scores[i].abs());
                assert!((read.scores[i] - scores[i]).abs() <= tol, "tau {tau}");
                assert!((read.weights[i] - weights[i]).abs() <= 1e-12);
            }
            for d in 0..d_v {
                let want: f64 =
                    (0..t).map(|i| weights[i] * values[[i, d]]).sum();
                assert!((read.output[d] - want).abs() <= 1e-12, "tau {tau}");
            }
        }
    }
}

#[test]
fn ex_1_2_two_entries_at_temperature_one_half() {
    // Keys [1, 0] and [0, 1], values 2 and 4, query [1, 0]: scores [1, 0]
    // divided by 1/2 are [2, 0]. Python: w = [e^2 / (e^2 + 1),
    // 1 / (e^2 + 1)] = [0.8807970779778825, 0.11920292202211757], and
    // the output 2 w_0 + 4 w_1 = 2.2384058440442356.
    let memory = Memory::new(
        &["a", "b"],
        array![[1.0, 0.0], [0.0, 1.0]],
        array![[2.0], [4.0]],
    )
    .unwrap();
    let read =
        soft_read_with_temperature(&memory, array![1.0, 0.0].view(), 0.5)
            .unwrap();
    assert_eq!(read.scores, array![2.0, 0.0]);
    assert!((read.weights[0] - 0.880_797_077_977_882_5).abs() < 1e-15);
    assert!((read.weights[1] - 0.119_202_922_022_117_57).abs() < 1e-15);
    assert!((read.output[0] - 2.238_405_844_044_235_6).abs() < 1e-14);
}

#[test]
fn ex_1_2_a_tiny_temperature_is_the_exact_lookup() {
    // Gollum's key scores [0, 2, 1, 1, 0] against the story keys; divided
    // by 1e-3 that is [0, 2000, 1000, 1000, 0]. e^(-1000) underflows to 0,
    // so the weights are exactly one-hot on Gollum and the read is
    // Gollum's value. A softmax without the max subtracted overflows
    // (e^2000 = inf) and gives NaN.
    let memory = story_memory().unwrap();
    let key = memory.keys().row(GOLLUM).to_owned();
    let read = soft_read_with_temperature(&memory, key.view(), 1e-3).unwrap();
    assert_eq!(read.scores, array![0.0, 2000.0, 1000.0, 1000.0, 0.0]);
    assert_eq!(read.weights, array![0.0, 1.0, 0.0, 0.0, 0.0]);
    let hard = memory.hard_lookup(key.view()).unwrap().unwrap();
    assert_eq!(read.output, hard.output);
}

#[test]
fn ex_1_2_rejects_minus_zero_minus_infinity_and_a_bad_query() {
    let memory = story_memory().unwrap();
    let key = memory.keys().row(GOLLUM).to_owned();
    for t in [-0.0, f64::NEG_INFINITY, -1e-300] {
        let err = soft_read_with_temperature(&memory, key.view(), t)
            .unwrap_err()
            .to_string();
        assert!(err.contains("temperature"), "{t}: {err}");
    }
    // A good temperature does not excuse a non-finite query.
    let bad = array![0.0, 1.0, f64::INFINITY, 0.0, 0.0];
    let err = soft_read_with_temperature(&memory, bad.view(), 2.0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`query` with shape (5,)"), "{err}");
}
