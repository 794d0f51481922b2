//! Tests for chapter 15's exercises. Run one exercise's tests with
//! `cargo test -p ch15-induction-heads --test exercises ex_15_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment).

use ch15_induction_heads::exercises::{
    induction_score, next_token_loss, previous_token_score,
};
use ch15_induction_heads::{model, scores};
use ndarray::{Array2, array};
use proptest::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 15.1: previous_token_score

#[test]
fn ex_15_1_the_statement_example() {
    // One query after the first: weights[1][0] = 0.25.
    let w = array![[1.0, 0.0], [0.25, 0.75]];
    assert_eq!(previous_token_score(w.view()).unwrap(), 0.25);
}

#[test]
fn ex_15_1_averages_over_t_minus_1_queries() {
    // (0.5 + 0.25 + 1.0) / 3 = 0.5833...
    let w = array![
        [1.0, 0.0, 0.0, 0.0],
        [0.5, 0.5, 0.0, 0.0],
        [0.25, 0.25, 0.5, 0.0],
        [0.0, 0.0, 1.0, 0.0],
    ];
    let got = previous_token_score(w.view()).unwrap();
    assert!(close(got, 1.75 / 3.0, 1e-15), "{got}");
}

#[test]
fn ex_15_1_rejects_bad_maps_naming_the_shape() {
    let err = previous_token_score(Array2::zeros((2, 3)).view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("(2, 3)"), "{err}");
    assert!(previous_token_score(Array2::ones((1, 1)).view()).is_err());
    let nan = array![[1.0, 0.0], [f64::NAN, 1.0]];
    assert!(previous_token_score(nan.view()).is_err());
}

// Exercise 15.2: induction_score

#[test]
fn ex_15_2_the_statement_example() {
    // half 1: query 1 looks at 1 - 1 + 1 = 1, weight 0.5.
    let w = array![[1.0, 0.0], [0.5, 0.5]];
    assert_eq!(induction_score(w.view(), 1).unwrap(), 0.5);
}

#[test]
fn ex_15_2_a_partial_induction_head_on_half_3() {
    // Queries 3, 4, 5 look at 1, 2, 3 (the token after each first
    // occurrence) with weights 1, 0.5 and 0.75: mean 0.75.
    let mut w = Array2::zeros((6, 6));
    for i in 0..3 {
        w[[i, 0]] = 1.0;
    }
    w[[3, 1]] = 1.0;
    w[[4, 2]] = 0.5;
    w[[4, 0]] = 0.5;
    w[[5, 3]] = 0.75;
    w[[5, 5]] = 0.25;
    assert!(close(induction_score(w.view(), 3).unwrap(), 0.75, 1e-15));
}

#[test]
fn ex_15_2_rejects_a_half_that_is_not_half() {
    let err = induction_score(Array2::zeros((4, 4)).view(), 3)
        .unwrap_err()
        .to_string();
    assert!(err.contains("(4, 4)"), "{err}");
    assert!(induction_score(Array2::zeros((4, 4)).view(), 0).is_err());
    assert!(induction_score(Array2::zeros((4, 3)).view(), 2).is_err());
}

// Exercise 15.3: next_token_loss

#[test]
fn ex_15_3_the_statement_example() {
    // Two equal logits: softmax [0.5, 0.5], loss ln 2,
    // gradient [0.5, 0.5 - 1].
    let g = next_token_loss(array![0.0, 0.0].view(), 1).unwrap();
    assert!(close(g.loss, 2f64.ln(), 1e-15));
    assert_eq!(g.d_logits, array![0.5, -0.5]);
}

#[test]
fn ex_15_3_huge_logits_do_not_overflow() {
    // [1000, 0]: softmax [1, e^-1000] = [1, 0] in f64; target 0 costs 0.
    let g = next_token_loss(array![1000.0, 0.0].view(), 0).unwrap();
    assert!(g.loss.abs() < 1e-15 && g.d_logits.iter().all(|x| x.is_finite()));
    let err = next_token_loss(array![1.0, 2.0].view(), 2)
        .unwrap_err()
        .to_string();
    assert!(err.contains("(2,)"), "{err}");
}

proptest! {
    #[test]
    fn ex_15_scores_agree_with_the_chapter(
        half in 1usize..8, seed in any::<u64>(),
    ) {
        let t = 2 * half;
        let mut rng = attn_common::rng::SplitMix64::new(seed);
        let w = model::causal_softmax((rng.normal_matrix(t, t) * 2.0).view());
        prop_assert_eq!(
            induction_score(w.view(), half).unwrap(),
            scores::induction_score(w.view(), half).unwrap()
        );
        if t >= 2 {
            prop_assert_eq!(
                previous_token_score(w.view()).unwrap(),
                scores::previous_token_score(w.view()).unwrap()
            );
        }
    }

    #[test]
    fn ex_15_3_gradient_sums_to_zero_and_matches_the_model(
        logits in prop::collection::vec(-20.0f64..20.0, 1..12),
        pick in any::<usize>(),
    ) {
        let logits = ndarray::Array1::from(logits);
        let target = pick % logits.len();
        let g = next_token_loss(logits.view(), target).unwrap();
        prop_assert!(g.d_logits.sum().abs() < 1e-12);
        prop_assert!(g.loss >= 0.0);
        let (loss, _) = model::cross_entropy(logits.view(), target);
        prop_assert!(close(g.loss, loss, 1e-12));
    }
}
