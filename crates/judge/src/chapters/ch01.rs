//! Chapter 1's checks.
//!
//! Fixed cases first (the story memory's keys, the nudged and halfway
//! queries, ties away from row 0, all-negative scores, extreme
//! temperatures, and bad inputs), then cases drawn from the hidden `seed`,
//! which the student never sees: random memories of other sizes, and
//! properties that call the student's code several times.

use crate::check::{Check, Oracle, Tol, close, exceeds, value};
use attn_common::answer::{Value, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ch01_attention_intuition::memory::Memory;
use ch01_attention_intuition::worked::{
    GOLLUM, aragorn_nudged, between_gollum_and_ring, story_memory,
};
use ndarray::{Array1, Array2, array};

/// A memory and a query as an input of exercise 1.1.
fn lookup(
    keys: &Array2<f64>,
    values: &Array2<f64>,
    query: &Array1<f64>,
) -> Value {
    json!({
        "keys": from_matrix(keys.view()),
        "values": from_matrix(values.view()),
        "query": from_vector(query.view()),
    })
}

/// A memory, a query and a temperature as an input of exercise 1.2.
fn read(
    keys: &Array2<f64>,
    values: &Array2<f64>,
    query: &Array1<f64>,
    tau: f64,
) -> Value {
    let mut input = lookup(keys, values, query);
    input["temperature"] = json!(tau);
    input
}

/// A random memory of `t` entries with keys and values uniform in
/// `[-3, 3)` (distinct keys with probability 1), and a random query.
fn random_memory(
    rng: &mut SplitMix64,
    t: usize,
    d_k: usize,
    d_v: usize,
) -> (Array2<f64>, Array2<f64>, Array1<f64>) {
    let keys = rng.uniform_matrix(t, d_k, -3.0, 3.0);
    let values = rng.uniform_matrix(t, d_v, -3.0, 3.0);
    let query = rng.uniform_matrix(1, d_k, -3.0, 3.0).row(0).to_owned();
    (keys, values, query)
}

/// The checks of chapter 1's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x01);
    let Ok(story) = story_memory() else {
        return Vec::new();
    };
    let mut out = ex_1_1(&mut rng, &story);
    out.extend(ex_1_2(&mut rng, &story));
    out
}

