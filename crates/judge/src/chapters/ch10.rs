//! Chapter 10's checks.
//!
//! Fixed cases first (the statements' examples, ties, the edges of what
//! each function accepts, and bad inputs), then cases drawn from the
//! hidden `seed`, which the student never sees: other lengths, magnitudes
//! and temperatures, and properties that call the student's code several
//! times (a probability vector, exactly k non-zero weights, an estimate
//! whose entries sum to 0).

use crate::check::{Check, Oracle, Tol, exceeds, numbers, value};
use attn_common::answer::{Value, from_vector, json};
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::worked::CAT_SAT_SCORES;
use ndarray::Array1;

/// `n` standard normal scores times `scale`.
fn random_scores(rng: &mut SplitMix64, n: usize, scale: f64) -> Array1<f64> {
    rng.normal_matrix(1, n).row(0).mapv(|x| x * scale)
}

/// A whole number in `lo..=hi`.
fn between(rng: &mut SplitMix64, lo: usize, hi: usize) -> usize {
    lo + (rng.next_u64() % (hi - lo + 1) as u64) as usize
}

fn sparse_input(x: &Array1<f64>, temperature: f64) -> Value {
    json!({"scores": from_vector(x.view()), "temperature": temperature})
}

fn top_k_input(x: &Array1<f64>, k: usize) -> Value {
    json!({"scores": from_vector(x.view()), "k": k})
}

fn reinforce_input(
    s: &Array1<f64>,
    c: &Array1<f64>,
    samples: &[usize],
    baseline: f64,
) -> Value {
    json!({
        "scores": from_vector(s.view()),
        "costs": from_vector(c.view()),
        "samples": samples,
        "baseline": baseline,
    })
}

/// Whether `w` is a probability vector: entries in `[0, 1]`, sum 1.
fn is_distribution(w: &[f64]) -> bool {
    w.iter().all(|&x| (-1e-12..=1.0 + 1e-12).contains(&x))
        && (w.iter().sum::<f64>() - 1.0).abs() < 1e-9
}

/// The checks of chapter 10's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x10);
    let mut out = ex_10_1(&mut rng);
    out.extend(ex_10_2(&mut rng));
    out.extend(ex_10_3(&mut rng));
    out
}

