//! Chapter 7's checks.
//!
//! Fixed cases first (the statements' examples, the journey layer's heads,
//! one head, heads of width 1, real model sizes, and bad inputs), then
//! cases drawn from the hidden `seed`, which the student never sees: other
//! shapes and head counts, and properties that call the student's code
//! several times (split then merge gives the input back; averaged heads
//! are still distributions).

use crate::check::{Check, Oracle, Tol, close, exceeds, matrix, value};
use attn_common::answer::{Value, from_array3, from_matrix, json};
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch07_multi_head_attention::worked::journey_stack;
use ch07_multi_head_attention::{Mask, MultiHeadAttention, parameter_count};
use ndarray::{Array2, Array3};

fn split(x: &Array2<f64>, n_heads: usize) -> Value {
    json!({"x": from_matrix(x.view()), "n_heads": n_heads})
}

fn merge(heads: &Array3<f64>) -> Value {
    json!({"heads": from_array3(heads.view())})
}

fn average(weights: &Array3<f64>) -> Value {
    json!({"weights": from_array3(weights.view())})
}

fn gqa(d_model: usize, n_heads: usize, n_kv_heads: usize, bias: bool) -> Value {
    json!({
        "d_model": d_model,
        "n_heads": n_heads,
        "n_kv_heads": n_kv_heads,
        "bias": bias,
    })
}

/// The checks of chapter 7's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x07);
    let mut out = ex_7_1(&mut rng);
    out.extend(ex_7_2(&mut rng));
    out.extend(ex_7_3(&mut rng));
    out.extend(ex_7_4(&mut rng));
    out
}