fn ex_1_1(rng: &mut SplitMix64, story: &Memory) -> Vec<Check> {
    let keys = story.keys().to_owned();
    let values = story.values().to_owned();
    let mut out = Vec::new();
    for row in 0..keys.nrows() {
        out.push(Check::matches(
            "1.1",
            format!("finds stored key {row} of the story memory"),
            lookup(&keys, &values, &keys.row(row).to_owned()),
            Tol::EXACT,
        ));
    }
    for (name, query) in [
        ("the nudged Aragorn query", aragorn_nudged(story)),
        (
            "halfway between Gollum and the Ring (a tie)",
            between_gollum_and_ring(story),
        ),
        (
            "the largest score is neither first nor last",
            array![-2.0, 0.0, 3.0, 0.0, 0.0],
        ),
        (
            "a tie between rows 2 and 4",
            array![0.0, 0.0, 1.0, -1.0, 0.0],
        ),
        ("the zero query (a five-way tie)", Array1::zeros(5)),
        (
            "a three-way tie from row 1",
            array![-1.0, 0.0, 0.0, 1.0, 1.0],
        ),
    ] {
        out.push(Check::matches(
            "1.1",
            name,
            lookup(&keys, &values, &query),
            Tol::EXACT,
        ));
    }
    out.push(Check::matches(
        "1.1",
        "all-negative scores",
        json!({
            "keys": [[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
            "values": [[1.0], [2.0], [3.0]],
            "query": [-1.0, -2.0],
        }),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "1.1",
        "a one-entry memory",
        json!({"keys": [[2.0, -1.0]], "values": [[5.0]], "query": [-4.0, 3.0]}),
        Tol::EXACT,
    ));
    out.push(Check::fails(
        "1.1",
        "rejects a query of the wrong width, naming the shapes",
        lookup(&keys, &values, &array![1.0, 0.0]),
        &["(2,)", "(5, 5)"],
    ));
    out.push(Check::fails(
        "1.1",
        "rejects a query too wide",
        lookup(&keys, &values, &Array1::ones(6)),
        &["(6,)", "(5, 5)"],
    ));
    out.push(Check::fails(
        "1.1",
        "rejects a NaN in the query",
        lookup(&keys, &values, &array![0.0, f64::NAN, 0.0, 0.0, 0.0]),
        &["(5,)"],
    ));
    out.push(Check::fails(
        "1.1",
        "rejects an empty query",
        lookup(&keys, &values, &Array1::zeros(0)),
        &["(0,)"],
    ));
    let mut case = 0;
    let mut kept = Vec::new();
    for (t, d_k) in [(1, 1), (2, 3), (5, 2), (8, 4), (13, 6), (40, 3)] {
        for _ in 0..3 {
            case += 1;
            let (k, v, q) = random_memory(rng, t, d_k, 2);
            out.push(Check::matches(
                "1.1",
                format!("hidden random case {case}"),
                lookup(&k, &v, &q),
                Tol::EXACT,
            ));
            kept.push((k, v, q));
        }
    }
    kept.truncate(6);
    out.push(Check::property(
        "1.1",
        "a louder query (times 3) finds the same entry",
        move |ask: &mut dyn Oracle| {
            for (k, v, q) in &kept {
                let a = value(ask.ask("1.1", &lookup(k, v, q)))?;
                let b =
                    value(ask.ask("1.1", &lookup(k, v, &q.mapv(|x| 3.0 * x))))?;
                if a != b {
                    return Err(
                        "multiplying the query by 3 changed the entry found"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_1_2(rng: &mut SplitMix64, story: &Memory) -> Vec<Check> {
    let keys = story.keys().to_owned();
    let values = story.values().to_owned();
    let gollum = keys.row(GOLLUM).to_owned();
    let mut out = Vec::new();
    for (name, query, tau) in [
        ("Gollum's key at temperature 1", gollum.clone(), 1.0),
        ("Gollum's key at temperature 1/4", gollum.clone(), 0.25),
        ("Gollum's key at a hot temperature", gollum.clone(), 1e6),
        ("Gollum's key at a tiny temperature", gollum.clone(), 1e-3),
        (
            "the halfway query at temperature 1",
            between_gollum_and_ring(story),
            1.0,
        ),
        (
            "the nudged Aragorn query at temperature 2",
            aragorn_nudged(story),
            2.0,
        ),
    ] {
        out.push(Check::matches(
            "1.2",
            name,
            read(&keys, &values, &query, tau),
            Tol::F64,
        ));
    }
    out.push(Check::matches(
        "1.2",
        "two entries at temperature 1/2",
        json!({
            "keys": [[1.0, 0.0], [0.0, 1.0]],
            "values": [[2.0], [4.0]],
            "query": [1.0, 0.0],
            "temperature": 0.5,
        }),
        Tol::F64,
    ));
    for (name, tau) in [
        ("rejects a temperature of 0", json!(0.0)),
        ("rejects a temperature of -0", json!(-0.0)),
        ("rejects a negative temperature", json!(-1.0)),
        ("rejects a tiny negative temperature", json!(-1e-300)),
        ("rejects a NaN temperature", json!("NaN")),
        ("rejects an infinite temperature", json!("inf")),
        ("rejects minus infinity", json!("-inf")),
    ] {
        let mut input = lookup(&keys, &values, &gollum);
        input["temperature"] = tau;
        out.push(Check::fails("1.2", name, input, &["temperature"]));
    }
    out.push(Check::fails(
        "1.2",
        "rejects a query of the wrong width, naming its shape",
        read(&keys, &values, &array![1.0], 1.0),
        &["(1,)"],
    ));
    out.push(Check::fails(
        "1.2",
        "rejects an infinite query even at a good temperature",
        read(
            &keys,
            &values,
            &array![0.0, 1.0, f64::INFINITY, 0.0, 0.0],
            2.0,
        ),
        &["(5,)"],
    ));
    let mut case = 0;
    for (t, d_k, d_v) in
        [(1, 2, 1), (3, 1, 2), (6, 4, 3), (9, 5, 2), (20, 3, 4)]
    {
        for tau in [0.05, 0.3, 1.7, 25.0] {
            case += 1;
            let (k, v, q) = random_memory(rng, t, d_k, d_v);
            out.push(Check::matches(
                "1.2",
                format!("hidden random case {case}"),
                read(&k, &v, &q, tau),
                Tol::F64,
            ));
        }
    }
    let (k, v, q) = random_memory(rng, 7, 4, 3);
    let tau = rng.uniform_in(0.1, 5.0);
    out.push(Check::property(
        "1.2",
        "temperature tau reads like the query \
            divided by tau, and the weights sum to 1",
        move |ask: &mut dyn Oracle| {
            let cold = value(ask.ask("1.2", &read(&k, &v, &q, tau)))?;
            let plain = value(
                ask.ask("1.2", &read(&k, &v, &q.mapv(|x| x / tau), 1.0)),
            )?;
            for part in ["weights", "output"] {
                let (Some(a), Some(b)) = (cold.get(part), plain.get(part))
                else {
                    return Err(format!("the answer has no `{part}`"));
                };
                if !close(a, b, Tol::F64) {
                    return Err(format!(
                        "the {part} at temperature tau differ from a read with \
                         the query divided by tau"
                    ));
                }
            }
            let total: f64 = cold["weights"]
                .as_array()
                .map(|w| w.iter().filter_map(Value::as_f64).sum())
                .unwrap_or(0.0);
            if exceeds((total - 1.0).abs(), 1e-9) {
                return Err("the weights do not sum to 1".into());
            }
            Ok(())
        },
    ));
    out
}
