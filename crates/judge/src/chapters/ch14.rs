//! Chapter 14's checks.
//!
//! Fixed cases first (the statements' examples, edge cases and the bad
//! inputs the statements name), then cases drawn from the hidden `seed`,
//! then properties: a RoPE score depends only on the offset between two
//! positions, a rotation keeps a vector's length, and a normalised row has
//! mean 0.

use crate::check::{Check, Oracle, Tol, exceeds, numbers, value};
use attn_common::answer::{Value, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::Array1;

/// A random vector of width `d` with entries of about `scale`.
fn random_vector(rng: &mut SplitMix64, d: usize, scale: f64) -> Array1<f64> {
    rng.normal_matrix(1, d).row(0).mapv(|x| scale * x)
}

/// The input of exercise 14.2.
fn rotate_input(x: &Array1<f64>, position: usize) -> Value {
    json!({"x": from_vector(x.view()), "position": position})
}

/// The input of exercise 14.3.
fn normalise_input(x: &Array1<f64>, eps: f64) -> Value {
    json!({"x": from_vector(x.view()), "eps": eps})
}

/// The checks of chapter 14's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x14);
    let mut out = Vec::new();
    encodings(&mut out, &mut rng);
    rotations(&mut out, &mut rng);
    norms(&mut out, &mut rng);
    counts(&mut out, &mut rng);
    out
}

fn encodings(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ask = |t: usize, d: usize| json!({"t": t, "d_model": d});
    for (name, t, d) in [
        ("the statement's example", 2, 2),
        ("the chapter's table, d_model = 4", 4, 4),
        ("one position", 1, 8),
        ("a width of 1", 5, 1),
        ("an odd width", 6, 5),
        ("a long sequence", 200, 16),
    ] {
        out.push(Check::matches("14.1", name, ask(t, d), Tol::F64));
    }
    for i in 0..3 {
        let t = 1 + (rng.next_u64() % 60) as usize;
        let d = 1 + (rng.next_u64() % 40) as usize;
        out.push(Check::matches(
            "14.1",
            format!("hidden size {}", i + 1),
            ask(t, d),
            Tol::F64,
        ));
    }
    out.push(Check::fails("14.1", "rejects t = 0", ask(0, 4), &[]));
    out.push(Check::fails("14.1", "rejects d_model = 0", ask(4, 0), &[]));
}

