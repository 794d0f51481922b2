//! Chapter 6's checks.
//!
//! Fixed cases first (the statements' examples, one-token sequences,
//! windows so wide that `j + w` overflows, all-padding sequences, the
//! journey sentence, and bad inputs), then cases drawn from the hidden
//! `seed`, which the student never sees: other sizes and layers, and
//! properties that call the student's code several times (causality: a
//! token's context never changes when a later token does).

use crate::check::{Check, Oracle, Tol, bool_matrix_of, close, value};
use attn_common::answer::{Value, from_matrix, json};
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch05_trainable_weights::SelfAttention;
use ch05_trainable_weights::worked::journey_layer;
use ndarray::{Array2, s};

fn window(t: usize, w: usize) -> Value {
    json!({"t": t, "w": w})
}

fn padding(lengths: &[usize], t: usize) -> Value {
    json!({"lengths": lengths, "t": t})
}

fn prefix(layer: &SelfAttention, x: &Array2<f64>, t: usize) -> Value {
    json!({
        "w_q": from_matrix(layer.w_q()),
        "w_k": from_matrix(layer.w_k()),
        "w_v": from_matrix(layer.w_v()),
        "x": from_matrix(x.view()),
        "t": t,
    })
}

/// The checks of chapter 6's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x06);
    let mut out = ex_6_1(&mut rng);
    out.extend(ex_6_2(&mut rng));
    out.extend(ex_6_3(&mut rng));
    out
}

fn ex_6_1(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = Vec::new();
    for (name, t, w) in [
        ("the statement's example", 4, 2),
        ("a window of three over five tokens", 5, 3),
        ("a window of one is the identity", 6, 1),
        ("a window as wide as the sequence", 6, 6),
        ("a window wider than the sequence", 4, 9),
        ("one token, a window of one", 1, 1),
        ("one token, a wide window", 1, 7),
        ("no tokens at all", 0, 3),
        ("a window so wide that j + w overflows", 6, usize::MAX),
        ("a window one below the largest", 2, usize::MAX - 1),
        ("a window of 2^40", 6, 1 << 40),
    ] {
        out.push(Check::matches("6.1", name, window(t, w), Tol::EXACT));
    }
    for t in [1, 10] {
        out.push(Check::fails(
            "6.1",
            format!("rejects a window of 0 over {t} tokens, saying w = 0"),
            window(t, 0),
            &["w = 0"],
        ));
    }
    for i in 0..8 {
        let t = 1 + (rng.next_u64() % 14) as usize;
        let w = 1 + (rng.next_u64() % 16) as usize;
        out.push(Check::matches(
            "6.1",
            format!("hidden random case {}", i + 1),
            window(t, w),
            Tol::EXACT,
        ));
    }
    let t = 7 + (rng.next_u64() % 6) as usize;
    out.push(Check::property(
        "6.1",
        "widening the window by one adds exactly one diagonal",
        move |ask: &mut dyn Oracle| {
            let mut narrow =
                bool_matrix_of(&value(ask.ask("6.1", &window(t, 1)))?, t, t)?;
            for w in 2..=t {
                let wide = bool_matrix_of(
                    &value(ask.ask("6.1", &window(t, w)))?,
                    t,
                    t,
                )?;
                for i in 0..t {
                    for j in 0..t {
                        let added = wide[i][j] && !narrow[i][j];
                        let lost = narrow[i][j] && !wide[i][j];
                        if lost || added != (i >= j && i - j == w - 1) {
                            return Err(
                                "going from window w - 1 to w did not \
                                        add exactly the diagonal i - j = w - 1"
                                    .into(),
                            );
                        }
                    }
                }
                narrow = wide;
            }
            Ok(())
        },
    ));
    out
}