fn ex_10_1(rng: &mut SplitMix64) -> Vec<Check> {
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut out = vec![
        Check::matches(
            "10.1",
            "the statement's example",
            sparse_input(&cat_sat, 1.0),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "a tie at the top",
            json!({"scores": [2.0, 0.0, 2.0], "temperature": 1.0}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "a low temperature",
            json!({"scores": [0.4, 0.0], "temperature": 0.2}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "two close scores",
            json!({"scores": [0.4, 0.0], "temperature": 1.0}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "a single score",
            json!({"scores": [-3.5], "temperature": 1.0}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "all scores equal",
            json!({"scores": [1.0, 1.0, 1.0, 1.0], "temperature": 0.5}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "a high temperature",
            json!({"scores": [3.0, -1.0, 0.5, 2.0], "temperature": 50.0}),
            Tol::F64,
        ),
        Check::matches(
            "10.1",
            "large scores",
            json!({"scores": [1e6, 1e6 - 0.5, -1e6], "temperature": 1.0}),
            Tol::new(1e-9, 1e-9),
        ),
        Check::fails(
            "10.1",
            "rejects an empty vector",
            json!({"scores": [], "temperature": 1.0}),
            &["(0,)"],
        ),
        Check::fails(
            "10.1",
            "rejects a NaN score",
            json!({"scores": [0.0, "NaN"], "temperature": 1.0}),
            &["(2,)"],
        ),
        Check::fails(
            "10.1",
            "rejects a temperature of 0",
            json!({"scores": [0.0, 1.0], "temperature": 0.0}),
            &[],
        ),
        Check::fails(
            "10.1",
            "rejects a negative temperature",
            json!({"scores": [0.0, 1.0], "temperature": -1.0}),
            &[],
        ),
    ];
    let mut case = 0;
    for n in [2, 3, 7, 16] {
        for scale in [0.1, 1.0, 20.0] {
            case += 1;
            let tau = [0.25, 1.0, 3.0][case % 3];
            out.push(Check::matches(
                "10.1",
                format!("hidden random case {case}"),
                sparse_input(&random_scores(rng, n, scale), tau),
                Tol::F64,
            ));
        }
    }
    let prop_seed = rng.next_u64();
    out.push(Check::property("10.1", "the output is a probability vector", move |ask: &mut dyn Oracle| {
        let mut r = SplitMix64::new(prop_seed);
        for _ in 0..12 {
            let n = between(&mut r, 1, 12);
            let scale = [0.05, 1.0, 30.0][between(&mut r, 0, 2)];
            let s = random_scores(&mut r, n, scale);
            let w = numbers(&value(ask.ask("10.1", &sparse_input(&s, 1.0)))?)?;
            if w.len() != n || !is_distribution(&w) {
                return Err("a sparsemax output was not a probability vector of the scores' length".into());
            }
        }
        Ok(())
    }));
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.1",
        "one-hot on the largest score once the scores spread apart",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..8 {
                let n = between(&mut r, 2, 9);
                let s = random_scores(&mut r, n, 1.0);
                let top = (0..n).fold(0, |b, i| if s[i] > s[b] { i } else { b });
                let gap = (0..n).filter(|&i| i != top).map(|i| s[top] - s[i]).fold(f64::INFINITY, f64::min);
                if gap < 1e-3 {
                    continue;
                }
                // At temperature gap / 2 the top score leads by 2.
                let w = numbers(&value(ask.ask("10.1", &sparse_input(&s, gap / 2.0)))?)?;
                let one_hot = w.len() == n && (0..n).all(|i| (w[i] - if i == top { 1.0 } else { 0.0 }).abs() < 1e-9);
                if !one_hot {
                    return Err("with the largest score well ahead, the output was not one-hot on it".into());
                }
            }
            Ok(())
        },
    ));
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.1",
        "adding a constant to every score changes nothing",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..6 {
                let n = between(&mut r, 1, 8);
                let s = random_scores(&mut r, n, 2.0);
                let shift = 10.0 * r.normal();
                let a = numbers(&value(ask.ask("10.1", &sparse_input(&s, 1.0)))?)?;
                let b = numbers(&value(ask.ask("10.1", &sparse_input(&s.mapv(|x| x + shift), 1.0)))?)?;
                if a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| exceeds((x - y).abs(), 1e-9)) {
                    return Err("shifting every score by the same amount changed the weights".into());
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_10_2(rng: &mut SplitMix64) -> Vec<Check> {
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut out = vec![
        Check::matches(
            "10.2",
            "the statement's example",
            top_k_input(&cat_sat, 2),
            Tol::F64,
        ),
        Check::matches(
            "10.2",
            "k = 1 is hard attention",
            top_k_input(&cat_sat, 1),
            Tol::F64,
        ),
        Check::matches(
            "10.2",
            "k = T is the softmax",
            top_k_input(&cat_sat, 5),
            Tol::F64,
        ),
        Check::matches(
            "10.2",
            "a tie at the cut goes to the earlier position",
            top_k_input(&cat_sat, 4),
            Tol::F64,
        ),
        Check::matches(
            "10.2",
            "a tie at the top",
            json!({"scores": [1.0, 1.0, 0.0], "k": 1}),
            Tol::F64,
        ),
        Check::matches(
            "10.2",
            "huge scores stay finite",
            json!({"scores": [1000.0, 999.0, -5.0], "k": 2}),
            Tol::F64,
        ),
        Check::fails(
            "10.2",
            "rejects k = 0, naming the shape",
            json!({"scores": [1.0, 2.0, 3.0], "k": 0}),
            &["(3,)"],
        ),
        Check::fails(
            "10.2",
            "rejects k larger than T, naming the shape",
            json!({"scores": [1.0, 2.0, 3.0], "k": 4}),
            &["(3,)"],
        ),
        Check::fails(
            "10.2",
            "rejects an empty vector",
            json!({"scores": [], "k": 1}),
            &["(0,)"],
        ),
        Check::fails(
            "10.2",
            "rejects an infinite score",
            json!({"scores": [1.0, "inf"], "k": 1}),
            &["(2,)"],
        ),
    ];
    for case in 1..=8 {
        let n = between(rng, 1, 20);
        let k = between(rng, 1, n);
        let scale = [0.1, 1.0, 10.0, 100.0][case % 4];
        out.push(Check::matches(
            "10.2",
            format!("hidden random case {case}"),
            top_k_input(&random_scores(rng, n, scale), k),
            Tol::F64,
        ));
    }
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.2",
        "exactly k non-zero weights, summing to 1, when the scores are distinct",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..12 {
                let n = between(&mut r, 1, 15);
                let k = between(&mut r, 1, n);
                let s = random_scores(&mut r, n, 3.0);
                let w = numbers(&value(ask.ask("10.2", &top_k_input(&s, k)))?)?;
                if w.len() != n {
                    return Err("the weights do not have the scores' length".into());
                }
                if w.iter().filter(|&&x| x > 0.0).count() != k {
                    return Err("the number of non-zero weights was not k".into());
                }
                if !is_distribution(&w) {
                    return Err("the weights were not a probability vector".into());
                }
            }
            Ok(())
        },
    ));
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.2",
        "the kept positions hold the k largest scores",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..10 {
                let n = between(&mut r, 2, 12);
                let k = between(&mut r, 1, n - 1);
                let s = random_scores(&mut r, n, 1.0);
                let w = numbers(&value(ask.ask("10.2", &top_k_input(&s, k)))?)?;
                if w.len() != n {
                    return Err(
                        "the weights do not have the scores' length".into()
                    );
                }
                for i in 0..n {
                    for j in 0..n {
                        if w[i] > 0.0 && w[j] == 0.0 && s[i] < s[j] {
                            return Err(
                                "a dropped score was larger than a kept one"
                                    .into(),
                            );
                        }
                    }
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_10_3(rng: &mut SplitMix64) -> Vec<Check> {
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let costs = Array1::from(vec![1.0, 0.0, 1.0, 1.0, 1.0]);
    let two = Array1::from(vec![0.0, 0.0]);
    let two_costs = Array1::from(vec![1.0, 0.0]);
    let mut out = vec![
        Check::matches(
            "10.3",
            "the statement's example",
            reinforce_input(&two, &two_costs, &[0, 1], 0.0),
            Tol::F64,
        ),
        Check::matches(
            "10.3",
            "the statement's example with a baseline",
            reinforce_input(&two, &two_costs, &[0, 1], 0.5),
            Tol::F64,
        ),
        Check::matches(
            "10.3",
            "example 2, one sample",
            reinforce_input(&cat_sat, &costs, &[2], 0.0),
            Tol::F64,
        ),
        Check::matches(
            "10.3",
            "example 2, repeated samples and a baseline",
            reinforce_input(&cat_sat, &costs, &[1, 1, 0, 4, 1, 3], 0.66),
            Tol::F64,
        ),
        Check::matches(
            "10.3",
            "huge scores stay finite",
            reinforce_input(
                &Array1::from(vec![800.0, 799.0]),
                &two_costs,
                &[0, 1, 1],
                0.2,
            ),
            Tol::F64,
        ),
        Check::fails(
            "10.3",
            "rejects costs of another length, naming both shapes",
            reinforce_input(
                &Array1::from(vec![0.0, 1.0, 2.0]),
                &two_costs,
                &[0],
                0.0,
            ),
            &["(3,)", "(2,)"],
        ),
        Check::fails(
            "10.3",
            "rejects a sample that is not an index, naming the shape",
            reinforce_input(
                &Array1::from(vec![0.0, 1.0, 2.0]),
                &Array1::from(vec![1.0, 0.0, 1.0]),
                &[1, 3],
                0.0,
            ),
            &["(3,)"],
        ),
        Check::fails(
            "10.3",
            "rejects no samples",
            reinforce_input(&two, &two_costs, &[], 0.0),
            &[],
        ),
        Check::fails(
            "10.3",
            "rejects a NaN cost",
            json!({"scores": [0.0, 1.0], "costs": ["NaN", 0.0], "samples": [0], "baseline": 0.0}),
            &["(2,)"],
        ),
        Check::fails(
            "10.3",
            "rejects a non-finite baseline",
            json!({"scores": [0.0, 1.0], "costs": [1.0, 0.0], "samples": [0], "baseline": "inf"}),
            &[],
        ),
    ];
    for case in 1..=8 {
        let n = between(rng, 1, 10);
        let s = random_scores(rng, n, 2.0);
        let c = random_scores(rng, n, 1.0);
        let m = between(rng, 1, 30);
        let samples: Vec<usize> =
            (0..m).map(|_| between(rng, 0, n - 1)).collect();
        let baseline = if case % 2 == 0 { 0.0 } else { rng.normal() };
        out.push(Check::matches(
            "10.3",
            format!("hidden random case {case}"),
            reinforce_input(&s, &c, &samples, baseline),
            Tol::F64,
        ));
    }
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.3",
        "the estimate's entries sum to 0",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..8 {
                let n = between(&mut r, 1, 8);
                let s = random_scores(&mut r, n, 2.0);
                let c = random_scores(&mut r, n, 3.0);
                let m = between(&mut r, 1, 12);
                let samples: Vec<usize> =
                    (0..m).map(|_| between(&mut r, 0, n - 1)).collect();
                let g = numbers(&value(ask.ask(
                    "10.3",
                    &reinforce_input(&s, &c, &samples, r.normal()),
                ))?)?;
                if g.len() != n || exceeds(g.iter().sum::<f64>().abs(), 1e-9) {
                    return Err(
                        "the entries of an estimate did not sum to 0".into()
                    );
                }
            }
            Ok(())
        },
    ));
    let prop_seed = rng.next_u64();
    out.push(Check::property(
        "10.3",
        "adding one constant to every cost and to the baseline changes nothing",
        move |ask: &mut dyn Oracle| {
            let mut r = SplitMix64::new(prop_seed);
            for _ in 0..6 {
                let n = between(&mut r, 2, 8);
                let s = random_scores(&mut r, n, 1.0);
                let c = random_scores(&mut r, n, 1.0);
                let m = between(&mut r, 1, 10);
                let samples: Vec<usize> = (0..m).map(|_| between(&mut r, 0, n - 1)).collect();
                let b = r.normal();
                let shift = 5.0 * r.normal();
                let a = numbers(&value(ask.ask("10.3", &reinforce_input(&s, &c, &samples, b)))?)?;
                let moved = c.mapv(|x| x + shift);
                let z = numbers(&value(ask.ask("10.3", &reinforce_input(&s, &moved, &samples, b + shift)))?)?;
                if a.len() != z.len() || a.iter().zip(&z).any(|(x, y)| exceeds((x - y).abs(), 1e-9)) {
                    return Err("shifting the costs and the baseline together changed the estimate".into());
                }
            }
            Ok(())
        },
    ));
    out
}
