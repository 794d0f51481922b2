//! Chapter 16's checks.
//!
//! Fixed cases first (the statements' examples, edge cases and the bad
//! inputs the statements name), then cases drawn from the hidden `seed`,
//! then properties. The two backward passes must agree with central
//! differences of forward passes written out here (and layer norm's must
//! sum to 0); the sampler must give tokens in rank order as `u` grows,
//! each about as often as its probability, the arg-max when `k = 1`, and
//! never less of the top token at a lower temperature; the schedule must
//! rise to its peak, then never rise and never drop below its floor.
//!
//! The sampler's answers are compared exactly, so every `u` the checks
//! send lies at least `MARGIN` from every running sum (computed here)
//! unless the running sums are exact (ties of powers of two): a correct
//! sampler that adds its probabilities in another order, or shifts the
//! logits another way, rounds differently only in the last bits.

use crate::check::{
    Check, Oracle, Reply, Tol, exceeds, index, number, numbers_of, value,
};
use attn_common::answer::{Value, from_f64, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::Array1;

/// How far a hidden `u` stays from every running sum of the sampler.
const MARGIN: f64 = 1e-9;

/// The tolerance of the two backward passes.
const GELU_TOL: Tol = Tol::new(1e-12, 1e-9);
const NORM_TOL: Tol = Tol::new(1e-10, 1e-8);
/// The schedule's tolerance.
const RATE_TOL: Tol = Tol::new(1e-12, 1e-9);

/// The checks of chapter 16's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x16);
    let mut out = Vec::new();
    gelu_checks(&mut out, &mut rng);
    norm_checks(&mut out, &mut rng);
    sampler_checks(&mut out, &mut rng);
    schedule_checks(&mut out, &mut rng);
    out
}

/// A random vector of width `n` with entries of about `scale`.
fn random_vector(rng: &mut SplitMix64, n: usize, scale: f64) -> Array1<f64> {
    Array1::from_shape_simple_fn(n, || scale * rng.normal())
}

fn v(xs: &[f64]) -> Array1<f64> {
    Array1::from(xs.to_vec())
}

// Exercise 16.1

/// GELU, tanh form, computed here.
fn gelu(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044_715 * x * x * x)).tanh())
}

fn gelu_input(x: &Array1<f64>, dy: &Array1<f64>) -> Value {
    json!({"x": from_vector(x.view()), "dy": from_vector(dy.view())})
}

fn gelu_checks(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    for (name, x, dy) in [
        ("the statement's example", v(&[0.0, 1.0]), v(&[1.0, 2.0])),
        (
            "negative inputs, where GELU dips below 0",
            v(&[-0.5, -0.75, -1.5, -2.5, -4.0]),
            v(&[1.0, -2.0, 0.5, 3.0, 1.0]),
        ),
        (
            "far from zero, where tanh has saturated",
            v(&[-40.0, -9.0, 9.0, 40.0, 1e6, -1e6]),
            v(&[1.5, -2.0, 0.5, 3.0, -1.0, 2.0]),
        ),
    ] {
        out.push(Check::matches("16.1", name, gelu_input(&x, &dy), GELU_TOL));
    }
    for (i, (n, spread)) in [(1, 1.0), (5, 0.5), (16, 2.0), (40, 4.0)]
        .into_iter()
        .enumerate()
    {
        let x = random_vector(rng, n, spread);
        let dy = random_vector(rng, n, 1.0);
        out.push(Check::matches(
            "16.1",
            format!("hidden random case {}", i + 1),
            gelu_input(&x, &dy),
            GELU_TOL,
        ));
    }
    out.push(Check::fails(
        "16.1",
        "rejects x and dy of different lengths, naming both shapes",
        json!({"x": [1.0, 2.0, 3.0], "dy": [1.0, 2.0]}),
        &["(3,)", "(2,)"],
    ));
    out.push(Check::fails(
        "16.1",
        "rejects an empty x, naming its shape",
        json!({"x": [], "dy": []}),
        &["(0,)"],
    ));
    out.push(Check::fails(
        "16.1",
        "rejects a NaN in x",
        json!({"x": [1.0, "NaN"], "dy": [1.0, 1.0]}),
        &[],
    ));
    out.push(Check::fails(
        "16.1",
        "rejects an infinite dy",
        json!({"x": [1.0, 2.0], "dy": [1.0, "inf"]}),
        &[],
    ));
    let hidden = rng.next_u64();
    out.push(Check::property(
        "16.1",
        "the gradient agrees with central differences of GELU",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for n in [3, 8, 20] {
                let x = Array1::from_shape_simple_fn(n, || {
                    rng.uniform_in(-6.0, 6.0)
                });
                let dy = random_vector(&mut rng, n, 1.0);
                let dx = numbers_of(
                    &value(ask.ask("16.1", &gelu_input(&x, &dy)))?,
                    n,
                )?;
                let h = 1e-5;
                for i in 0..n {
                    let slope = (gelu(x[i] + h) - gelu(x[i] - h)) / (2.0 * h);
                    let limit = 1e-7 * (1.0 + dy[i].abs());
                    if exceeds((dx[i] - dy[i] * slope).abs(), limit) {
                        return Err("an entry of the gradient differs from \
                                    its central difference"
                            .into());
                    }
                }
            }
            Ok(())
        },
    ));
}

