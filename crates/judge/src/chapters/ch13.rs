//! Chapter 13's checks.
//!
//! Fixed cases first (the statements' examples, edge cases and the bad
//! inputs the statements name), then cases drawn from the hidden `seed`,
//! then properties: online softmax steps compose, and tiled attention
//! gives the naive result whatever the tile.

use crate::check::{Check, Oracle, Reply, Tol, close, exceeds, value};
use attn_common::answer::{from_matrix, json};
use attn_common::rng::SplitMix64;
use ch13_cost_of_attention::{Mask, naive_attention};
use ndarray::Array2;

/// The checks of chapter 13's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x13);
    let mut out = Vec::new();
    multiply_adds(&mut out, &mut rng);
    cache_bytes(&mut out, &mut rng);
    online_step(&mut out, &mut rng);
    tiled(&mut out, &mut rng);
    out
}

fn multiply_adds(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ask = |t_q: u64, t_k: u64, d_k: u64, d_v: u64| json!({"t_q": t_q, "t_k": t_k, "d_k": d_k, "d_v": d_v});
    out.push(Check::matches(
        "13.1",
        "the statement's example",
        ask(2, 3, 4, 5),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.1",
        "the chapter's T = 4096, d = 64",
        ask(4096, 4096, 64, 64),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.1",
        "one query, one key",
        ask(1, 1, 1, 1),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.1",
        "queries and keys of different lengths",
        ask(7, 1000, 16, 3),
        Tol::EXACT,
    ));
    out.push(Check::fails(
        "13.1",
        "rejects zero queries",
        ask(0, 3, 4, 5),
        &[],
    ));
    out.push(Check::fails(
        "13.1",
        "rejects values of width 0",
        ask(2, 3, 4, 0),
        &[],
    ));
    out.push(Check::fails(
        "13.1",
        "rejects a count too large for a u64",
        ask(u64::MAX, 2, 1, 1),
        &[],
    ));
    for i in 0..4 {
        let mut size = |hi: u64| 1 + rng.next_u64() % hi;
        let input = ask(size(200_000), size(200_000), size(256), size(256));
        out.push(Check::matches(
            "13.1",
            format!("hidden random case {}", i + 1),
            input,
            Tol::EXACT,
        ));
    }
}

fn cache_bytes(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ask =
        |n_layers: u64, n_kv_heads: u64, d_head: u64, t: u64, bytes: u64| {
            json!({"n_layers": n_layers, "n_kv_heads": n_kv_heads,
               "d_head": d_head, "t": t, "bytes_per_number": bytes})
        };
    out.push(Check::matches(
        "13.2",
        "the statement's example",
        ask(1, 2, 3, 4, 8),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.2",
        "GPT-2 small at 1,024 tokens",
        ask(12, 12, 64, 1024, 2),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.2",
        "multi-query: one key-value head",
        ask(80, 1, 128, 4096, 2),
        Tol::EXACT,
    ));
    out.push(Check::matches(
        "13.2",
        "an empty cache",
        ask(12, 12, 64, 0, 2),
        Tol::EXACT,
    ));
    out.push(Check::fails(
        "13.2",
        "rejects a model of 0 layers",
        ask(0, 12, 64, 10, 2),
        &[],
    ));
    out.push(Check::fails(
        "13.2",
        "rejects numbers of 0 bytes",
        ask(12, 12, 64, 10, 0),
        &[],
    ));
    out.push(Check::fails(
        "13.2",
        "rejects a size too large for a u64",
        ask(u64::MAX, 12, 64, 10, 2),
        &[],
    ));
    for i in 0..4 {
        let mut size = |hi: u64| 1 + rng.next_u64() % hi;
        let input = ask(
            size(100),
            size(64),
            size(256),
            size(200_000),
            [1, 2, 4, 8][i],
        );
        out.push(Check::matches(
            "13.2",
            format!("hidden random case {}", i + 1),
            input,
            Tol::EXACT,
        ));
    }
}

