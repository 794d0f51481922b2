//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 8's exercises on other inputs than the visible
//! tests: random weight matrices of other shapes (one encoder token, one
//! decoder token, wide and tall) compared with an arg-max written out
//! here, ties away from the first column, thresholds of exactly 0 and 1
//! and weights one ulp apart, padded batches compared with a masked
//! softmax computed with loops here and with `forward_batch`, length-1
//! sentences, large magnitudes, and bad lengths and shapes the visible
//! tests do not try. Hand-computed values were checked with Python's
//! `math` module (the expression is in each comment).

use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::softmax_rows;
use ch05_trainable_weights::SelfAttention;
use ch08_cross_attention::CrossAttention;
use ch08_cross_attention::exercises::{hard_alignment, padded_cross_attention};
use ndarray::{Array2, Array3, ArrayView2, array, s};
use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// Exercise 8.1: hard_alignment

/// The arg-max of every row (first column on a tie), kept when its weight
/// reaches `threshold`: the definition, written out with loops.
fn expected_alignment(
    weights: ArrayView2<f64>,
    threshold: f64,
) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    for r in 0..weights.nrows() {
        let mut best = 0;
        for c in 1..weights.ncols() {
            if weights[[r, c]] > weights[[r, best]] {
                best = c;
            }
        }
        out.push((weights[[r, best]] >= threshold).then_some(best));
    }
    out
}

#[test]
fn ex_8_1_matches_the_arg_max_on_random_weights() {
    // Softmax rows of random scores, on shapes the visible tests do not
    // use: one encoder token, one decoder token, tall and wide matrices.
    let mut rng = SplitMix64::new(81);
    for (t_dec, t_enc) in [(1, 1), (4, 1), (1, 6), (7, 3), (2, 9), (5, 5)] {
        for scale in [0.3, 1.0, 3.0] {
            let scores = rng.normal_matrix(t_dec, t_enc).mapv(|x| x * scale);
            let weights = softmax_rows(scores.view()).unwrap();
            for threshold in [0.0, 0.2, 0.35, 0.5, 0.8, 1.0] {
                let got = hard_alignment(weights.view(), threshold).unwrap();
                let want = expected_alignment(weights.view(), threshold);
                assert_eq!(got.len(), t_dec);
                assert_eq!(got, want, "({t_dec}, {t_enc}), {threshold}");
            }
        }
    }
}

#[test]
fn ex_8_1_one_encoder_token_is_always_the_source() {
    // A single column holds weight 1 (softmax of one score is exactly
    // e^0 / e^0 = 1), which reaches even the threshold 1.
    let weights = Array2::from_elem((5, 1), 1.0);
    for threshold in [0.0, 0.5, 1.0] {
        assert_eq!(
            hard_alignment(weights.view(), threshold).unwrap(),
            vec![Some(0); 5]
        );
    }
}

#[test]
fn ex_8_1_later_ties_inclusive_thresholds_and_one_ulp_apart() {
    // Rows: a tie between columns 1 and 2 (column 1 wins), four equal
    // weights (column 0), a tie in the middle (column 1), one-hot at the
    // last column.
    let weights = array![
        [0.1, 0.45, 0.45, 0.0],
        [0.25, 0.25, 0.25, 0.25],
        [0.2, 0.3, 0.3, 0.2],
        [0.0, 0.0, 0.0, 1.0],
    ];
    // The threshold is inclusive: 0.45 >= 0.45, 0.25 >= 0.25.
    assert_eq!(
        hard_alignment(weights.view(), 0.25).unwrap(),
        vec![Some(1), Some(0), Some(1), Some(3)]
    );
    assert_eq!(
        hard_alignment(weights.view(), 0.45).unwrap(),
        vec![Some(1), None, None, Some(3)]
    );
    // Just above 0.45 only the one-hot row is left; 1.0 >= 1.0 keeps it.
    assert_eq!(
        hard_alignment(weights.view(), 0.450_000_1).unwrap(),
        vec![None, None, None, Some(3)]
    );
    assert_eq!(
        hard_alignment(weights.view(), 1.0).unwrap(),
        vec![None, None, None, Some(3)]
    );
    // 0.4999999999999999 < 0.5 < 0.5000000000000001 (one ulp either side
    // of 0.5; Python: the two literals sum to 1.0): not a tie, column 1
    // wins and reaches 0.5; in the other order column 1 loses.
    let near = array![[0.499_999_999_999_999_9, 0.500_000_000_000_000_1]];
    assert_eq!(hard_alignment(near.view(), 0.5).unwrap(), vec![Some(1)]);
    let near = array![[0.500_000_000_000_000_1, 0.499_999_999_999_999_9]];
    assert_eq!(hard_alignment(near.view(), 0.5).unwrap(), vec![Some(0)]);
    // A long row whose largest weight is the very last one.
    let mut long = Array2::from_elem((1, 1000), 0.999 / 999.0);
    long[[0, 999]] = 0.001 + 0.999 / 999.0;
    assert_eq!(hard_alignment(long.view(), 0.0).unwrap(), vec![Some(999)]);
    assert_eq!(hard_alignment(long.view(), 0.01).unwrap(), vec![None]);
}