// Exercise 16.2

fn norm_input(
    x: &Array1<f64>,
    gamma: &Array1<f64>,
    dy: &Array1<f64>,
    eps: f64,
) -> Value {
    json!({
        "x": from_vector(x.view()),
        "gamma": from_vector(gamma.view()),
        "dy": from_vector(dy.view()),
        "eps": from_f64(eps),
    })
}

/// `sum(dy * gamma * xhat)`, computed here: the loss whose gradient with
/// respect to `x` exercise 16.2 returns.
fn norm_loss(x: &[f64], gamma: &[f64], dy: &[f64], eps: f64) -> f64 {
    let n = x.len() as f64;
    let mu = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / n;
    let r = 1.0 / (var + eps).sqrt();
    x.iter()
        .zip(gamma)
        .zip(dy)
        .map(|((x, g), d)| d * g * (x - mu) * r)
        .sum()
}

fn norm_checks(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let ones = |n: usize| Array1::from_elem(n, 1.0);
    for (name, x, gamma, dy) in [
        (
            "the statement's example",
            v(&[0.0, 1.0, 2.0]),
            ones(3),
            v(&[1.0, 0.0, 0.0]),
        ),
        (
            "a constant row, where only eps keeps the scale finite",
            v(&[2.0, 2.0, 2.0]),
            v(&[1.0, 2.0, 3.0]),
            v(&[1.0, 1.0, 1.0]),
        ),
        (
            "a gamma that is not all ones",
            v(&[0.5, -1.0, 3.0, 2.0]),
            v(&[2.0, -0.5, 1.0, 0.25]),
            v(&[0.3, 1.0, -2.0, 0.5]),
        ),
        ("a row of one entry", v(&[7.0]), v(&[3.0]), v(&[5.0])),
    ] {
        out.push(Check::matches(
            "16.2",
            name,
            norm_input(&x, &gamma, &dy, 1e-5),
            NORM_TOL,
        ));
    }
    for (i, (n, offset, spread, eps)) in [
        // Not a width of 2: there xhat is +-1 up to eps, and the true
        // gradient is about eps times the terms that cancel in it.
        (3, 0.0, 1.0, 1e-5),
        (6, 3.0, 0.5, 1e-3),
        (16, -20.0, 4.0, 1e-5),
        (48, 0.0, 0.01, 1e-5),
        (64, 1.0, 1.0, 0.1),
    ]
    .into_iter()
    .enumerate()
    {
        let x = random_vector(rng, n, spread).mapv(|x| x + offset);
        let gamma =
            Array1::from_shape_simple_fn(n, || rng.uniform_in(-2.0, 2.0));
        let dy = random_vector(rng, n, 1.0);
        out.push(Check::matches(
            "16.2",
            format!("hidden random case {}", i + 1),
            norm_input(&x, &gamma, &dy, eps),
            NORM_TOL,
        ));
    }
    let three = json!([1.0, 1.0, 1.0]);
    let two = json!([1.0, 1.0]);
    let row = json!([1.0, 2.0, 4.0]);
    out.push(Check::fails(
        "16.2",
        "rejects a gamma of another width, naming both shapes",
        json!({"x": row, "gamma": two, "dy": three, "eps": 1e-5}),
        &["(3,)", "(2,)"],
    ));
    out.push(Check::fails(
        "16.2",
        "rejects a dy of another width, naming both shapes",
        json!({"x": row, "gamma": three, "dy": two, "eps": 1e-5}),
        &["(3,)", "(2,)"],
    ));
    out.push(Check::fails(
        "16.2",
        "rejects an empty row, naming its shape",
        json!({"x": [], "gamma": [], "dy": [], "eps": 1e-5}),
        &["(0,)"],
    ));
    out.push(Check::fails(
        "16.2",
        "rejects a NaN in gamma",
        json!({"x": row, "gamma": [1.0, "NaN", 1.0], "dy": three, "eps": 1e-5}),
        &[],
    ));
    out.push(Check::fails(
        "16.2",
        "rejects eps = 0",
        json!({"x": row, "gamma": three, "dy": three, "eps": 0.0}),
        &[],
    ));
    for (name, eps, mention) in [
        ("rejects a negative eps, naming it", json!(-0.5), "-0.5"),
        ("rejects a NaN eps, naming it", json!("NaN"), "NaN"),
    ] {
        out.push(Check::fails(
            "16.2",
            name,
            json!({"x": row, "gamma": three, "dy": three, "eps": eps}),
            &[mention],
        ));
    }
    let hidden = rng.next_u64();
    out.push(Check::property(
        "16.2",
        "the gradient sums to 0 and agrees with central differences",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for n in [2, 5, 12] {
                let x = random_vector(&mut rng, n, 1.5);
                let gamma = Array1::from_shape_simple_fn(n, || {
                    rng.uniform_in(0.5, 2.0)
                });
                let dy = random_vector(&mut rng, n, 1.0);
                let eps = 1e-5;
                let input = norm_input(&x, &gamma, &dy, eps);
                let dx = numbers_of(&value(ask.ask("16.2", &input))?, n)?;
                let scale = dx.iter().fold(1.0f64, |m, d| m.max(d.abs()));
                if exceeds(dx.iter().sum::<f64>().abs(), 1e-10 * scale) {
                    return Err("the gradient does not sum to 0".into());
                }
                let (x, gamma, dy) = (x.to_vec(), gamma.to_vec(), dy.to_vec());
                let h = 1e-6;
                for (i, got) in dx.iter().enumerate() {
                    let (mut up, mut down) = (x.clone(), x.clone());
                    up[i] += h;
                    down[i] -= h;
                    let numeric = (norm_loss(&up, &gamma, &dy, eps)
                        - norm_loss(&down, &gamma, &dy, eps))
                        / (2.0 * h);
                    if exceeds((got - numeric).abs(), 1e-6 * scale) {
                        return Err("an entry of the gradient differs from \
                                    its central difference"
                            .into());
                    }
                }
            }
            Ok(())
        },
    ));
}

