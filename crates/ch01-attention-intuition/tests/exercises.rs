//! Tests for chapter 1's code exercises. Run one exercise's tests with
//! `cargo test -p ch01-attention-intuition --test exercises ex_1_1`.

use attn_common::message::{names, names_shape};
use ch01_attention_intuition::exercises::{
    nearest_lookup, soft_read_with_temperature,
};
use ch01_attention_intuition::worked::{
    ARAGORN, GOLLUM, aragorn_nudged, between_gollum_and_ring, story_memory,
};
use ndarray::array;

#[test]
fn ex_1_1_finds_every_stored_key() {
    let memory = story_memory().unwrap();
    for (i, key) in memory.keys().rows().into_iter().enumerate() {
        assert_eq!(nearest_lookup(&memory, key).unwrap(), i);
    }
}

#[test]
fn ex_1_1_forgives_a_nudge_the_exact_lookup_does_not() {
    // Scores of [0, 1, 0.1, 1, 0]: Rivendell 1, Gollum 1, the Ring 0.1,
    // Aragorn's lineage 2, Moria 0.1.
    let memory = story_memory().unwrap();
    let query = aragorn_nudged(&memory);
    assert_eq!(memory.hard_lookup(query.view()).unwrap(), None);
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), ARAGORN);
}

#[test]
fn ex_1_1_breaks_a_tie_towards_the_first_row() {
    // Halfway between Gollum (row 1) and the Ring (row 2): both score 1.5.
    let memory = story_memory().unwrap();
    let query = between_gollum_and_ring(&memory);
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), GOLLUM);
}

#[test]
fn ex_1_1_picks_the_largest_score_not_the_last_or_the_first() {
    let memory = story_memory().unwrap();
    // Scores: Rivendell 0, Gollum 0, the Ring 3, Aragorn's lineage 0,
    // Moria 3 - 2 = 1.
    let query = array![-2.0, 0.0, 3.0, 0.0, 0.0];
    assert_eq!(nearest_lookup(&memory, query.view()).unwrap(), 2);
}

#[test]
fn ex_1_1_rejects_a_query_of_the_wrong_width() {
    let memory = story_memory().unwrap();
    let err = nearest_lookup(&memory, array![1.0, 0.0].view())
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[5, 5]), "{err}");
}

#[test]
fn ex_1_2_temperature_one_is_the_plain_soft_read() {
    let memory = story_memory().unwrap();
    for query in [
        memory.keys().row(GOLLUM).to_owned(),
        between_gollum_and_ring(&memory),
        aragorn_nudged(&memory),
    ] {
        let plain = memory.soft_read(query.view()).unwrap();
        let warm =
            soft_read_with_temperature(&memory, query.view(), 1.0).unwrap();
        for (a, b) in plain.weights.iter().zip(&warm.weights) {
            assert!((a - b).abs() < 1e-15);
        }
        for (a, b) in plain.output.iter().zip(&warm.output) {
            assert!((a - b).abs() < 1e-15);
        }
    }
}

#[test]
fn ex_1_2_a_quarter_is_four_times_the_query() {
    // Dividing the scores by 1/4 multiplies them by 4, as a query four
    // times as loud does: Gollum scores 8, the Ring and Aragorn 4, the
    // others 0, so Gollum's weight is e^8 / (e^8 + 2 e^4 + 2) = 0.9640392135...
    let memory = story_memory().unwrap();
    let key = memory.keys().row(GOLLUM).to_owned();
    let cold = soft_read_with_temperature(&memory, key.view(), 0.25).unwrap();
    let loud = memory.soft_read((&key * 4.0).view()).unwrap();
    assert_eq!(cold.scores, loud.scores);
    for (a, b) in cold.weights.iter().zip(&loud.weights) {
        assert!((a - b).abs() < 1e-15);
    }
    for (a, b) in cold.output.iter().zip(&loud.output) {
        assert!((a - b).abs() < 1e-15);
    }
    assert!((cold.weights[GOLLUM] - 0.964_039_213_5).abs() < 1e-9);
}

#[test]
fn ex_1_2_a_hot_read_is_nearly_uniform() {
    let memory = story_memory().unwrap();
    let key = memory.keys().row(GOLLUM).to_owned();
    let hot = soft_read_with_temperature(&memory, key.view(), 1e6).unwrap();
    for w in &hot.weights {
        assert!((w - 0.2).abs() < 1e-5, "{w}");
    }
}

#[test]
fn ex_1_2_rejects_a_temperature_that_is_not_positive() {
    let memory = story_memory().unwrap();
    let key = memory.keys().row(GOLLUM).to_owned();
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = soft_read_with_temperature(&memory, key.view(), t)
            .unwrap_err()
            .to_string();
        assert!(names(&err, "temperature"), "{err}");
    }
}

#[test]
fn ex_1_2_rejects_a_query_of_the_wrong_width() {
    let memory = story_memory().unwrap();
    let err = soft_read_with_temperature(&memory, array![1.0].view(), 1.0)
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[1]), "{err}");
}