#[test]
fn ex_8_1_rejects_other_bad_input_and_accepts_both_ends() {
    let weights = array![[0.3, 0.7], [0.6, 0.4]];
    // Thresholds just outside [0, 1] and infinite ones.
    assert!(hard_alignment(weights.view(), 1.000_000_000_001).is_err());
    assert!(hard_alignment(weights.view(), -1e-300).is_err());
    assert!(hard_alignment(weights.view(), f64::INFINITY).is_err());
    assert!(hard_alignment(weights.view(), f64::NEG_INFINITY).is_err());
    // Infinite weights, and a matrix with rows but no columns.
    let inf = array![[0.5, 0.5], [f64::INFINITY, 0.0]];
    assert!(hard_alignment(inf.view(), 0.5).is_err());
    let minus_inf = array![[f64::NEG_INFINITY, 1.0]];
    assert!(hard_alignment(minus_inf.view(), 0.5).is_err());
    assert!(hard_alignment(Array2::zeros((3, 0)).view(), 0.5).is_err());
    // Both ends of [0, 1] are allowed.
    assert_eq!(
        hard_alignment(weights.view(), 0.0).unwrap(),
        vec![Some(1), Some(0)]
    );
    assert_eq!(
        hard_alignment(weights.view(), 1.0).unwrap(),
        vec![None, None]
    );
}

// Exercise 8.2: padded_cross_attention

/// Masked cross-attention for one example, written out with loops:
/// scores `q_i . k_j / sqrt(d_out)` for `j < len` and `-inf` after,
/// softmax over the real columns only, context `sum_j w_ij v_j`.
fn reference(
    layer: &CrossAttention,
    decoder: ArrayView2<f64>,
    encoder: ArrayView2<f64>,
    len: usize,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let p = layer.projections();
    let q = decoder.dot(&p.w_q());
    let k = encoder.dot(&p.w_k());
    let v = encoder.dot(&p.w_v());
    let (t_dec, t_enc, d_out) = (q.nrows(), k.nrows(), layer.d_out());
    let mut scores = Array2::from_elem((t_dec, t_enc), f64::NEG_INFINITY);
    let mut weights = Array2::zeros((t_dec, t_enc));
    let mut context = Array2::zeros((t_dec, d_out));
    for i in 0..t_dec {
        for j in 0..len {
            let dot: f64 = (0..d_out).map(|d| q[[i, d]] * k[[j, d]]).sum();
            scores[[i, j]] = dot / (d_out as f64).sqrt();
        }
        let max =
            (0..len).fold(f64::NEG_INFINITY, |m, j| m.max(scores[[i, j]]));
        let total: f64 = (0..len).map(|j| (scores[[i, j]] - max).exp()).sum();
        for j in 0..len {
            weights[[i, j]] = (scores[[i, j]] - max).exp() / total;
            for d in 0..d_out {
                context[[i, d]] += weights[[i, j]] * v[[j, d]];
            }
        }
    }
    (scores, weights, context)
}

