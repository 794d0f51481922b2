//! Chapter 8's checks.
//!
//! Fixed cases first (example 5's weights, ties away from the first
//! column, inclusive thresholds, weights one ulp apart, the statement's
//! padded example, a hand-sized batch, and bad inputs), then cases drawn
//! from the hidden `seed`, which the student never sees: other shapes,
//! widths, lengths and magnitudes, and properties that call the student's
//! code several times (each example equals its sentence alone, the
//! padding's numbers do not matter, self-attention is cross-attention of a
//! sentence with itself).

use crate::check::{Check, Oracle, Tol, close, value};
use attn_common::answer::{Value, from_array3, from_matrix, json};
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::softmax_rows;
use ch05_trainable_weights::SelfAttention;
use ch08_cross_attention::plain::cross_attention;
use ch08_cross_attention::translation::hello_world;
use ndarray::{Array2, Array3, s};

fn align(w: &Array2<f64>, threshold: f64) -> Value {
    json!({"weights": from_matrix(w.view()), "threshold": threshold})
}

fn padded(
    layer: &SelfAttention,
    dec: &Array3<f64>,
    enc: &Array3<f64>,
    lengths: &[usize],
) -> Value {
    json!({
        "w_q": from_matrix(layer.w_q()),
        "w_k": from_matrix(layer.w_k()),
        "w_v": from_matrix(layer.w_v()),
        "decoder": from_array3(dec.view()),
        "encoder": from_array3(enc.view()),
        "encoder_lengths": lengths,
    })
}

/// One example's `part` (`"weights"`, `"context"`) of an 8.2 answer.
fn part<'a>(
    answer: &'a Value,
    b: usize,
    part: &str,
) -> Result<&'a Value, String> {
    answer
        .get(b)
        .and_then(|o| o.get(part))
        .ok_or_else(|| format!("the answer has no `{part}` for every example"))
}

/// The first `cols` columns of a matrix written as JSON rows.
fn first_columns(m: &Value, cols: usize) -> Value {
    let rows = m.as_array().map(|rows| {
        rows.iter()
            .map(|r| {
                r.as_array().map(|r| {
                    Value::Array(r.iter().take(cols).cloned().collect())
                })
            })
            .collect::<Option<Vec<Value>>>()
    });
    match rows {
        Some(Some(rows)) => Value::Array(rows),
        _ => Value::Null,
    }
}

/// The checks of chapter 8's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x08);
    let mut out = ex_8_1(&mut rng);
    out.extend(ex_8_2(&mut rng));
    out
}