// Exercise 16.3

fn sample_input(logits: &[f64], temperature: f64, k: usize, u: f64) -> Value {
    json!({
        "logits": logits.iter().map(|&x| from_f64(x)).collect::<Vec<_>>(),
        "temperature": from_f64(temperature),
        "k": k,
        "u": from_f64(u),
    })
}

/// The tokens by decreasing logit, ties to the lower index.
fn ranked(logits: &[f64]) -> Vec<usize> {
    let mut rank: Vec<usize> = (0..logits.len()).collect();
    rank.sort_by(|&a, &b| {
        logits[b]
            .partial_cmp(&logits[a])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rank
}

/// The probabilities of the first `k` ranked tokens, in rank order.
fn kept_probabilities(logits: &[f64], temperature: f64, k: usize) -> Vec<f64> {
    let rank = ranked(logits);
    let max = logits[rank[0]];
    let w: Vec<f64> = rank[..k]
        .iter()
        .map(|&i| ((logits[i] - max) / temperature).exp())
        .collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}

/// The running sums of the kept probabilities (the last one about 1).
fn running_sums(logits: &[f64], temperature: f64, k: usize) -> Vec<f64> {
    kept_probabilities(logits, temperature, k)
        .iter()
        .scan(0.0, |s, p| {
            *s += p;
            Some(*s)
        })
        .collect()
}

/// Whether `u` is at least [`MARGIN`] from every running sum.
fn clear_of_sums(u: f64, sums: &[f64]) -> bool {
    sums.iter().all(|s| (s - u).abs() >= MARGIN)
}

/// Random logits: spread out, or whole numbers in a small range so that
/// ties are common.
fn random_logits(rng: &mut SplitMix64, vocab: usize, tied: bool) -> Vec<f64> {
    (0..vocab)
        .map(|_| {
            if tied {
                (rng.next_u64() % 4) as f64 - 1.0
            } else {
                3.0 * rng.normal()
            }
        })
        .collect()
}

/// The token of a reply, below `vocab`.
fn token(reply: Reply, vocab: usize) -> Result<usize, String> {
    let t = index(&value(reply)?)?;
    usize::try_from(t)
        .ok()
        .filter(|&t| t < vocab)
        .ok_or_else(|| "returned a token outside the logits".to_string())
}

fn sampler_checks(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    let fixed: [(&str, Vec<f64>, f64, usize, f64); 10] = [
        (
            "the statement's example, u = 0.25",
            vec![1.0, 3.0, 3.0],
            1.0,
            2,
            0.25,
        ),
        (
            "the statement's example, u = 0.5",
            vec![1.0, 3.0, 3.0],
            1.0,
            2,
            0.5,
        ),
        (
            "four tied logits, u on the second running sum",
            vec![2.0; 4],
            0.7,
            4,
            0.5,
        ),
        (
            "four tied logits, u on the third running sum",
            vec![2.0; 4],
            0.7,
            4,
            0.75,
        ),
        (
            "four tied logits, u between running sums",
            vec![2.0; 4],
            0.7,
            4,
            0.3,
        ),
        (
            "ties among the kept tokens, k = 3",
            vec![0.0, 2.0, 2.0, 0.0, 2.0],
            0.5,
            3,
            0.4,
        ),
        (
            "ties among the kept tokens, k = 3, a larger u",
            vec![0.0, 2.0, 2.0, 0.0, 2.0],
            0.5,
            3,
            0.7,
        ),
        ("a tie cut by k", vec![0.0, 2.0, 2.0, 0.0, 2.0], 0.5, 2, 0.6),
        (
            "seven tied logits and the largest u below 1",
            vec![0.5; 7],
            1.0,
            7,
            1.0 - f64::EPSILON / 2.0,
        ),
        (
            "k = 1 with a u near 1",
            vec![0.3, -1.0, 2.5, 2.4],
            2.0,
            1,
            0.9,
        ),
    ];
    for (name, logits, t, k, u) in fixed {
        out.push(Check::matches(
            "16.3",
            name,
            sample_input(&logits, t, k, u),
            Tol::EXACT,
        ));
    }
    // Hidden cases: random logits (some with ties), temperature, k and
    // u, then u just below and just above a running sum inside the kept
    // tokens.
    let mut case = 0;
    for (vocab, t, tied) in [
        (2, 1.0, false),
        (5, 0.3, true),
        (10, 1.7, false),
        (30, 0.8, true),
        (64, 5.0, false),
        (12, 1.0, true),
    ] {
        let logits = random_logits(rng, vocab, tied);
        // k >= 2, so that there is a running sum inside the kept tokens.
        let k = 2 + (rng.next_u64() % (vocab as u64 - 1)) as usize;
        let sums = running_sums(&logits, t, k);
        let mut u = rng.uniform();
        while !clear_of_sums(u, &sums) {
            u = rng.uniform();
        }
        case += 1;
        out.push(Check::matches(
            "16.3",
            format!("hidden random case {case}"),
            sample_input(&logits, t, k, u),
            Tol::EXACT,
        ));
        // A running sum with room on both sides: each of its two tokens
        // has a probability well above the margin.
        let p = kept_probabilities(&logits, t, k);
        let edges: Vec<usize> = (0..k.saturating_sub(1))
            .filter(|&j| p[j] > 1e-6 && p[j + 1] > 1e-6)
            .collect();
        if edges.is_empty() {
            continue;
        }
        let j = edges[(rng.next_u64() % edges.len() as u64) as usize];
        let gap = 2.0 * MARGIN;
        for (side, u) in [("below", sums[j] - gap), ("above", sums[j] + gap)] {
            if (0.0..1.0).contains(&u) && clear_of_sums(u, &sums) {
                case += 1;
                out.push(Check::matches(
                    "16.3",
                    format!("hidden case {case}: u just {side} a running sum"),
                    sample_input(&logits, t, k, u),
                    Tol::EXACT,
                ));
            }
        }
    }
    let z = [0.5, -1.0, 2.0];
    for (name, input, mentions) in [
        (
            "rejects empty logits, naming their shape",
            json!({"logits": [], "temperature": 1.0, "k": 1, "u": 0.5}),
            vec!["(0,)"],
        ),
        (
            "rejects a NaN logit",
            json!({
                "logits": [1.0, "NaN"], "temperature": 1.0, "k": 1, "u": 0.5
            }),
            vec![],
        ),
        (
            "rejects temperature 0",
            sample_input(&z, 0.0, 1, 0.5),
            vec![],
        ),
        (
            "rejects a negative temperature, naming it",
            sample_input(&z, -1.5, 1, 0.5),
            vec!["-1.5"],
        ),
        (
            "rejects a NaN temperature, naming it",
            sample_input(&z, f64::NAN, 1, 0.5),
            vec!["NaN"],
        ),
        (
            "rejects an infinite temperature, naming it",
            sample_input(&z, f64::INFINITY, 1, 0.5),
            vec!["inf"],
        ),
        (
            "rejects k = 0, naming k and the shape of the logits",
            sample_input(&z, 1.0, 0, 0.5),
            vec!["0", "(3,)"],
        ),
        (
            "rejects k above the vocabulary, naming k and the shape",
            sample_input(&z, 1.0, 4, 0.5),
            vec!["4", "(3,)"],
        ),
        ("rejects u = 1", sample_input(&z, 1.0, 2, 1.0), vec![]),
        (
            "rejects a u above 1, naming it",
            sample_input(&z, 1.0, 2, 1.5),
            vec!["1.5"],
        ),
        (
            "rejects a negative u, naming it",
            sample_input(&z, 1.0, 2, -0.25),
            vec!["-0.25"],
        ),
        (
            "rejects a NaN u",
            sample_input(&z, 1.0, 2, f64::NAN),
            vec![],
        ),
    ] {
        out.push(Check::fails("16.3", name, input, &mentions));
    }
    let hidden = rng.next_u64();
    out.push(Check::property(
        "16.3",
        "as u grows the tokens come in rank order, each about as often \
         as its probability",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for (vocab, t, tied) in [(6, 1.0, true), (9, 0.6, false)] {
                let logits = random_logits(&mut rng, vocab, tied);
                let k = 2 + (rng.next_u64() % (vocab as u64 - 1)) as usize;
                let rank = ranked(&logits);
                let p = kept_probabilities(&logits, t, k);
                let sums = running_sums(&logits, t, k);
                let n = 50;
                let mut counts = vec![0usize; k];
                let mut last = 0;
                for i in 0..n {
                    let u = (i as f64 + 0.5) / n as f64;
                    if !clear_of_sums(u, &sums) {
                        continue;
                    }
                    let input = sample_input(&logits, t, k, u);
                    let got = token(ask.ask("16.3", &input), vocab)?;
                    let r =
                        rank.iter().position(|&x| x == got).unwrap_or(vocab);
                    if r >= k {
                        return Err("returned a token outside the top k".into());
                    }
                    if r < last {
                        return Err(
                            "a larger u gave a token of higher rank".into()
                        );
                    }
                    last = r;
                    counts[r] += 1;
                }
                for (c, p) in counts.iter().zip(&p) {
                    if exceeds((*c as f64 / n as f64 - p).abs(), 2.0 / n as f64)
                    {
                        return Err(
                            "a token comes up more or less often than \
                                    its probability"
                                .into(),
                        );
                    }
                }
            }
            Ok(())
        },
    ));
    let hidden = rng.next_u64();
    out.push(Check::property(
        "16.3",
        "k = 1 gives the arg-max, and a lower temperature never gives \
         the top token less often",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            let logits = random_logits(&mut rng, 7, true);
            let best = ranked(&logits)[0];
            for (t, u) in [(0.5, 0.0), (1.0, 0.6), (3.0, 0.99)] {
                let input = sample_input(&logits, t, 1, u);
                if token(ask.ask("16.3", &input), 7)? != best {
                    return Err("k = 1 did not give the arg-max".into());
                }
            }
            // How often the top token comes up over a grid of u.
            let mut share = |t: f64| -> Result<usize, String> {
                let sums = running_sums(&logits, t, 7);
                let mut count = 0;
                for i in 0..25 {
                    let u = (i as f64 + 0.5) / 25.0;
                    if !clear_of_sums(u, &sums) {
                        continue;
                    }
                    let input = sample_input(&logits, t, 7, u);
                    if token(ask.ask("16.3", &input), 7)? == best {
                        count += 1;
                    }
                }
                Ok(count)
            };
            let mut before = 0;
            for t in [4.0, 1.0, 0.25] {
                let now = share(t)?;
                if now < before {
                    return Err("a lower temperature gave the top token \
                                less often"
                        .into());
                }
                before = now;
            }
            Ok(())
        },
    ));
}

