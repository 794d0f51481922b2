//! Tests for chapter 4's code exercises. Run one exercise's tests with
//! `cargo test -p ch04-self-attention --test exercises ex_4_1`.

use attn_common::message::names_shape;
use ch04_self_attention::exercises::{
    context_by_loops, max_tokens_for_budget, most_attended,
};
use ch04_self_attention::self_attention::self_attention;
use ch04_self_attention::sentences::{animal, journey};
use ndarray::{Array2, array};

// Exercise 4.1

#[test]
fn ex_4_1_two_orthogonal_tokens() {
    // scores [1, 0]; weights [e/(e+1), 1/(e+1)] = [0.7310585786.., 0.26894..]
    let x = array![[1.0, 0.0], [0.0, 1.0]];
    let z = context_by_loops(x.view(), 0).unwrap();
    let e = std::f64::consts::E;
    assert!((z[0] - e / (e + 1.0)).abs() < 1e-12, "{z}");
    assert!((z[1] - 1.0 / (e + 1.0)).abs() < 1e-12, "{z}");
}

#[test]
fn ex_4_1_journey_matches_the_worked_example() {
    // Checked in Python: z_2 = [0.441865.., 0.651481.., 0.568308..].
    let z = context_by_loops(journey().x.view(), 1).unwrap();
    let want = [
        0.441_865_747_851_292,
        0.651_481_978_030_222,
        0.568_308_887_7,
    ];
    for (a, b) in z.iter().zip(want) {
        assert!((a - b).abs() < 1e-9, "{z}");
    }
}

#[test]
fn ex_4_1_every_row_matches_the_matrix_form() {
    for s in [journey(), animal()] {
        let all = self_attention(s.x.view()).unwrap();
        for i in 0..s.tokens.len() {
            let z = context_by_loops(s.x.view(), i).unwrap();
            for (a, b) in z.iter().zip(all.context.row(i)) {
                assert!((a - b).abs() < 1e-12, "row {i}: {z}");
            }
        }
    }
}

#[test]
fn ex_4_1_rejects_a_missing_query_and_an_empty_sequence() {
    let s = journey();
    let err = context_by_loops(s.x.view(), 6).unwrap_err().to_string();
    assert!(names_shape(&err, &[6, 3]), "{err}");
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(context_by_loops(empty.view(), 0).is_err());
}

// Exercise 4.2

#[test]
fn ex_4_2_skips_the_diagonal() {
    let w = array![[0.5, 0.2, 0.3], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]];
    // Row 1 ties between columns 0 and 2: the smaller index wins.
    assert_eq!(most_attended(w.view()).unwrap(), vec![2, 0, 0]);
}

#[test]
fn ex_4_2_journey() {
    // Checked in Python from the softmax of X X^T: Your -> journey,
    // journey -> starts, starts -> journey, with -> journey,
    // one -> starts, step -> journey.
    let w = self_attention(journey().x.view()).unwrap().weights;
    assert_eq!(most_attended(w.view()).unwrap(), vec![1, 2, 1, 1, 2, 1]);
}

#[test]
fn ex_4_2_it_attends_to_animal() {
    let s = animal();
    let w = self_attention(s.x.view()).unwrap().weights;
    let best = most_attended(w.view()).unwrap();
    assert_eq!(s.tokens[best[s.index_of("it").unwrap()]], "animal");
    // In turn, "animal" looks most at "it": they share two features.
    assert_eq!(s.tokens[best[s.index_of("animal").unwrap()]], "it");
}

#[test]
fn ex_4_2_rejects_non_square_and_single_token_weights() {
    let err = most_attended(array![[0.5, 0.5]].view())
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[1, 2]), "{err}");
    assert!(most_attended(array![[1.0]].view()).is_err());
    assert!(most_attended(array![[0.5, f64::NAN], [0.5, 0.5]].view()).is_err());
}

// Exercise 4.3

#[test]
fn ex_4_3_small_budgets() {
    assert_eq!(max_tokens_for_budget(400), 10); // 4 * 10^2 = 400
    assert_eq!(max_tokens_for_budget(399), 9); // 4 * 9^2 = 324
    assert_eq!(max_tokens_for_budget(144), 6); // the journey sentence
    assert_eq!(max_tokens_for_budget(3), 0);
    assert_eq!(max_tokens_for_budget(0), 0);
}

#[test]
fn ex_4_3_large_budgets() {
    assert_eq!(max_tokens_for_budget(1 << 30), 16_384); // 1 GiB = 4 * 2^28
    assert_eq!(max_tokens_for_budget(40_000_000_000), 100_000);
    assert_eq!(max_tokens_for_budget(39_999_999_999), 99_999);
    // floor(sqrt(2^62 - 1)) = 2^31 - 1, where an f64 square root says 2^31.
    assert_eq!(max_tokens_for_budget(u64::MAX), (1 << 31) - 1);
}