fn ex_8_1(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = Vec::new();
    let t = hello_world();
    if let Ok(o) = cross_attention(t.decoder.view(), t.encoder.view()) {
        for threshold in [0.5, 0.72] {
            out.push(Check::matches(
                "8.1",
                format!("example 5 with threshold {threshold}"),
                align(&o.weights, threshold),
                Tol::EXACT,
            ));
        }
    }
    let ties = json!([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2], [0.1, 0.3, 0.6]]);
    let later = json!([
        [0.1, 0.45, 0.45, 0.0],
        [0.25, 0.25, 0.25, 0.25],
        [0.2, 0.3, 0.3, 0.2],
        [0.0, 0.0, 0.0, 1.0]
    ]);
    for (name, weights, threshold) in [
        (
            "the statement's example, threshold 0.5",
            json!([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]),
            0.5,
        ),
        (
            "the statement's example, threshold 0.4",
            json!([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]),
            0.4,
        ),
        ("a tie goes to the first column", ties.clone(), 0.4),
        ("threshold 0 aligns every row", ties, 0.0),
        (
            "ties away from the first column, inclusive threshold",
            later.clone(),
            0.25,
        ),
        ("a threshold equal to the tied weights", later.clone(), 0.45),
        (
            "a threshold just above the tied weights",
            later.clone(),
            0.450_000_1,
        ),
        ("threshold 1 keeps only a one-hot row", later, 1.0),
        (
            "one encoder token reaches threshold 1",
            json!([[1.0], [1.0], [1.0]]),
            1.0,
        ),
        (
            "weights one ulp either side of 0.5",
            json!([[0.499_999_999_999_999_9, 0.500_000_000_000_000_1]]),
            0.5,
        ),
        (
            "weights one ulp either side of 0.5, swapped",
            json!([[0.500_000_000_000_000_1, 0.499_999_999_999_999_9]]),
            0.5,
        ),
        (
            "both ends of [0, 1] are allowed (0)",
            json!([[0.3, 0.7], [0.6, 0.4]]),
            0.0,
        ),
        (
            "both ends of [0, 1] are allowed (1)",
            json!([[0.3, 0.7], [0.6, 0.4]]),
            1.0,
        ),
    ] {
        out.push(Check::matches(
            "8.1",
            name,
            json!({"weights": weights, "threshold": threshold}),
            Tol::EXACT,
        ));
    }
    let mut long = Array2::from_elem((1, 1000), 0.999 / 999.0);
    long[[0, 999]] = 0.001 + 0.999 / 999.0;
    for threshold in [0.0, 0.01] {
        out.push(Check::matches(
            "8.1",
            format!(
                "a long row whose top weight is last, threshold {threshold}"
            ),
            align(&long, threshold),
            Tol::EXACT,
        ));
    }
    let good = json!([[0.3, 0.7], [0.6, 0.4]]);
    for (name, threshold) in [
        ("rejects a threshold above 1", json!(1.5)),
        ("rejects a threshold just above 1", json!(1.000_000_000_001)),
        ("rejects a negative threshold", json!(-0.1)),
        ("rejects a tiny negative threshold", json!(-1e-300)),
        ("rejects a NaN threshold", json!("NaN")),
        ("rejects an infinite threshold", json!("inf")),
        ("rejects minus infinity as a threshold", json!("-inf")),
    ] {
        out.push(Check::fails(
            "8.1",
            name,
            json!({"weights": good, "threshold": threshold}),
            &[],
        ));
    }
    for (name, weights, mentions) in [
        (
            "rejects an infinite weight, naming the shape",
            json!([[0.5, 0.5], ["inf", 0.0]]),
            &["(2, 2)"][..],
        ),
        (
            "rejects minus infinity, naming the shape",
            json!([["-inf", 1.0]]),
            &["(1, 2)"],
        ),
        (
            "rejects a NaN, naming the shape",
            json!([["NaN", 1.0]]),
            &["(1, 2)"],
        ),
        (
            "rejects rows with no columns",
            json!([[], [], []]),
            &["(3, 0)"],
        ),
        ("rejects an empty matrix", json!([]), &[]),
    ] {
        out.push(Check::fails(
            "8.1",
            name,
            json!({"weights": weights, "threshold": 0.5}),
            mentions,
        ));
    }
    let mut case = 0;
    let mut kept = Vec::new();
    for (t_dec, t_enc) in [(1, 1), (4, 1), (1, 6), (7, 3), (2, 9), (5, 5)] {
        for scale in [0.3, 3.0] {
            let Ok(w) = softmax_rows(
                rng.normal_matrix(t_dec, t_enc).mapv(|x| x * scale).view(),
            ) else {
                continue;
            };
            for threshold in [0.2, 0.5, 0.8] {
                case += 1;
                out.push(Check::matches(
                    "8.1",
                    format!("hidden random case {case}"),
                    align(&w, threshold),
                    Tol::EXACT,
                ));
            }
            kept.push(w);
        }
    }
    // Four of the matrices, of different shapes, for the property.
    let kept: Vec<Array2<f64>> = kept.into_iter().skip(1).step_by(3).collect();
    out.push(Check::property(
        "8.1",
        "raising the threshold never adds an alignment or changes its source",
        move |ask: &mut dyn Oracle| {
            for w in &kept {
                let mut before: Option<Vec<Value>> = None;
                for threshold in [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0] {
                    let now = value(ask.ask("8.1", &align(w, threshold)))?;
                    let now = now
                        .as_array()
                        .ok_or("the answer is not an array")?
                        .clone();
                    if now.len() != w.nrows() {
                        return Err("the answer does not have \
                            one entry per decoder token"
                            .into());
                    }
                    if let Some(before) = &before
                        && now
                            .iter()
                            .zip(before)
                            .any(|(n, b)| !n.is_null() && n != b)
                    {
                        return Err("a higher threshold added \
                            an alignment or moved one"
                            .into());
                    }
                    before = Some(now);
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_8_2(rng: &mut SplitMix64) -> Vec<Check> {
    let tol = Tol::new(1e-12, 1e-9);
    let mut out = Vec::new();
    let one = SelfAttention::new(
        Array2::from_elem((1, 1), 1.0),
        Array2::from_elem((1, 1), 1.0),
        Array2::from_elem((1, 1), 1.0),
    );
    let hand = SelfAttention::new(
        ndarray::array![[1.0, 0.0], [0.0, 1.0]],
        ndarray::array![[1.0, 1.0], [0.0, 1.0]],
        ndarray::array![[1.0, 0.0], [1.0, 2.0]],
    );
    if let (Ok(one), Ok(hand)) = (one, hand) {
        let dec = Array3::zeros((1, 1, 1));
        let enc =
            Array3::from_shape_fn((1, 3, 1), |(_, j, _)| [1.0, 3.0, 99.0][j]);
        out.push(Check::matches(
            "8.2",
            "the statement's example",
            padded(&one, &dec, &enc, &[2]),
            tol,
        ));
        let dec = ndarray::array![
            [[1.0, 0.0], [0.0, 2.0]],
            [[0.5, -1.0], [2.0, 1.0]]
        ];
        let enc = ndarray::array![
            [[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]],
            [[1.0, 1.0], [-1.0, 0.0], [0.0, 2.0]],
        ];
        out.push(Check::matches(
            "8.2",
            "a hand-sized batch with d_out = 2",
            padded(&hand, &dec, &enc, &[2, 1]),
            tol,
        ));
        out.push(Check::matches(
            "8.2",
            "no padding at all",
            padded(&hand, &dec, &enc, &[3, 3]),
            tol,
        ));
        for (name, lengths, mentions) in [
            (
                "rejects three lengths for two examples",
                vec![3, 3, 3],
                &["(2, 3, 2)"][..],
            ),
            ("rejects no lengths", vec![], &["(2, 3, 2)"]),
            ("rejects a length above T_enc", vec![3, 4], &["(2, 3, 2)"]),
            ("rejects a length of 0", vec![0, 3], &["(2, 3, 2)"]),
            (
                "rejects the largest possible length",
                vec![2, usize::MAX],
                &["(2, 3, 2)"],
            ),
        ] {
            out.push(Check::fails(
                "8.2",
                name,
                padded(&hand, &dec, &enc, &lengths),
                mentions,
            ));
        }
        let wide_dec = Array3::from_elem((2, 1, 3), 1.0);
        let wide_enc = Array3::from_elem((2, 3, 3), 1.0);
        out.push(Check::fails(
            "8.2",
            "rejects inputs wider than d_in",
            padded(&hand, &wide_dec, &wide_enc, &[3, 3]),
            &[],
        ));
        out.push(Check::fails(
            "8.2",
            "rejects a decoder wider than the encoder",
            padded(&hand, &wide_dec, &enc, &[3, 3]),
            &[],
        ));
        out.push(Check::fails(
            "8.2",
            "rejects empty decoder sentences",
            json!({
                "w_q": from_matrix(hand.w_q()),
                "w_k": from_matrix(hand.w_k()),
                "w_v": from_matrix(hand.w_v()),
                "decoder": [[], []],
                "encoder": from_array3(enc.view()),
                "encoder_lengths": [3, 3],
            }),
            &[],
        ));
        out.push(Check::fails(
            "8.2",
            "rejects an empty batch",
            json!({
                "w_q": from_matrix(hand.w_q()),
                "w_k": from_matrix(hand.w_k()),
                "w_v": from_matrix(hand.w_v()),
                "decoder": [],
                "encoder": [],
                "encoder_lengths": [],
            }),
            &[],
        ));
        let mut inf = dec.clone();
        inf[[0, 0, 1]] = f64::INFINITY;
        out.push(Check::fails(
            "8.2",
            "rejects an infinity in the decoder, naming its shape",
            padded(&hand, &inf, &enc, &[3, 3]),
            &["(2, 2, 2)"],
        ));
        let mut inf = enc.clone();
        inf[[0, 2, 0]] = f64::NEG_INFINITY;
        out.push(Check::fails(
            "8.2",
            "rejects minus infinity even in the padding",
            padded(&hand, &dec, &inf, &[2, 3]),
            &["(2, 3, 2)"],
        ));
        let small = Array3::zeros((1, 3, 2));
        out.push(Check::fails(
            "8.2",
            "rejects batches of different sizes, naming both shapes",
            padded(&hand, &dec, &small, &[3]),
            &["(2, 2, 2)", "(1, 3, 2)"],
        ));
    }
    // Hidden random batches: other widths, lengths and magnitudes.
    let mut batches = Vec::new();
    for (d_in, d_out, b, t_dec, t_enc, scale) in [
        (4, 3, 4, 3, 6, 1.0),
        (2, 5, 3, 1, 3, 1.0),
        (3, 3, 2, 4, 5, 40.0),
        (1, 2, 5, 2, 1, 1.0),
        (5, 1, 3, 6, 8, 0.1),
    ] {
        let Ok(layer) = SelfAttention::random(d_in, d_out, rng) else {
            continue;
        };
        let dec = Array3::from_shape_simple_fn((b, t_dec, d_in), || {
            scale * rng.normal()
        });
        let mut enc = Array3::from_shape_simple_fn((b, t_enc, d_in), || {
            scale * rng.normal()
        });
        let lengths: Vec<usize> = (0..b)
            .map(|_| 1 + (rng.next_u64() % t_enc as u64) as usize)
            .collect();
        for (i, &len) in lengths.iter().enumerate() {
            if i % 2 == 1 {
                enc.slice_mut(s![i, len.., ..]).fill(0.0);
            }
        }
        batches.push((layer, dec, enc, lengths));
    }
    for (i, (layer, dec, enc, lengths)) in batches.iter().enumerate() {
        out.push(Check::matches(
            "8.2",
            format!("hidden random batch {}", i + 1),
            padded(layer, dec, enc, lengths),
            tol,
        ));
    }
    let alone_batches = batches.clone();
    out.push(Check::property(
        "8.2",
        "each example equals its real tokens \
            alone, with weight 0 on the padding",
        move |ask: &mut dyn Oracle| {
            for (layer, dec, enc, lengths) in &alone_batches {
                let all =
                    value(ask.ask("8.2", &padded(layer, dec, enc, lengths)))?;
                for (b, &len) in lengths.iter().enumerate() {
                    let d = dec.slice(s![b..=b, .., ..]).to_owned();
                    let e = enc.slice(s![b..=b, ..len, ..]).to_owned();
                    let alone =
                        value(ask.ask("8.2", &padded(layer, &d, &e, &[len])))?;
                    let w = part(&all, b, "weights")?;
                    if !close(
                        &first_columns(w, len),
                        part(&alone, 0, "weights")?,
                        Tol::new(1e-12, 1e-9),
                    ) || !close(
                        part(&all, b, "context")?,
                        part(&alone, 0, "context")?,
                        Tol::new(1e-12, 1e-9),
                    ) {
                        return Err(
                            "an example's weights or context differ from its \
                                    real tokens run alone"
                                .into(),
                        );
                    }
                    let padding_weight = w.as_array().is_none_or(|rows| {
                        rows.iter().any(|r| {
                            r.as_array().is_none_or(|r| {
                                r.iter()
                                    .skip(len)
                                    .any(|x| x.as_f64() != Some(0.0))
                            })
                        })
                    });
                    if padding_weight {
                        return Err("a padded encoder token \
                            got a weight other than 0"
                            .into());
                    }
                }
            }
            Ok(())
        },
    ));
    out.push(Check::property(
        "8.2",
        "the numbers in the padding do not matter",
        move |ask: &mut dyn Oracle| {
            for (layer, dec, enc, lengths) in &batches {
                let a =
                    value(ask.ask("8.2", &padded(layer, dec, enc, lengths)))?;
                let mut other = enc.clone();
                for (b, &len) in lengths.iter().enumerate() {
                    other.slice_mut(s![b, len.., ..]).fill(1e6);
                }
                let b = value(
                    ask.ask("8.2", &padded(layer, dec, &other, lengths)),
                )?;
                if !close(&a, &b, Tol::new(1e-12, 1e-9)) {
                    return Err(
                        "changing the padding's numbers changed the answer"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
    if let Ok(layer) = SelfAttention::random(3, 4, rng) {
        let x = Array3::from_shape_simple_fn((2, 5, 3), || rng.normal());
        out.push(Check::property(
            "8.2",
            "a sentence attending to itself, unpadded, is chapter 5's \
             self-attention",
            move |ask: &mut dyn Oracle| self_is_cross(ask, &layer, &x),
        ));
    }
    out
}

/// Cross-attention of each sentence of `x` with itself, unpadded, must be
/// its chapter 5 self-attention.
fn self_is_cross(
    ask: &mut dyn Oracle,
    layer: &SelfAttention,
    x: &Array3<f64>,
) -> Result<(), String> {
    let (b, t, _) = x.dim();
    let got = value(ask.ask("8.2", &padded(layer, x, x, &vec![t; b])))?;
    for i in 0..b {
        let own = layer.forward(x.slice(s![i, .., ..])).map_err(|_| {
            "the judge could not run self-attention".to_string()
        })?;
        let want = from_matrix(own.context.view());
        if !close(part(&got, i, "context")?, &want, Tol::new(1e-12, 1e-9)) {
            return Err("cross-attention of a sentence with itself differs \
                        from its self-attention"
                .into());
        }
    }
    Ok(())
}
