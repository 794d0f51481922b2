//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 6's exercises on other inputs than the visible
//! tests: windows and lengths compared entry by entry with their
//! definition, windows so wide that `j + w` overflows, sequences that are
//! all padding, padded batches that must agree with the unpadded
//! sequences, and prefixes compared with a causal softmax written out
//! with loops here, on layers of other widths.

use attn_common::rng::SplitMix64;
use ch05_trainable_weights::SelfAttention;
use ch06_causal_attention::exercises::{
    attend_prefix, padding_mask, sliding_window_mask,
};
use ch06_causal_attention::mask::both;
use ch06_causal_attention::{causal_mask, masked_attention};
use ndarray::{Array1, Array2, Axis, array, s};

// Exercise 6.1: sliding_window_mask

#[test]
fn ex_6_1_matches_the_band_definition() {
    // Allowed exactly when the signed distance i - j lies in 0..w.
    for t in 1..=10 {
        for w in 1..=12 {
            let m = sliding_window_mask(t, w).unwrap();
            assert_eq!(m.dim(), (t, t));
            for ((i, j), &ok) in m.indexed_iter() {
                let d = i as i64 - j as i64;
                assert_eq!(
                    ok,
                    (0..w as i64).contains(&d),
                    "t {t} w {w} ({i}, {j})"
                );
            }
        }
    }
}

#[test]
fn ex_6_1_a_window_of_three_over_five_tokens() {
    // Row i allows columns max(0, i - 2)..=i.
    let expected = array![
        [true, false, false, false, false],
        [true, true, false, false, false],
        [true, true, true, false, false],
        [false, true, true, true, false],
        [false, false, true, true, true],
    ];
    assert_eq!(sliding_window_mask(5, 3).unwrap(), expected);
    // One token sees itself under any window.
    assert_eq!(sliding_window_mask(1, 1).unwrap(), array![[true]]);
    assert_eq!(sliding_window_mask(1, 7).unwrap(), array![[true]]);
}

#[test]
fn ex_6_1_a_huge_window_is_the_causal_mask_without_overflow() {
    // "A window at least T wide is the ordinary causal mask", even one
    // near usize::MAX, where j + w would overflow.
    for t in [2, 6] {
        for w in [usize::MAX, usize::MAX - 1, 1 << 40] {
            assert_eq!(sliding_window_mask(t, w).unwrap(), causal_mask(t));
        }
    }
}

#[test]
fn ex_6_1_widening_by_one_adds_one_diagonal_and_zero_is_rejected() {
    // Window w minus window w - 1 is the diagonal i - j = w - 1.
    let t = 8;
    for w in 2..=t {
        let wide = sliding_window_mask(t, w).unwrap();
        let narrow = sliding_window_mask(t, w - 1).unwrap();
        for ((i, j), &ok) in wide.indexed_iter() {
            let added = ok && !narrow[[i, j]];
            assert_eq!(added, i >= j && i - j == w - 1, "w {w} ({i}, {j})");
            assert!(ok || !narrow[[i, j]], "w {w} lost ({i}, {j})");
        }
    }
    for t in [1, 10] {
        let err = sliding_window_mask(t, 0).unwrap_err().to_string();
        assert!(err.contains("w = 0"), "{err}");
    }
}

// Exercise 6.2: padding_mask

#[test]
fn ex_6_2_matches_the_definition_on_random_lengths() {
    let mut rng = SplitMix64::new(62);
    for _ in 0..30 {
        let b = 1 + (rng.next_u64() % 5) as usize;
        let t = 1 + (rng.next_u64() % 8) as usize;
        let lengths: Vec<usize> = (0..b)
            .map(|_| (rng.next_u64() % (t as u64 + 1)) as usize)
            .collect();
        let m = padding_mask(&lengths, t).unwrap();
        assert_eq!(m.dim(), (b, t, t), "{lengths:?}, T = {t}");
        for ((s, i, j), &ok) in m.indexed_iter() {
            assert_eq!(ok, j < lengths[s], "{lengths:?} [{s}, {i}, {j}]");
        }
    }
}