fn ex_7_1(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "7.1",
            "the statement's example",
            json!({
                "x": [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]],
                "n_heads": 2,
            }),
            Tol::EXACT,
        ),
        Check::matches(
            "7.1",
            "one head is the whole matrix",
            json!({"x": [[1.0, 2.0, 3.0]], "n_heads": 1}),
            Tol::EXACT,
        ),
        Check::matches(
            "7.1",
            "heads of width 1",
            json!({"x": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "n_heads": 3}),
            Tol::EXACT,
        ),
        Check::fails(
            "7.1",
            "rejects a width that does not divide, naming both numbers",
            split(&Array2::zeros((2, 6)), 4),
            &["6", "4"],
        ),
        Check::fails(
            "7.1",
            "rejects another width that does not divide, naming both numbers",
            split(&Array2::zeros((3, 10)), 3),
            &["10", "3"],
        ),
        Check::fails(
            "7.1",
            "rejects 0 heads",
            split(&Array2::zeros((2, 6)), 0),
            &[],
        ),
        Check::fails(
            "7.1",
            "rejects an empty matrix",
            json!({"x": [], "n_heads": 2}),
            &[],
        ),
        Check::fails(
            "7.1",
            "rejects rows with no columns",
            json!({"x": [[], []], "n_heads": 2}),
            &[],
        ),
    ];
    let mut case = 0;
    for (t, n_heads, d_head) in
        [(5, 4, 3), (7, 3, 2), (1, 6, 1), (4, 1, 5), (9, 2, 4)]
    {
        case += 1;
        out.push(Check::matches(
            "7.1",
            format!("hidden random case {case}"),
            split(&rng.normal_matrix(t, n_heads * d_head), n_heads),
            Tol::EXACT,
        ));
    }
    let x = rng.normal_matrix(6, 12);
    out.push(Check::property(
        "7.1",
        "each head holds its own block of columns, for every head count",
        move |ask: &mut dyn Oracle| {
            for n_heads in [1, 2, 3, 4, 6, 12] {
                let d_head = 12 / n_heads;
                let got = value(ask.ask("7.1", &split(&x, n_heads)))?;
                let want =
                    Array3::from_shape_fn((n_heads, 6, d_head), |(h, t, c)| {
                        x[[t, h * d_head + c]]
                    });
                if !close(&got, &from_array3(want.view()), Tol::EXACT) {
                    return Err("a head does not hold columns h * d_head to \
                                (h + 1) * d_head - 1 of every row"
                        .into());
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_7_2(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "7.2",
            "the statement's example",
            json!({
                "heads": [[[1.0, 2.0], [5.0, 6.0]], [[3.0, 4.0], [7.0, 8.0]]],
            }),
            Tol::EXACT,
        ),
        Check::matches(
            "7.2",
            "three heads of width 1",
            merge(&Array3::from_shape_fn((3, 2, 1), |(h, t, _)| {
                (10 * h + t) as f64
            })),
            Tol::EXACT,
        ),
        Check::matches(
            "7.2",
            "a single head",
            json!({"heads": [[[1.0, 2.0, 3.0]]]}),
            Tol::EXACT,
        ),
        Check::fails(
            "7.2",
            "rejects an empty input",
            json!({"heads": []}),
            &[],
        ),
    ];
    if let Ok(stack) = journey_stack(Mask::None)
        && let Ok(o) = stack.forward(journey().x.view())
    {
        let heads = Array3::from_shape_fn((4, 6, 2), |(h, t, c)| {
            o.concatenated[[t, 2 * h + c]]
        });
        out.push(Check::matches(
            "7.2",
            "the journey layer's heads",
            merge(&heads),
            Tol::EXACT,
        ));
    }
    let mut case = 0;
    for (n_heads, t, d_head) in [(1, 1, 1), (4, 3, 2), (2, 6, 5), (8, 2, 3)] {
        case += 1;
        let heads =
            Array3::from_shape_simple_fn((n_heads, t, d_head), || rng.normal());
        out.push(Check::matches(
            "7.2",
            format!("hidden random case {case}"),
            merge(&heads),
            Tol::EXACT,
        ));
    }
    let x = rng.normal_matrix(5, 12);
    out.push(Check::property(
        "7.2",
        "merging heads split by columns gives the matrix back",
        move |ask: &mut dyn Oracle| {
            for n_heads in [1, 2, 3, 4, 6, 12] {
                let d_head = 12 / n_heads;
                let heads =
                    Array3::from_shape_fn((n_heads, 5, d_head), |(h, t, c)| {
                        x[[t, h * d_head + c]]
                    });
                let got = value(ask.ask("7.2", &merge(&heads)))?;
                if !close(&got, &from_matrix(x.view()), Tol::EXACT) {
                    return Err("merging did not undo the split".into());
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_7_3(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "7.3",
            "the statement's example",
            json!({
                "weights": [[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]],
            }),
            Tol::F64,
        ),
        Check::matches(
            "7.3",
            "one head is its own average",
            json!({"weights": [[[0.25, 0.75], [0.6, 0.4]]]}),
            Tol::F64,
        ),
        Check::fails(
            "7.3",
            "rejects an empty input",
            json!({"weights": []}),
            &[],
        ),
        Check::fails(
            "7.3",
            "rejects a NaN, naming the shape",
            json!({
                "weights": [
                    [[0.5, 0.5], [0.5, 0.5]],
                    [[0.5, "NaN"], [0.5, 0.5]]
                ],
            }),
            &["(2, 2, 2)"],
        ),
        Check::fails(
            "7.3",
            "rejects an infinity",
            json!({"weights": [[[0.5, 0.5], ["inf", 0.5]]]}),
            &["(1, 2, 2)"],
        ),
    ];
    for (name, mask) in [("unmasked", Mask::None), ("causal", Mask::Causal)] {
        if let Ok(stack) = journey_stack(mask)
            && let Ok(o) = stack.forward(journey().x.view())
        {
            out.push(Check::matches(
                "7.3",
                format!("the journey layer's {name} heads"),
                average(&o.weights),
                Tol::F64,
            ));
        }
    }
    let mut layers = Vec::new();
    let mut case = 0;
    for (d_in, d_out, n_heads, t, mask) in [
        (4, 6, 3, 5, Mask::None),
        (3, 8, 8, 4, Mask::Causal),
        (5, 4, 1, 7, Mask::None),
        (2, 6, 2, 9, Mask::Causal),
    ] {
        let Ok(layer) =
            MultiHeadAttention::random(d_in, d_out, n_heads, mask, rng)
        else {
            continue;
        };
        let x = rng.normal_matrix(t, d_in);
        if let Ok(o) = layer.forward(x.view()) {
            case += 1;
            out.push(Check::matches(
                "7.3",
                format!("hidden random case {case}"),
                average(&o.weights),
                Tol::F64,
            ));
            layers.push((o.weights, mask));
        }
    }
    out.push(Check::property(
        "7.3",
        "rows still sum to 1, and causal heads average to a causal matrix",
        move |ask: &mut dyn Oracle| {
            for (w, mask) in &layers {
                let got = value(ask.ask("7.3", &average(w)))?;
                // Every entry a finite number: a row of text cannot
                // sum to 1 by skipping what is not a number.
                let rows = matrix(&got)?;
                for (i, row) in rows.iter().enumerate() {
                    if exceeds((row.iter().sum::<f64>() - 1.0).abs(), 1e-9) {
                        return Err(
                            "a row of the average does not sum to 1".into()
                        );
                    }
                    if *mask == Mask::Causal
                        && row.iter().skip(i + 1).any(|&x| x != 0.0)
                    {
                        return Err(
                            "causal heads averaged to weight on a future token"
                                .into(),
                        );
                    }
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_7_4(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = Vec::new();
    for (i, (d, h, kv, bias)) in [
        (8, 4, 2, false),
        (8, 4, 2, true),
        (768, 12, 12, true),
        (768, 12, 1, true),
        (8192, 64, 8, false),
        (4096, 32, 8, false),
        (12, 6, 3, true),
        (6, 3, 3, false),
        (1, 1, 1, true),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(Check::matches(
            "7.4",
            format!("layer size {}", i + 1),
            gqa(d, h, kv, bias),
            Tol::EXACT,
        ));
    }
    for (name, input, mentions) in [
        (
            "rejects query heads that do not split \
                into groups, naming both numbers",
            gqa(768, 12, 5, false),
            &["12", "5"][..],
        ),
        ("rejects 0 key/value heads", gqa(768, 12, 0, false), &[]),
        (
            "rejects a width that does not divide into heads",
            gqa(768, 5, 1, false),
            &["768", "5"],
        ),
        ("rejects 0 query heads", gqa(768, 0, 1, false), &[]),
        ("rejects d_model = 0", gqa(0, 4, 2, true), &[]),
        (
            "rejects more key/value heads than query heads",
            gqa(64, 4, 8, false),
            &["4", "8"],
        ),
    ] {
        out.push(Check::fails("7.4", name, input, mentions));
    }
    let mut sizes = Vec::new();
    for i in 0..6 {
        let d_head = 1 + (rng.next_u64() % 128) as usize;
        let groups = 1 + (rng.next_u64() % 8) as usize;
        let kv = 1 + (rng.next_u64() % 8) as usize;
        let h = groups * kv;
        let bias = rng.next_u64().is_multiple_of(2);
        out.push(Check::matches(
            "7.4",
            format!("hidden layer size {}", i + 1),
            gqa(h * d_head, h, kv, bias),
            Tol::EXACT,
        ));
        sizes.push((h * d_head, h, bias));
    }
    out.push(Check::property(
        "7.4",
        "one key/value head per query head is the \
            ordinary layer, and fewer never cost more",
        move |ask: &mut dyn Oracle| {
            for &(d, h, bias) in &sizes {
                let full = value(ask.ask("7.4", &gqa(d, h, h, bias)))?;
                let want = parameter_count(d, d, h, bias).map_err(|_| {
                    "the judge could \
                        not size this layer"
                        .to_string()
                })?;
                if full.as_u64() != Some(want as u64) {
                    return Err(
                        "with as many key/value heads as query heads the \
                                count differs from the ordinary layer's"
                            .into(),
                    );
                }
                let one = value(ask.ask("7.4", &gqa(d, h, 1, bias)))?;
                if one.as_u64().is_none_or(|n| n > want as u64) {
                    return Err("one shared key/value head costs \
                        more than one per query head"
                        .into());
                }
            }
            Ok(())
        },
    ));
    out
}
