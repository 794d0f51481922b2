//! The promises chapter 8 makes about `CrossAttention`: its errors, and
//! the properties the text claims, checked on random inputs.

use anyhow::Result;
use attn_common::rng::SplitMix64;
use ch05_trainable_weights::SelfAttention;
use ch08_cross_attention::{CrossAttention, cross_attention};
use ndarray::{Array2, Array3, Axis, s};
use proptest::prelude::*;

/// Entries of two matrices this close count as the same number: the same
/// sums, perhaps added in a different order.
const SAME: f64 = 1e-12;

fn close(a: &Array2<f64>, b: &Array2<f64>) -> bool {
    a.dim() == b.dim() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= SAME)
}

fn layer(d_in: usize, d_out: usize) -> CrossAttention {
    CrossAttention::random(d_in, d_out, &mut SplitMix64::new(8)).unwrap()
}

fn error<T: std::fmt::Debug>(result: Result<T>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn mismatched_widths_name_the_decoder_and_the_encoder() {
    let l = layer(3, 2);
    let err = error(
        l.forward(Array2::zeros((2, 3)).view(), Array2::zeros((4, 5)).view()),
    );
    assert!(err.contains("`decoder` has shape (2, 3)"), "{err}");
    assert!(err.contains("`encoder` has shape (4, 5)"), "{err}");
}

#[test]
fn a_width_other_than_d_in_names_the_projection() {
    let l = layer(3, 2);
    let err = error(
        l.forward(Array2::zeros((2, 4)).view(), Array2::zeros((5, 4)).view()),
    );
    assert!(err.contains("`decoder` has shape (2, 4)"), "{err}");
    assert!(err.contains("`w_q` has shape (3, 2)"), "{err}");
}

#[test]
fn an_empty_sequence_on_either_side_is_an_error() {
    let l = layer(3, 2);
    let full = Array2::zeros((2, 3));
    let empty = Array2::zeros((0, 3));
    let err = error(l.forward(empty.view(), full.view()));
    assert!(
        err.contains("`decoder` with shape (0, 3) is empty"),
        "{err}"
    );
    let err = error(l.forward(full.view(), empty.view()));
    assert!(
        err.contains("`encoder` with shape (0, 3) is empty"),
        "{err}"
    );
}

#[test]
fn non_finite_tokens_are_rejected_on_either_side() {
    let l = layer(2, 2);
    let good = Array2::zeros((3, 2));
    let mut bad = Array2::zeros((3, 2));
    bad[[2, 1]] = f64::INFINITY;
    let err = error(l.forward(bad.view(), good.view()));
    assert!(err.contains("`decoder` with shape (3, 2)"), "{err}");
    assert!(err.contains("at (2, 1)"), "{err}");
    let err = error(l.forward(good.view(), bad.view()));
    assert!(err.contains("`encoder` with shape (3, 2)"), "{err}");
}

#[test]
fn mismatched_batch_sizes_name_both_shapes() {
    let l = layer(3, 2);
    let err = error(l.forward_batch(
        Array3::zeros((2, 4, 3)).view(),
        Array3::zeros((3, 5, 3)).view(),
    ));
    assert!(err.contains("batch sizes"), "{err}");
    assert!(err.contains("`decoder` has shape (2, 4, 3)"), "{err}");
    assert!(err.contains("`encoder` has shape (3, 5, 3)"), "{err}");
}

#[test]
fn mismatched_batch_widths_name_both_shapes() {
    let l = layer(3, 2);
    let err = error(l.forward_batch(
        Array3::zeros((2, 4, 3)).view(),
        Array3::zeros((2, 5, 6)).view(),
    ));
    assert!(err.contains("(d_in)"), "{err}");
    assert!(err.contains("`decoder` has shape (2, 4, 3)"), "{err}");
    assert!(err.contains("`encoder` has shape (2, 5, 6)"), "{err}");
}

#[test]
fn empty_batches_and_empty_sequences_in_a_batch_are_errors() {
    let l = layer(3, 2);
    let full = Array3::zeros((2, 4, 3));
    for (dec, enc, name) in [
        (
            Array3::zeros((0, 4, 3)),
            full.clone(),
            "`decoder` with shape",
        ),
        (
            Array3::zeros((2, 0, 3)),
            full.clone(),
            "`decoder` with shape",
        ),
        (
            full.clone(),
            Array3::zeros((0, 5, 3)),
            "`encoder` with shape",
        ),
        (
            full.clone(),
            Array3::zeros((2, 0, 3)),
            "`encoder` with shape",
        ),
    ] {
        let err = error(l.forward_batch(dec.view(), enc.view()));
        assert!(err.contains(name) && err.contains("is empty"), "{err}");
    }
}

#[test]
fn a_non_finite_batch_entry_is_named() {
    let l = layer(3, 2);
    let dec = Array3::zeros((2, 4, 3));
    let mut enc = Array3::zeros((2, 5, 3));
    enc[[1, 3, 0]] = f64::NAN;
    let err = error(l.forward_batch(dec.view(), enc.view()));
    assert!(err.contains("`encoder` with shape (2, 5, 3)"), "{err}");
    assert!(err.contains("at (1, 3, 0)"), "{err}");
}

/// A random order of `0..n` (Fisher-Yates, driven by `rng`).
fn shuffled(n: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for j in (1..n).rev() {
        let pick = (rng.next_u64() % (j as u64 + 1)) as usize;
        order.swap(j, pick);
    }
    order
}

proptest! {
    #[test]
    fn cross_attention_of_a_sequence_with_itself_is_self_attention(
        t in 1usize..7, d_in in 1usize..6, d_out in 1usize..5,
        seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let projections = SelfAttention::random(d_in, d_out, &mut rng)
            .unwrap();
        let x = rng.normal_matrix(t, d_in);
        let own = projections.forward(x.view()).unwrap();
        let cross = CrossAttention::new(projections)
            .forward(x.view(), x.view())
            .unwrap();
        prop_assert!(close(&cross.scores, &own.scores));
        prop_assert!(close(&cross.weights, &own.weights));
        prop_assert!(close(&cross.context, &own.context));
    }

    #[test]
    fn each_decoder_token_spreads_weight_one_over_the_encoder(
        t_dec in 1usize..6, t_enc in 1usize..7, d_in in 1usize..5,
        d_out in 1usize..4, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let l = CrossAttention::random(d_in, d_out, &mut rng).unwrap();
        let dec = rng.normal_matrix(t_dec, d_in);
        let enc = rng.normal_matrix(t_enc, d_in);
        let out = l.forward(dec.view(), enc.view()).unwrap();
        prop_assert_eq!(out.weights.dim(), (t_dec, t_enc));
        prop_assert_eq!(out.context.dim(), (t_dec, d_out));
        prop_assert!(out.weights.iter().all(|&w| w >= 0.0));
        for row in out.weights.rows() {
            prop_assert!((row.sum() - 1.0).abs() < SAME);
        }
    }

    #[test]
    fn changing_decoder_token_i_changes_only_output_row_i(
        t_dec in 2usize..6, t_enc in 1usize..6, d_in in 1usize..5,
        d_out in 1usize..4, seed in any::<u64>(), pick in any::<usize>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let l = CrossAttention::random(d_in, d_out, &mut rng).unwrap();
        let dec = rng.normal_matrix(t_dec, d_in);
        let enc = rng.normal_matrix(t_enc, d_in);
        let i = pick % t_dec;
        let mut changed = dec.clone();
        changed.row_mut(i).assign(&rng.normal_matrix(1, d_in).row(0));
        let before = l.forward(dec.view(), enc.view()).unwrap();
        let after = l.forward(changed.view(), enc.view()).unwrap();
        let others: Vec<usize> = (0..t_dec).filter(|&r| r != i).collect();
        let keep = |m: &Array2<f64>| m.select(Axis(0), &others);
        prop_assert!(close(&keep(&before.weights), &keep(&after.weights)));
        prop_assert!(close(&keep(&before.context), &keep(&after.context)));
    }

    #[test]
    fn permuting_the_encoder_tokens_leaves_the_output_unchanged(
        t_dec in 1usize..5, t_enc in 1usize..7, d_in in 1usize..5,
        d_out in 1usize..4, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let l = CrossAttention::random(d_in, d_out, &mut rng).unwrap();
        let dec = rng.normal_matrix(t_dec, d_in);
        let enc = rng.normal_matrix(t_enc, d_in);
        let order = shuffled(t_enc, &mut rng);
        let reordered = enc.select(Axis(0), &order);
        let before = l.forward(dec.view(), enc.view()).unwrap();
        let after = l.forward(dec.view(), reordered.view()).unwrap();
        // Keys and values move together, so each weight moves with its
        // token and the weighted sum stays the same.
        let moved = before.weights.select(Axis(1), &order);
        prop_assert!(close(&after.weights, &moved));
        prop_assert!(close(&after.context, &before.context));
    }

    #[test]
    fn a_batch_is_its_examples_one_at_a_time(
        b in 1usize..4, t_dec in 1usize..5, t_enc in 1usize..6,
        d_in in 1usize..5, d_out in 1usize..4, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let l = CrossAttention::random(d_in, d_out, &mut rng).unwrap();
        let dec =
            Array3::from_shape_simple_fn((b, t_dec, d_in), || rng.normal());
        let enc =
            Array3::from_shape_simple_fn((b, t_enc, d_in), || rng.normal());
        let all = l.forward_batch(dec.view(), enc.view()).unwrap();
        prop_assert_eq!(all.dim(), (b, t_dec, d_out));
        for i in 0..b {
            let one = l
                .forward(dec.slice(s![i, .., ..]), enc.slice(s![i, .., ..]))
                .unwrap();
            let got = all.slice(s![i, .., ..]).to_owned();
            prop_assert!(close(&got, &one.context));
        }
    }

    #[test]
    fn identity_projections_give_plain_cross_attention(
        t_dec in 1usize..5, t_enc in 1usize..6, d in 1usize..5,
        seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let eye = || Array2::eye(d);
        let l = CrossAttention::new(
            SelfAttention::new(eye(), eye(), eye()).unwrap(),
        );
        let dec = rng.normal_matrix(t_dec, d);
        let enc = rng.normal_matrix(t_enc, d);
        let projected = l.forward(dec.view(), enc.view()).unwrap();
        let plain = cross_attention(dec.view(), enc.view()).unwrap();
        prop_assert!(close(&projected.weights, &plain.weights));
        prop_assert!(close(&projected.context, &plain.context));
    }
}