fn online_step(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ask = |max: serde_json::Value, sum: f64, scores: &[f64]| json!({"max": max, "sum": sum, "scores": scores});
    let e = (-1.0f64).exp() + 1.0;
    out.push(Check::matches(
        "13.3",
        "the statement's example: the first block",
        ask(json!("-inf"), 0.0, &[1.0, 2.0]),
        Tol::F64,
    ));
    out.push(Check::matches(
        "13.3",
        "a larger score rescales the old sum",
        ask(json!(2.0), e, &[3.0]),
        Tol::F64,
    ));
    out.push(Check::matches(
        "13.3",
        "smaller scores keep the max",
        ask(json!(2.0), 1.0, &[0.0, -1.0]),
        Tol::F64,
    ));
    out.push(Check::matches(
        "13.3",
        "large scores do not overflow",
        ask(json!(990.0), 1.5, &[1000.0, 999.0]),
        Tol::F64,
    ));
    out.push(Check::matches(
        "13.3",
        "very negative scores do not underflow to nothing",
        ask(json!("-inf"), 0.0, &[-1000.0, -1001.0]),
        Tol::F64,
    ));
    out.push(Check::fails(
        "13.3",
        "rejects an empty block of scores",
        ask(json!(0.0), 1.0, &[]),
        &["(0,)"],
    ));
    out.push(Check::fails(
        "13.3",
        "rejects a NaN score",
        json!({"max": 0.0, "sum": 1.0, "scores": [1.0, "NaN"]}),
        &[],
    ));
    out.push(Check::fails(
        "13.3",
        "rejects a negative running sum",
        ask(json!(0.0), -1.0, &[1.0]),
        &[],
    ));
    out.push(Check::fails(
        "13.3",
        "rejects a sum before any score",
        ask(json!("-inf"), 2.0, &[1.0]),
        &[],
    ));
    for i in 0..4 {
        let n = 1 + (rng.next_u64() % 8) as usize;
        let spread = [1.0, 5.0, 30.0, 300.0][i];
        let scores: Vec<f64> = (0..n).map(|_| spread * rng.normal()).collect();
        let (max, sum) = if i == 0 {
            (json!("-inf"), 0.0)
        } else {
            (json!(spread * rng.normal()), 1.0 + 4.0 * rng.uniform())
        };
        out.push(Check::matches(
            "13.3",
            format!("hidden random case {}", i + 1),
            ask(max, sum, &scores),
            Tol::F64,
        ));
    }
    let mut prop_rng = SplitMix64::new(rng.next_u64());
    let blocks: Vec<(Vec<f64>, Vec<f64>)> = (0..5)
        .map(|_| {
            let mut draw = |n: u64| -> Vec<f64> {
                (0..1 + prop_rng.next_u64() % n)
                    .map(|_| 4.0 * prop_rng.normal())
                    .collect()
            };
            (draw(6), draw(6))
        })
        .collect();
    out.push(Check::property("13.3", "two steps equal one step over both blocks", move |ask: &mut dyn Oracle| {
        for (a, b) in &blocks {
            let both: Vec<f64> = a.iter().chain(b).copied().collect();
            let whole = value(ask.ask("13.3", &json!({"max": "-inf", "sum": 0.0, "scores": both})))?;
            let first = value(ask.ask("13.3", &json!({"max": "-inf", "sum": 0.0, "scores": a})))?;
            let then = value(ask.ask("13.3", &json!({"max": first["max"], "sum": first["sum"], "scores": b})))?;
            if !close(&then, &whole, Tol::new(1e-12, 1e-12)) {
                return Err("feeding two blocks one after the other gave another state than feeding them at once".into());
            }
            let (m, l) = (whole["max"].as_f64().unwrap_or(f64::NAN), whole["sum"].as_f64().unwrap_or(f64::NAN));
            let direct: f64 = both.iter().map(|s| (s - m).exp()).sum();
            if exceeds((l - direct).abs(), 1e-12 * direct) {
                return Err("the sum is not sum_j exp(s_j - max) over every score seen".into());
            }
        }
        Ok(())
    }));
}

