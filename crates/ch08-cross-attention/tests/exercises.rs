//! Tests for chapter 8's exercises. Run one exercise's tests with
//! `cargo test -p ch08-cross-attention --test exercises ex_8_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment) and checked with Python's `math` module.

use attn_common::message::names_shape;
use attn_common::rng::SplitMix64;
use ch05_trainable_weights::SelfAttention;
use ch08_cross_attention::exercises::{hard_alignment, padded_cross_attention};
use ch08_cross_attention::translation::hello_world;
use ch08_cross_attention::{CrossAttention, cross_attention};
use ndarray::{Array2, Array3, array, s};

// Exercise 8.1: hard_alignment

#[test]
fn ex_8_1_example_five_aligns_word_for_word() {
    // Example 5's weights: Bonjour gives Hello 0.7429, monde gives world
    // 0.6944 (Python: softmax of [3.66, 0.96, 0.2] / sqrt(3) and of
    // [0.92, 3.26, 0.3] / sqrt(3)).
    let t = hello_world();
    let out = cross_attention(t.decoder.view(), t.encoder.view()).unwrap();
    let alignment = hard_alignment(out.weights.view(), 0.5).unwrap();
    assert_eq!(alignment, vec![Some(0), Some(1)]);
}

#[test]
fn ex_8_1_a_weak_top_weight_gives_no_alignment() {
    // 0.7429 >= 0.72 but 0.6944 < 0.72.
    let t = hello_world();
    let out = cross_attention(t.decoder.view(), t.encoder.view()).unwrap();
    let alignment = hard_alignment(out.weights.view(), 0.72).unwrap();
    assert_eq!(alignment, vec![Some(0), None]);
}

#[test]
fn ex_8_1_ties_go_to_the_first_encoder_token() {
    let weights = array![[0.7, 0.2, 0.1], [0.4, 0.4, 0.2], [0.1, 0.3, 0.6]];
    assert_eq!(
        hard_alignment(weights.view(), 0.5).unwrap(),
        vec![Some(0), None, Some(2)]
    );
    assert_eq!(
        hard_alignment(weights.view(), 0.4).unwrap(),
        vec![Some(0), Some(0), Some(2)]
    );
    // With threshold 0 every row is aligned to its arg-max.
    assert_eq!(
        hard_alignment(weights.view(), 0.0).unwrap(),
        vec![Some(0), Some(0), Some(2)]
    );
}

#[test]
fn ex_8_1_rejects_bad_input() {
    let weights = array![[0.5, 0.5]];
    assert!(hard_alignment(weights.view(), 1.5).is_err());
    assert!(hard_alignment(weights.view(), -0.1).is_err());
    assert!(hard_alignment(weights.view(), f64::NAN).is_err());
    assert!(hard_alignment(Array2::zeros((0, 2)).view(), 0.5).is_err());
    let err = hard_alignment(array![[f64::NAN, 1.0]].view(), 0.5)
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[1, 2]), "{err}");
}

// Exercise 8.2: padded_cross_attention

/// A layer with W_q = W_k = W_v = [[1]], so queries, keys and values are
/// the inputs themselves.
fn one_by_one() -> CrossAttention {
    let one = || array![[1.0]];
    CrossAttention::new(SelfAttention::new(one(), one(), one()).unwrap())
}

#[test]
fn ex_8_2_padding_gets_no_weight() {
    // The query 0 scores 0 against every key, so the two real keys share
    // the weight equally: context = (1 + 3) / 2 = 2. The padded 99 would
    // pull it to (1 + 3 + 99) / 3 = 34.3333 if it were not masked.
    let out = padded_cross_attention(
        &one_by_one(),
        array![[[0.0]]].view(),
        array![[[1.0], [3.0], [99.0]]].view(),
        &[2],
    )
    .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].weights, array![[0.5, 0.5, 0.0]]);
    assert_eq!(out[0].context, array![[2.0]]);
    assert_eq!(out[0].scores[[0, 2]], f64::NEG_INFINITY);
}

#[test]
fn ex_8_2_each_example_matches_its_unpadded_sentence() {
    let mut rng = SplitMix64::new(21);
    let layer = CrossAttention::random(3, 2, &mut rng).unwrap();
    let decoder = Array3::from_shape_simple_fn((3, 2, 3), || rng.normal());
    let encoder = Array3::from_shape_simple_fn((3, 5, 3), || rng.normal());
    let lengths = [3, 5, 1];
    let out = padded_cross_attention(
        &layer,
        decoder.view(),
        encoder.view(),
        &lengths,
    )
    .unwrap();
    for (b, &len) in lengths.iter().enumerate() {
        let alone = layer
            .forward(
                decoder.slice(s![b, .., ..]),
                encoder.slice(s![b, ..len, ..]),
            )
            .unwrap();
        let real = out[b].weights.slice(s![.., ..len]);
        for (x, y) in real.iter().zip(&alone.weights) {
            assert!((x - y).abs() < 1e-12, "example {b}: {x} vs {y}");
        }
        assert!(
            out[b]
                .weights
                .slice(s![.., len..])
                .iter()
                .all(|&w| w == 0.0)
        );
        for (x, y) in out[b].context.iter().zip(&alone.context) {
            assert!((x - y).abs() < 1e-12, "example {b}: {x} vs {y}");
        }
    }
}

#[test]
fn ex_8_2_the_padding_values_do_not_matter() {
    let mut rng = SplitMix64::new(4);
    let layer = CrossAttention::random(2, 2, &mut rng).unwrap();
    let decoder = Array3::from_shape_simple_fn((1, 3, 2), || rng.normal());
    let mut encoder = Array3::from_shape_simple_fn((1, 4, 2), || rng.normal());
    let before =
        padded_cross_attention(&layer, decoder.view(), encoder.view(), &[2])
            .unwrap();
    encoder.slice_mut(s![0, 2.., ..]).fill(1000.0);
    let after =
        padded_cross_attention(&layer, decoder.view(), encoder.view(), &[2])
            .unwrap();
    assert_eq!(before[0].weights, after[0].weights);
    assert_eq!(before[0].context, after[0].context);
}

#[test]
fn ex_8_2_rejects_bad_lengths_and_shapes() {
    let layer = one_by_one();
    let dec = Array3::<f64>::zeros((2, 1, 1));
    let enc = Array3::<f64>::zeros((2, 3, 1));
    let run = |d: &Array3<f64>, e: &Array3<f64>, lengths: &[usize]| {
        padded_cross_attention(&layer, d.view(), e.view(), lengths)
    };
    assert!(
        run(&dec, &enc, &[3]).is_err(),
        "one length for two examples"
    );
    assert!(run(&dec, &enc, &[3, 0]).is_err(), "nothing to attend to");
    let err = run(&dec, &enc, &[4, 3]).unwrap_err().to_string();
    assert!(names_shape(&err, &[2, 3, 1]), "longer than T_enc: {err}");
    let three = Array3::<f64>::zeros((3, 3, 1));
    assert!(run(&dec, &three, &[3, 3]).is_err(), "batch sizes differ");
    let wide = Array3::<f64>::zeros((2, 3, 2));
    assert!(run(&dec, &wide, &[3, 3]).is_err(), "widths differ");
    let mut bad = enc.clone();
    bad[[1, 2, 0]] = f64::NAN;
    assert!(run(&dec, &bad, &[3, 2]).is_err(), "NaN even in the padding");
    assert!(run(&dec, &enc, &[3, 3]).is_ok());
}