#[test]
fn ex_8_2_hand_computed_batch_with_d_out_two() {
    // W_q = I, W_k = [[1, 1], [0, 1]], W_v = [[1, 0], [1, 2]].
    let layer = CrossAttention::new(
        SelfAttention::new(
            array![[1.0, 0.0], [0.0, 1.0]],
            array![[1.0, 1.0], [0.0, 1.0]],
            array![[1.0, 0.0], [1.0, 2.0]],
        )
        .unwrap(),
    );
    let decoder = array![[[1.0, 0.0], [0.0, 2.0]], [[0.5, -1.0], [2.0, 1.0]]];
    let encoder = array![
        [[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]],
        [[1.0, 1.0], [-1.0, 0.0], [0.0, 2.0]],
    ];
    let out =
        padded_cross_attention(&layer, decoder.view(), encoder.view(), &[2, 1])
            .unwrap();
    assert_eq!(out.len(), 2);
    for o in &out {
        assert_eq!(o.scores.dim(), (2, 3));
        assert_eq!(o.weights.dim(), (2, 3));
        assert_eq!(o.context.dim(), (2, 2));
    }
    // Example 0, length 2: K = [[1, 1], [0, 1]], V = [[1, 0], [1, 2]].
    // Query [1, 0] scores [1, 0] / sqrt(2) = [0.7071067811865475, 0]:
    // w = 1 / (1 + e^-(1/sqrt 2)) = 0.6697615493266569 and
    // 0.3302384506733431, context [1, 2 * 0.3302384506733431]
    // = [1, 0.6604769013466862]. Query [0, 2] scores [2, 2] / sqrt(2):
    // a tie, weights [0.5, 0.5], context [1, 1].
    let o = &out[0];
    // 1 / sqrt(2) and 2 / sqrt(2) are FRAC_1_SQRT_2 and SQRT_2.
    assert!(close(o.scores[[0, 0]], FRAC_1_SQRT_2, 1e-15));
    assert!(close(o.scores[[0, 1]], 0.0, 1e-15));
    assert!(close(o.scores[[1, 0]], SQRT_2, 1e-15));
    assert!(close(o.scores[[1, 1]], SQRT_2, 1e-15));
    assert_eq!(o.scores[[0, 2]], f64::NEG_INFINITY);
    assert_eq!(o.scores[[1, 2]], f64::NEG_INFINITY);
    let want_w = array![
        [0.669_761_549_326_656_9, 0.330_238_450_673_343_1, 0.0],
        [0.5, 0.5, 0.0],
    ];
    for (w, e) in o.weights.iter().zip(&want_w) {
        assert!(close(*w, *e, 1e-15), "{w} vs {e}");
    }
    let want_c = array![[1.0, 0.660_476_901_346_686_2], [1.0, 1.0]];
    for (c, e) in o.context.iter().zip(&want_c) {
        assert!(close(*c, *e, 1e-14), "{c} vs {e}");
    }
    assert_eq!(o.weights[[0, 2]], 0.0);
    // Example 1, length 1: only k_0 = [1, 1] W_k = [1, 2] is real, so both
    // weights rows are [1, 0, 0] and both contexts are v_0 = [1, 1] W_v
    // = [2, 2]; the scores are [0.5, -1] . [1, 2] / sqrt(2) = -1.5 / sqrt 2
    // = -1.0606601717798212 and [2, 1] . [1, 2] / sqrt(2) = 4 / sqrt 2
    // = 2.82842712474619.
    let o = &out[1];
    assert_eq!(o.weights, array![[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]);
    assert_eq!(o.context, array![[2.0, 2.0], [2.0, 2.0]]);
    assert!(close(o.scores[[0, 0]], -1.060_660_171_779_821_2, 1e-15));
    assert!(close(o.scores[[1, 0]], 2.828_427_124_746_19, 1e-15));
    assert!(
        o.scores
            .slice(s![.., 1..])
            .iter()
            .all(|&x| x == f64::NEG_INFINITY)
    );
}

#[test]
fn ex_8_2_matches_a_masked_softmax_written_out_here() {
    // d_in = 4, d_out = 3 (so the scale is 1/sqrt(d_out), not 1/sqrt(d_in)),
    // lengths from 1 to T_enc in an order the visible tests do not use.
    let mut rng = SplitMix64::new(82);
    let layer = CrossAttention::random(4, 3, &mut rng).unwrap();
    let decoder = Array3::from_shape_simple_fn((4, 3, 4), || rng.normal());
    let encoder = Array3::from_shape_simple_fn((4, 6, 4), || rng.normal());
    let lengths = [6, 1, 4, 2];
    let out = padded_cross_attention(
        &layer,
        decoder.view(),
        encoder.view(),
        &lengths,
    )
    .unwrap();
    assert_eq!(out.len(), 4);
    for (b, &len) in lengths.iter().enumerate() {
        let (scores, weights, context) = reference(
            &layer,
            decoder.slice(s![b, .., ..]),
            encoder.slice(s![b, .., ..]),
            len,
        );
        let o = &out[b];
        assert_eq!(o.scores.dim(), (3, 6));
        assert_eq!(o.weights.dim(), (3, 6));
        assert_eq!(o.context.dim(), (3, 3));
        for ((x, y), (w, v)) in o
            .scores
            .iter()
            .zip(&scores)
            .zip(o.weights.iter().zip(&weights))
        {
            if *y == f64::NEG_INFINITY {
                assert_eq!(*x, f64::NEG_INFINITY, "example {b}");
                assert_eq!(*w, 0.0, "example {b}");
            } else {
                assert!(close(*x, *y, 1e-12), "example {b}: {x} vs {y}");
                assert!(close(*w, *v, 1e-12), "example {b}: {w} vs {v}");
            }
        }
        for row in o.weights.rows() {
            assert!(close(row.sum(), 1.0, 1e-12), "example {b}");
        }
        for (x, y) in o.context.iter().zip(&context) {
            assert!(close(*x, *y, 1e-12), "example {b}: {x} vs {y}");
        }
    }
}

#[test]
fn ex_8_2_full_lengths_agree_with_forward_batch() {
    // With no padding at all the result is plain cross-attention: the
    // contexts are `forward_batch`'s and no score is -inf. One decoder
    // token, d_in = 2, d_out = 5.
    let mut rng = SplitMix64::new(83);
    let layer = CrossAttention::random(2, 5, &mut rng).unwrap();
    let decoder = Array3::from_shape_simple_fn((3, 1, 2), || rng.normal());
    let encoder = Array3::from_shape_simple_fn((3, 3, 2), || rng.normal());
    let out =
        padded_cross_attention(&layer, decoder.view(), encoder.view(), &[3; 3])
            .unwrap();
    let batch = layer.forward_batch(decoder.view(), encoder.view()).unwrap();
    assert_eq!(out.len(), 3);
    for (b, o) in out.iter().enumerate() {
        assert!(o.scores.iter().all(|x| x.is_finite()), "example {b}");
        assert!(o.weights.iter().all(|&w| w > 0.0), "example {b}");
        assert_eq!(o.context.dim(), (1, 5));
        for (x, y) in o.context.iter().zip(batch.slice(s![b, .., ..])) {
            assert!(close(*x, *y, 1e-12), "example {b}: {x} vs {y}");
        }
    }
}

#[test]
fn ex_8_2_large_magnitudes_and_length_one() {
    // Inputs 40 times larger give scores in the hundreds; the padding is
    // 1e6. Each example must still equal `forward` on its real tokens, and
    // a length-1 example puts weight exactly 1 on its first token, whose
    // value is then every decoder token's context.
    let mut rng = SplitMix64::new(84);
    let layer = CrossAttention::random(3, 3, &mut rng).unwrap();
    let decoder =
        Array3::from_shape_simple_fn((2, 4, 3), || 40.0 * rng.normal());
    let mut encoder =
        Array3::from_shape_simple_fn((2, 5, 3), || 40.0 * rng.normal());
    let lengths = [1, 3];
    for (b, &len) in lengths.iter().enumerate() {
        encoder.slice_mut(s![b, len.., ..]).fill(1e6);
    }
    let out = padded_cross_attention(
        &layer,
        decoder.view(),
        encoder.view(),
        &lengths,
    )
    .unwrap();
    let max_score = out[1]
        .scores
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0, |m: f64, x| m.max(x.abs()));
    assert!(max_score > 50.0, "the scores should be large: {max_score}");
    for (b, &len) in lengths.iter().enumerate() {
        let alone = layer
            .forward(
                decoder.slice(s![b, .., ..]),
                encoder.slice(s![b, ..len, ..]),
            )
            .unwrap();
        let o = &out[b];
        assert!(o.weights.iter().all(|w| w.is_finite()), "example {b}");
        assert!(o.weights.slice(s![.., len..]).iter().all(|&w| w == 0.0));
        for (x, y) in o.weights.slice(s![.., ..len]).iter().zip(&alone.weights)
        {
            assert!(close(*x, *y, 1e-12), "example {b}: {x} vs {y}");
        }
        for (x, y) in o.context.iter().zip(&alone.context) {
            assert!(
                close(*x, *y, 1e-9 * y.abs().max(1.0)),
                "example {b}: {x} vs {y}"
            );
        }
    }
    // Example 0: the value of its only real token, e_0 W_v.
    let e0: ArrayView2<f64> = encoder.slice(s![0, 0..1, ..]);
    let v0: Array2<f64> = e0.dot(&layer.projections().w_v());
    assert!(out[0].weights.column(0).iter().all(|&w| w == 1.0));
    for row in out[0].context.rows() {
        for (x, y) in row.iter().zip(v0.row(0)) {
            assert!(close(*x, *y, 1e-9 * y.abs().max(1.0)), "{x} vs {y}");
        }
    }
}