fn qkv(
    rng: &mut SplitMix64,
    t_q: usize,
    t_k: usize,
    d_k: usize,
    d_v: usize,
    spread: f64,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let q = rng.normal_matrix(t_q, d_k).mapv(|x| x * spread);
    (q, rng.normal_matrix(t_k, d_k), rng.normal_matrix(t_k, d_v))
}

fn tiled_input(
    q: &Array2<f64>,
    k: &Array2<f64>,
    v: &Array2<f64>,
    tile: usize,
) -> serde_json::Value {
    json!({"q": from_matrix(q.view()), "k": from_matrix(k.view()), "v": from_matrix(v.view()), "tile": tile})
}

fn tiled(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    out.push(Check::matches("13.4", "the statement's example", json!({"q": [[0.0]], "k": [[1.0], [2.0]], "v": [[1.0], [3.0]], "tile": 1}), Tol::F64));
    let library = json!({
        "q": [[1.0, 0.0, 1.0]],
        "k": [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]],
        "v": [[10.0, 20.0, 30.0], [1.0, 2.0, 3.0], [5.0, 10.0, 15.0]],
    });
    for tile in [1, 2, 3, 10] {
        let mut input = library.clone();
        input["tile"] = json!(tile);
        out.push(Check::matches(
            "13.4",
            format!("the library search in tiles of {tile}"),
            input,
            Tol::F64,
        ));
    }
    out.push(Check::fails("13.4", "rejects queries wider than the keys, naming both shapes", json!({"q": [[1.0, 0.0, 1.0]], "k": [[1.0, 0.0], [0.0, 1.0]], "v": [[1.0], [2.0]], "tile": 1}), &["(1, 3)", "(2, 2)"]));
    out.push(Check::fails("13.4", "rejects more keys than values, naming both shapes", json!({"q": [[1.0, 0.0]], "k": [[1.0, 0.0], [0.0, 1.0]], "v": [[1.0]], "tile": 1}), &["(2, 2)", "(1, 1)"]));
    out.push(Check::fails(
        "13.4",
        "rejects a tile of 0",
        json!({"q": [[1.0]], "k": [[1.0]], "v": [[1.0]], "tile": 0}),
        &[],
    ));
    out.push(Check::fails(
        "13.4",
        "rejects an infinite value",
        json!({"q": [[1.0]], "k": [[1.0]], "v": [["inf"]], "tile": 1}),
        &[],
    ));
    for i in 0..4 {
        let mut size = |hi: u64| 1 + (rng.next_u64() % hi) as usize;
        let (t_q, t_k, d_k, d_v, tile) =
            (size(12), size(40), size(8), size(5), size(16));
        let (q, k, v) = qkv(rng, t_q, t_k, d_k, d_v, [0.5, 1.0, 3.0, 20.0][i]);
        out.push(Check::matches(
            "13.4",
            format!("hidden random case {}", i + 1),
            tiled_input(&q, &k, &v, tile),
            Tol::F64,
        ));
    }
    let mut prop_rng = SplitMix64::new(rng.next_u64());
    let cases: Vec<_> = [(5, 17, 4, 3, 1.0), (3, 9, 2, 2, 40.0)]
        .into_iter()
        .map(|(t_q, t_k, d_k, d_v, spread)| {
            qkv(&mut prop_rng, t_q, t_k, d_k, d_v, spread)
        })
        .collect();
    out.push(Check::property("13.4", "any tile size gives the naive attention, large scores included", move |ask: &mut dyn Oracle| {
        for (q, k, v) in &cases {
            let naive = naive_attention(q.view(), k.view(), v.view(), Mask::None)
                .map_err(|e| format!("the reference failed: {e}"))?;
            let want = from_matrix(naive.view());
            for tile in 1..=k.nrows() + 2 {
                let got = match ask.ask("13.4", &tiled_input(q, k, v, tile)) {
                    Reply::Value(got) => got,
                    Reply::Error(_) => return Err("returned an error for a valid input".into()),
                    Reply::Crashed(why) => return Err(why),
                };
                if !close(&got, &want, Tol::new(1e-10, 1e-10)) {
                    return Err("some tile size gave another result than naive attention".into());
                }
            }
        }
        Ok(())
    }));
}