#[test]
fn ex_6_2_full_and_all_padding_sequences() {
    // A single full-length sequence hides nothing.
    let m = padding_mask(&[5], 5).unwrap();
    assert_eq!(m.dim(), (1, 5, 5));
    assert!(m.iter().all(|&ok| ok));
    // Three empty sequences hide everything.
    let m = padding_mask(&[0, 0, 0], 4).unwrap();
    assert_eq!(m.dim(), (3, 4, 4));
    assert!(m.iter().all(|&ok| !ok));
    // Lengths [3, 1] of T = 3: every row of sequence 0 is [1, 1, 1], of
    // sequence 1 [1, 0, 0].
    let m = padding_mask(&[3, 1], 3).unwrap();
    for row in m.index_axis(Axis(0), 0).rows() {
        assert_eq!(row, array![true, true, true]);
    }
    for row in m.index_axis(Axis(0), 1).rows() {
        assert_eq!(row, array![true, false, false]);
    }
}

#[test]
fn ex_6_2_names_the_first_sequence_that_is_too_long() {
    let err = padding_mask(&[1, 2, 7], 3).unwrap_err().to_string();
    assert!(err.contains("sequence 2 has length 7"), "{err}");
    let err = padding_mask(&[5, 6], 4).unwrap_err().to_string();
    assert!(err.contains("sequence 0 has length 5"), "{err}");
    // One above T is already too long.
    let err = padding_mask(&[4, 4, 5], 4).unwrap_err().to_string();
    assert!(err.contains("sequence 2 has length 5"), "{err}");
    assert!(padding_mask(&[], 0).is_err());
    assert!(padding_mask(&[1], 0).is_err());
}

#[test]
fn ex_6_2_padded_causal_attention_equals_the_unpadded_sequence() {
    // Combined with the causal mask, a real query i < len must get the
    // same weights and context as causal attention over the first len
    // tokens alone, and padding keys must get weight 0.
    let mut rng = SplitMix64::new(63);
    let t = 6;
    let lengths = [6, 4, 1, 3];
    let mask = padding_mask(&lengths, t).unwrap();
    for (b, &len) in lengths.iter().enumerate() {
        let q = rng.normal_matrix(t, 3);
        let k = rng.normal_matrix(t, 3);
        let v = rng.normal_matrix(t, 2);
        let allowed =
            both(causal_mask(t).view(), mask.index_axis(Axis(0), b)).unwrap();
        let padded =
            masked_attention(q.view(), k.view(), v.view(), allowed.view())
                .unwrap();
        let short = masked_attention(
            q.slice(s![..len, ..]),
            k.slice(s![..len, ..]),
            v.slice(s![..len, ..]),
            causal_mask(len).view(),
        )
        .unwrap();
        for i in 0..t {
            for j in len..t {
                assert_eq!(padded.weights[[i, j]], 0.0, "b {b} ({i}, {j})");
            }
        }
        for i in 0..len {
            for j in 0..len {
                let (a, e) = (padded.weights[[i, j]], short.weights[[i, j]]);
                assert!((a - e).abs() < 1e-15, "b {b} ({i}, {j})");
            }
            for c in 0..2 {
                let (a, e) = (padded.context[[i, c]], short.context[[i, c]]);
                assert!((a - e).abs() < 1e-14, "b {b} row {i}");
            }
        }
    }
}

// Exercise 6.3: attend_prefix

/// Row `t` of causal attention written out with loops: q_t = x_t W_q,
/// k_j = x_j W_k, v_j = x_j W_v, scores q_t . k_j / sqrt(d_out) for
/// j <= t only, softmax, then sum_j w_j v_j.
fn by_hand(layer: &SelfAttention, x: &Array2<f64>, t: usize) -> Array1<f64> {
    let (d_in, d_out) = (layer.d_in(), layer.d_out());
    let project = |w: ndarray::ArrayView2<f64>, row: usize| -> Vec<f64> {
        (0..d_out)
            .map(|c| (0..d_in).map(|r| x[[row, r]] * w[[r, c]]).sum())
            .collect()
    };
    let q = project(layer.w_q(), t);
    let scores: Vec<f64> = (0..=t)
        .map(|j| {
            let k = project(layer.w_k(), j);
            q.iter().zip(&k).map(|(a, b)| a * b).sum::<f64>()
                / (d_out as f64).sqrt()
        })
        .collect();
    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    let mut out = Array1::zeros(d_out);
    for (j, e) in exps.iter().enumerate() {
        let v = project(layer.w_v(), j);
        for c in 0..d_out {
            out[c] += e / total * v[c];
        }
    }
    out
}

