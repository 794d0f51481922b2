//! Tests for chapter 6's exercises. Run one exercise's tests with
//! `cargo test -p ch06-causal-attention --test exercises ex_6_1`.

use attn_common::message::{names, names_shape};
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch05_trainable_weights::SelfAttention;
use ch06_causal_attention::exercises::{
    attend_prefix, padding_mask, sliding_window_mask,
};
use ch06_causal_attention::mask::both;
use ch06_causal_attention::worked::journey_layer;
use ch06_causal_attention::{causal_mask, masked_softmax};
use ndarray::{Array2, Axis, array};

/// Whether `err` holds the whole number `n` (not inside a larger one), as
/// the judge reads an error that must name a number.
fn names_number(err: &str, n: usize) -> bool {
    err.split(|c: char| !c.is_ascii_digit())
        .any(|d| d.parse() == Ok(n))
}

// Exercise 6.1: sliding_window_mask

#[test]
fn ex_6_1_a_window_of_two_sees_itself_and_one_before() {
    let expected = array![
        [true, false, false, false],
        [true, true, false, false],
        [false, true, true, false],
        [false, false, true, true],
    ];
    assert_eq!(sliding_window_mask(4, 2).unwrap(), expected);
}

#[test]
fn ex_6_1_a_window_of_one_sees_only_itself() {
    let eye = Array2::from_shape_fn((5, 5), |(i, j)| i == j);
    assert_eq!(sliding_window_mask(5, 1).unwrap(), eye);
}

#[test]
fn ex_6_1_a_wide_window_is_the_causal_mask() {
    for t in 1..7 {
        for w in [t, t + 1, 100] {
            assert_eq!(sliding_window_mask(t, w).unwrap(), causal_mask(t));
        }
    }
}

#[test]
fn ex_6_1_every_row_sees_min_of_its_position_and_w() {
    let m = sliding_window_mask(9, 3).unwrap();
    for (i, row) in m.rows().into_iter().enumerate() {
        let seen = row.iter().filter(|&&ok| ok).count();
        assert_eq!(seen, (i + 1).min(3), "row {i}");
    }
}

#[test]
fn ex_6_1_a_window_of_zero_is_an_error() {
    let err = sliding_window_mask(4, 0).unwrap_err().to_string();
    assert!(names(&err, "w = 0"), "{err}");
}

// Exercise 6.2: padding_mask

#[test]
fn ex_6_2_two_sequences_of_lengths_two_and_three() {
    let m = padding_mask(&[2, 3], 3).unwrap();
    assert_eq!(m.dim(), (2, 3, 3));
    for row in m.index_axis(Axis(0), 0).rows() {
        assert_eq!(row, array![true, true, false]);
    }
    for row in m.index_axis(Axis(0), 1).rows() {
        assert_eq!(row, array![true, true, true]);
    }
}

#[test]
fn ex_6_2_padding_keys_get_no_weight_under_a_causal_mask() {
    // Lengths 4 and 6 of T = 6: the journey sentence cut after "with".
    let mask = padding_mask(&[4, 6], 6).unwrap();
    let scores = Array2::from_shape_fn((6, 6), |(i, j)| (i * j) as f64 / 9.0);
    let allowed =
        both(causal_mask(6).view(), mask.index_axis(Axis(0), 0)).unwrap();
    let w = masked_softmax(scores.view(), allowed.view()).unwrap();
    for row in w.rows() {
        assert_eq!(row[4], 0.0);
        assert_eq!(row[5], 0.0);
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn ex_6_2_an_empty_sequence_hides_every_key() {
    let m = padding_mask(&[0, 2], 2).unwrap();
    assert!(m.index_axis(Axis(0), 0).iter().all(|&ok| !ok));
    let scores = Array2::<f64>::ones((2, 2));
    let w = masked_softmax(scores.view(), m.index_axis(Axis(0), 0)).unwrap();
    assert_eq!(w, Array2::<f64>::zeros((2, 2)));
}

#[test]
fn ex_6_2_bad_lengths_are_errors() {
    let err = padding_mask(&[3, 5], 4).unwrap_err().to_string();
    assert!(names_number(&err, 1) && names_number(&err, 5), "{err}");
    assert!(padding_mask(&[], 4).is_err());
}

// Exercise 6.3: attend_prefix

#[test]
fn ex_6_3_the_first_token_gets_its_own_value() {
    let layer = journey_layer(0.0).unwrap();
    let x = journey().x;
    let z = attend_prefix(layer.attention(), x.view(), 0).unwrap();
    let v = layer.attention().values(x.view()).unwrap();
    assert_eq!(z, v.row(0));
}

#[test]
fn ex_6_3_prefixes_match_causal_attention_on_the_journey() {
    let layer = journey_layer(0.0).unwrap();
    let x = journey().x;
    let causal = layer.forward(x.view(), None).unwrap();
    for t in 0..x.nrows() {
        let z = attend_prefix(layer.attention(), x.view(), t).unwrap();
        for (a, b) in z.iter().zip(causal.context.row(t)) {
            assert!((a - b).abs() < 1e-12, "position {t}: {a} vs {b}");
        }
    }
}

#[test]
fn ex_6_3_prefixes_match_causal_attention_on_random_inputs() {
    let mut rng = SplitMix64::new(66);
    for _ in 0..20 {
        let attention = SelfAttention::random(4, 3, &mut rng).unwrap();
        let x = rng.normal_matrix(7, 4);
        let layer = ch06_causal_attention::CausalAttention::new(attention, 0.0)
            .unwrap();
        let causal = layer.forward(x.view(), None).unwrap();
        for t in 0..7 {
            let z = attend_prefix(layer.attention(), x.view(), t).unwrap();
            for (a, b) in z.iter().zip(causal.context.row(t)) {
                assert!((a - b).abs() < 1e-12, "position {t}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn ex_6_3_a_position_past_the_end_is_an_error() {
    let layer = journey_layer(0.0).unwrap();
    let x = journey().x;
    let err = attend_prefix(layer.attention(), x.view(), 6)
        .unwrap_err()
        .to_string();
    assert!(names_number(&err, 6), "{err}");
    assert!(names_shape(&err, &[6, 3]), "{err}");
}
