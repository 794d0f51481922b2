//! Chapter 5's checks.
//!
//! Fixed cases first (the visible tests' tiny inputs and the bad inputs
//! the statements name), then cases drawn from the hidden `seed`, which
//! the student never sees: other widths, numbers of keys and magnitudes,
//! and properties that call the student's code several times.

use crate::check::{
    Check, Oracle, Tol, close, exceeds, number, numbers, value,
};
use attn_common::answer::{Value, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ch05_trainable_weights::worked::journey_layer;
use ndarray::{Array1, Array2};

/// The input of exercise 5.1.
fn scores_input(q: &Array1<f64>, keys: &Array2<f64>) -> Value {
    json!({"query": from_vector(q.view()), "keys": from_matrix(keys.view())})
}

/// The input of exercise 5.2.
fn variance_input(d_k: usize, std_dev: f64, pairs: usize, seed: u64) -> Value {
    json!({"d_k": d_k, "std_dev": std_dev, "pairs": pairs, "seed": seed})
}

/// The checks of chapter 5's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x05);
    let mut out = ex_5_1(&mut rng);
    out.extend(ex_5_2(&mut rng));
    out.extend(ex_5_3(&mut rng));
    out
}

fn ex_5_1(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "5.1",
            "the statement's example",
            json!({
                "query": [1.0, 0.0],
                "keys": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            }),
            Tol::F64,
        ),
        Check::matches(
            "5.1",
            "divides by the square root of the width",
            json!({
                "query": [1.0, 1.0, 1.0, 1.0],
                "keys": [[2.0, 2.0, 2.0, 2.0]],
            }),
            Tol::F64,
        ),
        Check::matches(
            "5.1",
            "a width of 1 (no scaling)",
            json!({"query": [3.0], "keys": [[2.0], [-0.5], [0.0]]}),
            Tol::F64,
        ),
        Check::matches(
            "5.1",
            "huge magnitudes stay finite",
            json!({"query": [1e150, 1e150], "keys": [[1e150, 1e150]]}),
            Tol::F64,
        ),
        Check::matches(
            "5.1",
            "tiny magnitudes keep their digits",
            json!({"query": [1e-100, 3e-100], "keys": [[2e-100, -1e-100]]}),
            Tol::new(0.0, 1e-9),
        ),
        Check::fails(
            "5.1",
            "rejects a query wider than the keys, naming both shapes",
            json!({"query": [1.0, 0.0, 1.0], "keys": [[1.0, 1.0], [1.0, 1.0]]}),
            &["(3,)", "(2, 2)"],
        ),
        Check::fails(
            "5.1",
            "rejects keys wider than the query, naming both shapes",
            json!({
                "query": [1.0, 1.0, 1.0, 1.0, 1.0],
                "keys": [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]],
            }),
            &["(5,)", "(2, 4)"],
        ),
        Check::fails(
            "5.1",
            "rejects a NaN in the keys",
            json!({"query": [1.0, 2.0], "keys": [[1.0, 0.0], ["NaN", 1.0]]}),
            &["(2, 2)"],
        ),
        Check::fails(
            "5.1",
            "rejects an infinite key entry",
            json!({"query": [1.0, 2.0], "keys": [[1.0, 0.0], ["inf", 1.0]]}),
            &["(2, 2)"],
        ),
        Check::fails(
            "5.1",
            "rejects a non-finite query",
            json!({"query": ["-inf", 0.0], "keys": [[1.0, 1.0]]}),
            &["(2,)"],
        ),
        Check::fails(
            "5.1",
            "rejects an empty sequence of keys",
            json!({"query": [1.0, 2.0], "keys": []}),
            &[],
        ),
        Check::fails(
            "5.1",
            "rejects an empty query",
            json!({"query": [], "keys": [[1.0, 1.0], [1.0, 1.0]]}),
            &[],
        ),
        Check::fails(
            "5.1",
            "rejects keys with no features",
            json!({"query": [], "keys": [[], []]}),
            &[],
        ),
    ];
    // The journey layer's queries against its keys (the visible test's
    // idea, row by row).
    let x = journey().x;
    if let Ok(layer) = journey_layer()
        && let (Ok(q), Ok(k)) = (layer.queries(x.view()), layer.keys(x.view()))
    {
        for i in [0, q.nrows() - 1] {
            out.push(Check::matches(
                "5.1",
                format!("the journey layer, query {i}"),
                scores_input(&q.row(i).to_owned(), &k),
                Tol::F64,
            ));
        }
    }
    for (i, (d_k, t, scale)) in [
        (1, 3, 3.0),
        (3, 1, 1.0),
        (7, 9, 3.0),
        (16, 4, 0.01),
        (33, 12, 20.0),
    ]
    .into_iter()
    .enumerate()
    {
        let q = rng.normal_matrix(1, d_k).row(0).to_owned();
        let keys = rng.normal_matrix(t, d_k).mapv(|x| scale * x);
        out.push(Check::matches(
            "5.1",
            format!("hidden random case {}", i + 1),
            scores_input(&q, &keys),
            Tol::F64,
        ));
    }
    let q = rng.normal_matrix(1, 5).row(0).to_owned();
    let keys = rng.normal_matrix(6, 5);
    out.push(Check::property(
        "5.1",
        "scales linearly with the query",
        move |ask: &mut dyn Oracle| {
            let one =
                numbers(&value(ask.ask("5.1", &scores_input(&q, &keys)))?)?;
            let q2 = &q * 2.0;
            let two = value(ask.ask("5.1", &scores_input(&q2, &keys)))?;
            let doubled: Vec<f64> = one.iter().map(|x| 2.0 * x).collect();
            if close(&two, &json!(doubled), Tol::F64) {
                Ok(())
            } else {
                Err("doubling the query did not double the scores".into())
            }
        },
    ));
    let q = rng.normal_matrix(1, 4).row(0).to_owned();
    let keys = rng.normal_matrix(5, 4);
    out.push(Check::property(
        "5.1",
        "reordering the keys reorders the scores",
        move |ask: &mut dyn Oracle| {
            let one =
                numbers(&value(ask.ask("5.1", &scores_input(&q, &keys)))?)?;
            let mut reversed = keys.clone();
            reversed.invert_axis(ndarray::Axis(0));
            let two = value(ask.ask("5.1", &scores_input(&q, &reversed)))?;
            let back: Vec<f64> = one.iter().rev().copied().collect();
            if close(&two, &json!(back), Tol::F64) {
                Ok(())
            } else {
                Err("reversing the keys did not reverse the scores".into())
            }
        },
    ));
    out
}