#[test]
fn ex_8_2_rejects_other_bad_lengths_and_shapes() {
    let mut rng = SplitMix64::new(85);
    let layer = CrossAttention::random(2, 1, &mut rng).unwrap();
    let dec = Array3::from_shape_simple_fn((2, 1, 2), || rng.normal());
    let enc = Array3::from_shape_simple_fn((2, 3, 2), || rng.normal());
    let run = |d: &Array3<f64>, e: &Array3<f64>, lengths: &[usize]| {
        padded_cross_attention(&layer, d.view(), e.view(), lengths)
    };
    assert!(
        run(&dec, &enc, &[3, 3, 3]).is_err(),
        "three lengths for two"
    );
    assert!(run(&dec, &enc, &[]).is_err(), "no lengths");
    assert!(run(&dec, &enc, &[3, 4]).is_err(), "second length too long");
    assert!(run(&dec, &enc, &[0, 3]).is_err(), "first length 0");
    assert!(run(&dec, &enc, &[2, usize::MAX]).is_err(), "usize::MAX");
    // Both sides 3 wide, but the layer takes d_in = 2.
    let dec3 = Array3::<f64>::ones((2, 1, 3));
    let enc3 = Array3::<f64>::ones((2, 3, 3));
    assert!(run(&dec3, &enc3, &[3, 3]).is_err(), "width is not d_in");
    assert!(run(&dec3, &enc, &[3, 3]).is_err(), "decoder too wide");
    // Empty decoder sentences, empty encoder sentences, an empty batch.
    let no_dec = Array3::<f64>::zeros((2, 0, 2));
    assert!(run(&no_dec, &enc, &[3, 3]).is_err(), "T_dec = 0");
    let no_enc = Array3::<f64>::zeros((2, 0, 2));
    assert!(run(&dec, &no_enc, &[0, 0]).is_err(), "T_enc = 0");
    let none = Array3::<f64>::zeros((0, 1, 2));
    let none_enc = Array3::<f64>::zeros((0, 3, 2));
    assert!(run(&none, &none_enc, &[]).is_err(), "B = 0");
    // Infinities in the decoder, and -inf in the encoder's padding.
    let mut bad = dec.clone();
    bad[[0, 0, 1]] = f64::INFINITY;
    assert!(run(&bad, &enc, &[3, 3]).is_err(), "inf in the decoder");
    let mut bad = enc.clone();
    bad[[0, 2, 0]] = f64::NEG_INFINITY;
    assert!(run(&dec, &bad, &[2, 3]).is_err(), "-inf in the padding");
    // Encoder batch smaller than the decoder batch.
    let one = Array3::<f64>::zeros((1, 3, 2));
    assert!(run(&dec, &one, &[3]).is_err(), "batch sizes differ");
    assert!(run(&dec, &enc, &[1, 2]).is_ok());
}