fn rotations(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let x = |v: &[f64]| Array1::from(v.to_vec());
    for (name, v, p) in [
        ("the statement's example", x(&[1.0, 0.0]), 1),
        ("position 0 changes nothing", x(&[0.3, -1.0, 2.0, 0.5]), 0),
        ("a width of 4 at position 3", x(&[1.0, 0.5, -0.3, 0.8]), 3),
        (
            "a far position",
            x(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            100_000,
        ),
    ] {
        out.push(Check::matches("14.2", name, rotate_input(&v, p), Tol::F64));
    }
    for i in 0..4 {
        let d = 2 * (1 + (rng.next_u64() % 16) as usize);
        let v = random_vector(rng, d, 2.0);
        let p = (rng.next_u64() % 2048) as usize;
        out.push(Check::matches(
            "14.2",
            format!("hidden vector {}", i + 1),
            rotate_input(&v, p),
            Tol::F64,
        ));
    }
    out.push(Check::fails(
        "14.2",
        "rejects an odd width, naming the shape",
        json!({"x": [1.0, 2.0, 3.0], "position": 1}),
        &["(3,)"],
    ));
    out.push(Check::fails(
        "14.2",
        "rejects a NaN, naming the shape",
        json!({"x": [1.0, "NaN"], "position": 1}),
        &["(2,)"],
    ));
    out.push(Check::fails(
        "14.2",
        "rejects an empty vector",
        json!({"x": [], "position": 1}),
        &[],
    ));
    let pairs = 1 + (rng.next_u64() % 6) as usize;
    let q = random_vector(rng, 2 * pairs, 1.0);
    let k = random_vector(rng, 2 * pairs, 1.0);
    let positions: Vec<(usize, usize, usize)> = (0..4)
        .map(|_| {
            let m = (rng.next_u64() % 300) as usize;
            let n = (rng.next_u64() % 300) as usize;
            (m, n, 1 + (rng.next_u64() % 300) as usize)
        })
        .collect();
    out.push(Check::property(
        "14.2",
        "the score of two rotated vectors depends only on their offset",
        move |ask: &mut dyn Oracle| {
            let score = |ask: &mut dyn Oracle, m: usize, n: usize| {
                let a =
                    numbers(&value(ask.ask("14.2", &rotate_input(&q, m)))?)?;
                let b =
                    numbers(&value(ask.ask("14.2", &rotate_input(&k, n)))?)?;
                Ok::<f64, String>(a.iter().zip(&b).map(|(x, y)| x * y).sum())
            };
            for &(m, n, shift) in &positions {
                let here = score(ask, m, n)?;
                let there = score(ask, m + shift, n + shift)?;
                if exceeds((here - there).abs(), 1e-9 * (1.0 + here.abs())) {
                    return Err("moving both positions by the same amount \
                                changed the score"
                        .into());
                }
            }
            Ok(())
        },
    ));
    let v = random_vector(rng, 8, 3.0);
    let spots: Vec<usize> =
        (0..4).map(|_| (rng.next_u64() % 5000) as usize).collect();
    out.push(Check::property(
        "14.2",
        "a rotation keeps the vector's length",
        move |ask: &mut dyn Oracle| {
            let want: f64 = v.iter().map(|x| x * x).sum();
            for &p in &spots {
                let got =
                    numbers(&value(ask.ask("14.2", &rotate_input(&v, p)))?)?;
                let got: f64 = got.iter().map(|x| x * x).sum();
                if exceeds((got - want).abs(), 1e-9 * want) {
                    return Err("a rotated vector has another length".into());
                }
            }
            Ok(())
        },
    ));
}

fn norms(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let x = |v: &[f64]| Array1::from(v.to_vec());
    for (name, v, eps) in [
        ("the statement's example", x(&[1.0, 2.0, 3.0]), 0.0),
        ("GPT-2's eps", x(&[1.0, 2.0, 3.0]), 1e-5),
        ("a flat row", x(&[5.0, 5.0]), 1e-5),
        ("one entry", x(&[4.0]), 1e-5),
        ("large values", x(&[1e6, -3e6, 2e6, 0.0]), 0.0),
    ] {
        out.push(Check::matches(
            "14.3",
            name,
            normalise_input(&v, eps),
            Tol::F64,
        ));
    }
    for i in 0..4 {
        let d = 2 + (rng.next_u64() % 30) as usize;
        let v = random_vector(rng, d, 5.0);
        out.push(Check::matches(
            "14.3",
            format!("hidden row {}", i + 1),
            normalise_input(&v, 1e-5),
            Tol::F64,
        ));
    }
    out.push(Check::fails(
        "14.3",
        "rejects an infinite entry, naming the shape",
        json!({"x": [1.0, "inf"], "eps": 0.0}),
        &["(2,)"],
    ));
    out.push(Check::fails(
        "14.3",
        "rejects an empty row",
        json!({"x": [], "eps": 1e-5}),
        &[],
    ));
    out.push(Check::fails(
        "14.3",
        "rejects a negative eps",
        json!({"x": [1.0, 2.0], "eps": -1.0}),
        &[],
    ));
    let rows: Vec<Array1<f64>> = (0..4)
        .map(|_| {
            let d = 2 + (rng.next_u64() % 20) as usize;
            let shift = 10.0 * rng.normal();
            random_vector(rng, d, 4.0).mapv(|v| v + shift)
        })
        .collect();
    out.push(Check::property(
        "14.3",
        "every normalised row has mean 0 and variance at most 1",
        move |ask: &mut dyn Oracle| {
            for row in &rows {
                let got = numbers(&value(
                    ask.ask("14.3", &normalise_input(row, 1e-5)),
                )?)?;
                let n = got.len() as f64;
                let mean = got.iter().sum::<f64>() / n;
                let var =
                    got.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                if got.len() != row.len() {
                    return Err("the row changed length".into());
                }
                if exceeds(mean.abs(), 1e-9) {
                    return Err("a normalised row does not have mean 0".into());
                }
                if !(0.9..=1.0 + 1e-9).contains(&var) {
                    return Err(
                        "a normalised row's variance is not just under 1"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
}

fn counts(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ask = |d: usize, f: usize| json!({"d_model": d, "d_ff": f});
    for (name, d, f) in [
        ("the statement's example", 2, 8),
        ("GPT-2 small's block", 768, 3072),
        ("GPT-2 medium's block", 1024, 4096),
        ("a width of 1", 1, 1),
        ("no feed-forward hidden units", 4, 0),
    ] {
        out.push(Check::matches("14.4", name, ask(d, f), Tol::EXACT));
    }
    for i in 0..4 {
        let d = 1 + (rng.next_u64() % 2000) as usize;
        let f = (rng.next_u64() % 8000) as usize;
        out.push(Check::matches(
            "14.4",
            format!("hidden sizes {}", i + 1),
            ask(d, f),
            Tol::EXACT,
        ));
    }
}