fn ex_6_2(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = Vec::new();
    for (name, lengths, t) in [
        ("the statement's example", vec![2, 3], 3),
        ("the journey sentence cut after \"with\"", vec![4, 6], 6),
        ("a single full-length sequence", vec![5], 5),
        ("three empty sequences", vec![0, 0, 0], 4),
        ("a full and a one-token sequence", vec![3, 1], 3),
        ("a padded length of 0", vec![0], 0),
    ] {
        out.push(Check::matches(
            "6.2",
            name,
            padding(&lengths, t),
            Tol::EXACT,
        ));
    }
    for (name, lengths, t, mentions) in [
        (
            "names the last sequence when it is too long",
            vec![1, 2, 7],
            3,
            &["2", "7"][..],
        ),
        (
            "names the first sequence when it is too long",
            vec![5, 6],
            4,
            &["5"],
        ),
        (
            "rejects a length one above T",
            vec![4, 4, 5],
            4,
            &["2", "5"],
        ),
        (
            "rejects a length above a padded length of 0",
            vec![1],
            0,
            &["1"],
        ),
        ("rejects a batch with no lengths", vec![], 0, &[]),
        ("rejects a batch with no lengths and T = 3", vec![], 3, &[]),
    ] {
        out.push(Check::fails("6.2", name, padding(&lengths, t), mentions));
    }
    let mut batches = Vec::new();
    for i in 0..8 {
        let b = 1 + (rng.next_u64() % 5) as usize;
        let t = 1 + (rng.next_u64() % 9) as usize;
        let lengths: Vec<usize> = (0..b)
            .map(|_| (rng.next_u64() % (t as u64 + 1)) as usize)
            .collect();
        out.push(Check::matches(
            "6.2",
            format!("hidden random case {}", i + 1),
            padding(&lengths, t),
            Tol::EXACT,
        ));
        batches.push((lengths, t));
    }
    out.push(Check::property(
        "6.2",
        "each sequence's mask is the one it gets in a batch of its own",
        move |ask: &mut dyn Oracle| {
            for (lengths, t) in &batches {
                let all = value(ask.ask("6.2", &padding(lengths, *t)))?;
                let all = all
                    .as_array()
                    .ok_or("the answer is not an array of masks")?;
                if all.len() != lengths.len() {
                    return Err(
                        "the batch's mask does not have one mask per sequence"
                            .into(),
                    );
                }
                for (b, &len) in lengths.iter().enumerate() {
                    let alone = value(ask.ask("6.2", &padding(&[len], *t)))?;
                    if alone.get(0) != Some(&all[b]) {
                        return Err("a sequence's mask depends on the other \
                                    sequences in the batch"
                            .into());
                    }
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_6_3(rng: &mut SplitMix64) -> Vec<Check> {
    let tol = Tol::new(1e-12, 1e-9);
    let mut out = Vec::new();
    if let Ok(layer) = journey_layer() {
        let x = journey().x;
        for t in [0, 2, 5] {
            out.push(Check::matches(
                "6.3",
                format!("the journey sentence, position {t}"),
                prefix(&layer, &x, t),
                tol,
            ));
        }
        out.push(Check::fails(
            "6.3",
            "rejects a position past the end, naming the shape",
            prefix(&layer, &x, 6),
            &["(6, 3)"],
        ));
        out.push(Check::fails(
            "6.3",
            "rejects the largest possible position",
            prefix(&layer, &x, usize::MAX),
            &[],
        ));
        let wide = Array2::from_elem((3, 4), 0.5);
        out.push(Check::fails(
            "6.3",
            "rejects tokens wider than the layer's d_in",
            prefix(&layer, &wide, 1),
            &[],
        ));
        let mut nan = x.clone();
        nan[[0, 1]] = f64::NAN;
        out.push(Check::fails(
            "6.3",
            "rejects a NaN in the first token",
            prefix(&layer, &nan, 2),
            &[],
        ));
        out.push(Check::fails(
            "6.3",
            "rejects an empty sequence",
            prefix(&layer, &Array2::zeros((0, 0)), 0),
            &[],
        ));
    }
    let mut case = 0;
    for (d_in, d_out, len, scale) in [
        (2, 5, 1, 1.0),
        (5, 1, 4, 1.0),
        (3, 3, 8, 1.0),
        (6, 2, 5, 10.0),
        (1, 4, 12, 0.1),
    ] {
        let Ok(layer) = SelfAttention::random(d_in, d_out, rng) else {
            continue;
        };
        let x = rng.normal_matrix(len, d_in).mapv(|v| scale * v);
        for t in [0, (rng.next_u64() % len as u64) as usize, len - 1] {
            case += 1;
            out.push(Check::matches(
                "6.3",
                format!("hidden random case {case}"),
                prefix(&layer, &x, t),
                tol,
            ));
        }
    }
    if let Ok(layer) = SelfAttention::random(4, 3, rng) {
        let x = rng.normal_matrix(7, 4);
        let later = rng.normal_matrix(7, 4).mapv(|v| 50.0 * v);
        out.push(Check::property(
            "6.3",
            "causality: changing or cutting off later \
                tokens leaves the context unchanged",
            move |ask: &mut dyn Oracle| {
                for t in 0..7 {
                    let z = value(ask.ask("6.3", &prefix(&layer, &x, t)))?;
                    let mut other = x.clone();
                    other
                        .slice_mut(s![t + 1.., ..])
                        .assign(&later.slice(s![t + 1.., ..]));
                    let z_other =
                        value(ask.ask("6.3", &prefix(&layer, &other, t)))?;
                    let cut = x.slice(s![..=t, ..]).to_owned();
                    let z_cut =
                        value(ask.ask("6.3", &prefix(&layer, &cut, t)))?;
                    if !close(&z, &z_other, Tol::new(1e-12, 1e-9)) {
                        return Err("a token's context changed \
                            when a later token changed"
                            .into());
                    }
                    if !close(&z, &z_cut, Tol::new(1e-12, 1e-9)) {
                        return Err(
                            "a token's context changed when the later tokens \
                                    were cut off"
                                .into(),
                        );
                    }
                }
                Ok(())
            },
        ));
    }
    out
}