#[test]
fn ex_6_3_matches_a_causal_softmax_written_out_by_hand() {
    let mut rng = SplitMix64::new(64);
    for (d_in, d_out, t_len) in [(2, 5, 1), (5, 1, 4), (3, 3, 8), (6, 2, 5)] {
        let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
        let x = rng.normal_matrix(t_len, d_in);
        for t in 0..t_len {
            let z = attend_prefix(&layer, x.view(), t).unwrap();
            let want = by_hand(&layer, &x, t);
            assert_eq!(z.len(), d_out);
            for (a, b) in z.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "({d_in}, {d_out}) t {t}: {z}");
            }
        }
    }
}

#[test]
fn ex_6_3_the_future_does_not_matter() {
    // Rewriting every token after t, or cutting them off, leaves token t's
    // context unchanged.
    let mut rng = SplitMix64::new(65);
    let layer = SelfAttention::random(4, 3, &mut rng).unwrap();
    let x = rng.normal_matrix(7, 4);
    for t in 0..7 {
        let z = attend_prefix(&layer, x.view(), t).unwrap();
        let mut other = x.clone();
        other
            .slice_mut(s![t + 1.., ..])
            .assign(&rng.normal_matrix(6 - t, 4).mapv(|v| 50.0 * v));
        let z_other = attend_prefix(&layer, other.view(), t).unwrap();
        let z_cut = attend_prefix(&layer, x.slice(s![..=t, ..]), t).unwrap();
        for (a, (b, c)) in z.iter().zip(z_other.iter().zip(&z_cut)) {
            assert!((a - b).abs() < 1e-14, "t {t}: {z} vs {z_other}");
            assert!((a - c).abs() < 1e-14, "t {t}: {z} vs {z_cut}");
        }
    }
}

#[test]
fn ex_6_3_position_zero_is_the_first_value_on_random_layers() {
    let mut rng = SplitMix64::new(660);
    for (d_in, d_out) in [(1, 1), (3, 6), (7, 2)] {
        let layer = SelfAttention::random(d_in, d_out, &mut rng).unwrap();
        let x = rng.normal_matrix(5, d_in);
        let z = attend_prefix(&layer, x.view(), 0).unwrap();
        let v = layer.values(x.view()).unwrap();
        for (a, b) in z.iter().zip(v.row(0)) {
            assert!((a - b).abs() < 1e-15, "({d_in}, {d_out}): {z}");
        }
    }
}

#[test]
fn ex_6_3_rejects_bad_positions_and_inputs() {
    let mut rng = SplitMix64::new(67);
    let layer = SelfAttention::random(3, 2, &mut rng).unwrap();
    let x = rng.normal_matrix(3, 3);
    let err = attend_prefix(&layer, x.view(), 3).unwrap_err().to_string();
    assert!(err.contains("t = 3"), "{err}");
    assert!(err.contains("(3, 3)"), "{err}");
    assert!(attend_prefix(&layer, x.view(), usize::MAX).is_err());
    // Wrong width: 4 features for a layer that takes 3.
    let wide = rng.normal_matrix(3, 4);
    assert!(attend_prefix(&layer, wide.view(), 1).is_err());
    // A NaN in the first token, which every prefix contains.
    let mut nan = x.clone();
    nan[[0, 1]] = f64::NAN;
    assert!(attend_prefix(&layer, nan.view(), 2).is_err());
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(attend_prefix(&layer, empty.view(), 0).is_err());
}