// Exercise 16.4

fn rate_input(
    step: u64,
    warmup: u64,
    total: u64,
    peak: f64,
    floor: f64,
) -> Value {
    json!({
        "step": step,
        "warmup": warmup,
        "total": total,
        "peak": from_f64(peak),
        "floor": from_f64(floor),
    })
}

fn schedule_checks(out: &mut Vec<Check>, rng: &mut SplitMix64) {
    for s in [0, 1, 3, 5] {
        out.push(Check::matches(
            "16.4",
            format!("the statement's example, step {s}"),
            rate_input(s, 2, 6, 1.0, 0.0),
            RATE_TOL,
        ));
    }
    for (name, s) in [
        ("a long schedule, the first step", 0),
        ("a long schedule, inside the warm-up", 57),
        ("a long schedule, the first step after the warm-up", 100),
        ("a long schedule, the middle of the decay", 1050),
        ("a long schedule, the last step", 1999),
    ] {
        out.push(Check::matches(
            "16.4",
            name,
            rate_input(s, 100, 2000, 6e-4, 6e-5),
            RATE_TOL,
        ));
    }
    for i in 0..4 {
        let warmup = 1 + rng.next_u64() % 500;
        let total = warmup + 1 + rng.next_u64() % 20_000;
        let step = rng.next_u64() % total;
        let peak = rng.uniform_in(1e-5, 1e-2);
        let floor = peak * rng.uniform_in(0.0, 0.5);
        out.push(Check::matches(
            "16.4",
            format!("hidden random case {}", i + 1),
            rate_input(step, warmup, total, peak, floor),
            RATE_TOL,
        ));
    }
    for (name, input, mentions) in [
        ("rejects warmup = 0", rate_input(0, 0, 10, 1.0, 0.0), vec![]),
        (
            "rejects a warm-up longer than the schedule, naming both",
            rate_input(0, 12, 10, 1.0, 0.0),
            vec!["12", "10"],
        ),
        (
            "rejects a warm-up as long as the schedule",
            rate_input(0, 10, 10, 1.0, 0.0),
            vec!["10"],
        ),
        (
            "rejects a step past the end, naming it and the total",
            rate_input(15, 2, 10, 1.0, 0.0),
            vec!["15", "10"],
        ),
        (
            "rejects a negative peak, naming it",
            rate_input(0, 2, 10, -0.001, 0.0),
            vec!["-0.001"],
        ),
        (
            "rejects a NaN floor, naming it",
            rate_input(0, 2, 10, 1.0, f64::NAN),
            vec!["NaN"],
        ),
        (
            "rejects an infinite peak, naming it",
            rate_input(0, 2, 10, f64::INFINITY, 0.0),
            vec!["inf"],
        ),
        (
            "rejects a floor above the peak, naming both",
            rate_input(0, 2, 10, 0.25, 0.5),
            vec!["0.25", "0.5"],
        ),
    ] {
        out.push(Check::fails("16.4", name, input, &mentions));
    }
    let hidden = rng.next_u64();
    out.push(Check::property(
        "16.4",
        "the rate rises to the peak, then never rises and never drops \
         below the floor",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for _ in 0..2 {
                let warmup = 1 + rng.next_u64() % 12;
                let total = warmup + 1 + rng.next_u64() % 30;
                let peak = rng.uniform_in(1e-4, 1.0);
                let floor = peak * rng.uniform_in(0.0, 0.9);
                let mut before = 0.0;
                for s in 0..total {
                    let input = rate_input(s, warmup, total, peak, floor);
                    let rate = number(&value(ask.ask("16.4", &input))?)?;
                    let slack = 1e-12 * peak;
                    if s + 1 == warmup && exceeds((rate - peak).abs(), slack) {
                        return Err(
                            "the warm-up does not end at the peak".into()
                        );
                    }
                    if s < warmup && s > 0 && rate <= before {
                        return Err(
                            "the rate does not rise during the warm-up".into(),
                        );
                    }
                    if s == warmup && exceeds((rate - peak).abs(), slack) {
                        return Err(
                            "the decay does not start at the peak".into()
                        );
                    }
                    if s > warmup && exceeds(rate - before, slack) {
                        return Err("the rate rises after the warm-up".into());
                    }
                    if s >= warmup && exceeds(floor - rate, slack) {
                        return Err("the rate drops below the floor".into());
                    }
                    before = rate;
                }
            }
            Ok(())
        },
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_sends_u_just_either_side_of_a_running_sum() {
        // Six hidden logits, each with a running sum inside its kept
        // tokens approached from both sides.
        for seed in 0..200 {
            let near = checks(seed)
                .iter()
                .filter(|c| c.name.contains("u just"))
                .count();
            assert_eq!(near, 12, "seed {seed}");
        }
    }
}