fn ex_5_2(rng: &mut SplitMix64) -> Vec<Check> {
    // The reference uses the same seed; a correct answer differs from it
    // only by rounding (another order of summation, say).
    let tol = Tol::new(1e-12, 1e-9);
    let mut out = Vec::new();
    for (name, (d_k, std_dev, pairs, s)) in [
        (
            "the chapter's setting for d_k = 8, fresh generator",
            (8, 1.0, 2000, 2017),
        ),
        ("the statement's example, d_k = 64", (64, 1.0, 2000, 5)),
        ("a standard deviation of 0.5", (64, 0.5, 2000, 5)),
        ("the smallest legal call: 2 pairs", (1, 1e-3, 2, 1)),
        (
            "hidden case 1",
            (1 + (rng.next_u64() % 40) as usize, 0.3, 50, rng.next_u64()),
        ),
        (
            "hidden case 2",
            (5, 2.5, 2 + (rng.next_u64() % 10) as usize, rng.next_u64()),
        ),
        ("hidden case 3", (2, 0.01, 50, rng.next_u64())),
        ("hidden case 4", (33, 1.7, 400, rng.next_u64())),
        (
            "hidden case 5",
            (128, 1.0, 10, u64::MAX - (rng.next_u64() % 1000)),
        ),
    ] {
        out.push(Check::matches(
            "5.2",
            name,
            variance_input(d_k, std_dev, pairs, s),
            tol,
        ));
    }
    for (name, input) in [
        ("rejects fewer than 2 pairs", variance_input(4, 1.0, 1, 1)),
        ("rejects 0 pairs", variance_input(4, 1.0, 0, 1)),
        ("rejects d_k = 0", variance_input(0, 1.0, 100, 1)),
        (
            "rejects a standard deviation of 0",
            variance_input(4, 0.0, 100, 1),
        ),
        (
            "rejects a standard deviation of -0",
            variance_input(4, -0.0, 100, 1),
        ),
        (
            "rejects a negative standard deviation",
            variance_input(4, -1.0, 100, 1),
        ),
        (
            "rejects a NaN standard deviation",
            json!({"d_k": 4, "std_dev": "NaN", "pairs": 100, "seed": 1}),
        ),
        (
            "rejects an infinite standard deviation",
            json!({"d_k": 4, "std_dev": "inf", "pairs": 100, "seed": 1}),
        ),
    ] {
        out.push(Check::fails("5.2", name, input, &[]));
    }
    let (d_k, s) = (1 + (rng.next_u64() % 20) as usize, rng.next_u64());
    out.push(Check::property(
        "5.2",
        "scales with the fourth power of the standard deviation",
        move |ask: &mut dyn Oracle| {
            let unit = number(&value(
                ask.ask("5.2", &variance_input(d_k, 1.0, 300, s)),
            )?)?;
            for std_dev in [0.2, 3.0, 1e-3, 1e3] {
                let got = number(&value(
                    ask.ask("5.2", &variance_input(d_k, std_dev, 300, s)),
                )?)?;
                let want = unit * std_dev.powi(4);
                if exceeds((got / want - 1.0).abs(), 1e-9) {
                    return Err(
                        "the same seed with a larger standard deviation \
                                did not scale the variance by its fourth power"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
    let s = rng.next_u64();
    out.push(Check::property(
        "5.2",
        "is reproducible and depends on the seed",
        move |ask: &mut dyn Oracle| {
            let a = value(ask.ask("5.2", &variance_input(16, 1.0, 100, s)))?;
            let b = value(ask.ask("5.2", &variance_input(16, 1.0, 100, s)))?;
            let c =
                value(ask.ask("5.2", &variance_input(16, 1.0, 100, s ^ 1)))?;
            if a != b {
                return Err("the same seed gave two different answers".into());
            }
            if a == c {
                return Err("two seeds gave the same answer".into());
            }
            Ok(())
        },
    ));
    out
}

fn ex_5_3(rng: &mut SplitMix64) -> Vec<Check> {
    let mut sizes = vec![
        (3, 2, false),
        (3, 2, true),
        (768, 768, false),
        (768, 768, true),
        (1, 1, false),
        (1, 1, true),
        (5, 2, true),
        (2, 5, true),
        (5, 2, false),
        (12_288, 12_288, true),
        (4096, 128, true),
    ];
    for _ in 0..4 {
        let d_in = 1 + (rng.next_u64() % 300) as usize;
        let d_out = 1 + (rng.next_u64() % 300) as usize;
        sizes.push((d_in, d_out, rng.next_u64().is_multiple_of(2)));
    }
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, (d_in, d_out, bias))| {
            let name = if i < 11 {
                format!("layer size {}", i + 1)
            } else {
                format!("hidden layer size {}", i - 10)
            };
            Check::matches(
                "5.3",
                name,
                json!({"d_in": d_in, "d_out": d_out, "bias": bias}),
                Tol::EXACT,
            )
        })
        .collect()
}
