//! Chapter 3's checks.
//!
//! Fixed cases first (the statements' examples, far-apart scores, the
//! edges of what each function accepts, and bad inputs), then cases drawn
//! from the hidden `seed`, which the student never sees: other lengths and
//! magnitudes, and properties that call the student's code several times.

use crate::check::{Check, Oracle, Tol, exceeds, number, numbers, value};
use attn_common::answer::{Value, from_vector, json};
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::{softmax, softmax_with_temperature};
use ch03_queries_keys_values::worked::CAT_SAT_SCORES;
use ndarray::Array1;

/// `n` standard normal scores times `scale`.
fn random_scores(rng: &mut SplitMix64, n: usize, scale: f64) -> Array1<f64> {
    rng.normal_matrix(1, n).row(0).mapv(|x| x * scale)
}

fn scores(x: &Array1<f64>) -> Value {
    json!({"scores": from_vector(x.view())})
}

fn weights(w: &Array1<f64>) -> Value {
    json!({"weights": from_vector(w.view())})
}

fn target(x: &Array1<f64>, target: f64) -> Value {
    json!({"scores": from_vector(x.view()), "target": target})
}

/// The checks of chapter 3's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x03);
    let mut out = ex_3_1(&mut rng);
    out.extend(ex_3_2(&mut rng));
    out.extend(ex_3_3(&mut rng));
    out
}

fn ex_3_1(rng: &mut SplitMix64) -> Vec<Check> {
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut out = vec![
        Check::matches(
            "3.1",
            "two equal scores",
            json!({"scores": [0.0, 0.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.1",
            "huge scores stay finite",
            json!({"scores": [1000.0, 999.0, 998.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.1",
            "a vanishing weight keeps its logarithm",
            json!({"scores": [-1000.0, 0.0]}),
            Tol::F64,
        ),
        Check::matches("3.1", "example 2's scores", scores(&cat_sat), Tol::F64),
        Check::matches(
            "3.1",
            "a tie for the top among four scores",
            json!({"scores": [-3.0, 0.5, 2.0, 2.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.1",
            "scores twenty thousand apart",
            json!({"scores": [-1e4, 1e4, 0.0]}),
            Tol::F64,
        ),
        Check::fails(
            "3.1",
            "rejects an empty vector",
            json!({"scores": []}),
            &["(0,)"],
        ),
        Check::fails(
            "3.1",
            "rejects an infinite score",
            json!({"scores": [0.0, "inf"]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.1",
            "rejects minus infinity",
            json!({"scores": [1.0, "-inf", 2.0]}),
            &["(3,)"],
        ),
        Check::fails(
            "3.1",
            "rejects a NaN",
            json!({"scores": ["NaN", 0.0, 0.0, 0.0]}),
            &["(4,)"],
        ),
    ];
    for (i, x) in [0.0, -7.5, 1e300, -1e300].into_iter().enumerate() {
        out.push(Check::matches(
            "3.1",
            format!("a single score has log-weight 0 ({})", i + 1),
            json!({"scores": [x]}),
            Tol::F64,
        ));
    }
    let mut case = 0;
    for n in [1, 2, 3, 7, 16, 40] {
        for scale in [0.1, 5.0, 300.0] {
            case += 1;
            out.push(Check::matches(
                "3.1",
                format!("hidden random case {case}"),
                scores(&random_scores(rng, n, scale)),
                Tol::F64,
            ));
        }
    }
    let x = random_scores(rng, 6, 2.0);
    let shift = 100.0 + 600.0 * rng.uniform();
    out.push(Check::property(
        "3.1",
        "adding the same number to every score changes nothing",
        move |ask: &mut dyn Oracle| {
            let base = numbers(&value(ask.ask("3.1", &scores(&x)))?)?;
            let moved = numbers(&value(
                ask.ask("3.1", &scores(&x.mapv(|s| s + shift))),
            )?)?;
            if base.len() == moved.len()
                && base.iter().zip(&moved).all(|(a, b)| (a - b).abs() < 1e-9)
            {
                Ok(())
            } else {
                Err("shifting every score by the \
                    same amount changed the answer"
                    .into())
            }
        },
    ));
    let x = random_scores(rng, 9, 3.0);
    out.push(Check::property(
        "3.1",
        "the exponentials of the answer sum to 1",
        move |ask: &mut dyn Oracle| {
            let logs = numbers(&value(ask.ask("3.1", &scores(&x)))?)?;
            let total: f64 = logs.iter().map(|l| l.exp()).sum();
            if logs.len() == 9
                && (total - 1.0).abs() < 1e-9
                && logs.iter().all(|&l| l <= 1e-12)
            {
                Ok(())
            } else {
                Err("exp of the log-weights is not a distribution".into())
            }
        },
    ));
    out
}

fn ex_3_2(rng: &mut SplitMix64) -> Vec<Check> {
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut out = vec![
        Check::matches(
            "3.2",
            "uniform weights",
            json!({"weights": [0.25, 0.25, 0.25, 0.25]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "one-hot weights",
            json!({"weights": [0.0, 1.0, 0.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "a single weight of 1",
            json!({"weights": [1.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "zero weights among non-zero ones",
            json!({"weights": [0.0, 0.5, 0.0, 0.5]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "one-hot at the end of a long vector",
            json!({"weights": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "uneven weights",
            json!({"weights": [0.1, 0.2, 0.3, 0.4]}),
            Tol::F64,
        ),
        Check::matches(
            "3.2",
            "a sum within 1e-9 of 1 is accepted",
            json!({"weights": [0.5, 0.500_000_000_5]}),
            Tol::F64,
        ),
        Check::fails(
            "3.2",
            "rejects an empty vector",
            json!({"weights": []}),
            &["(0,)"],
        ),
        Check::fails(
            "3.2",
            "rejects a NaN",
            json!({"weights": [0.5, "NaN"]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects an infinite weight",
            json!({"weights": ["inf", 0.0]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects a negative weight",
            json!({"weights": [1.5, -0.5]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects a negative weight even when the sum is 1",
            json!({"weights": [0.25, 1.0, -0.25]}),
            &["(3,)"],
        ),
        Check::fails(
            "3.2",
            "rejects weights summing to more than 1",
            json!({"weights": [0.5, 0.6]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects weights summing to less than 1",
            json!({"weights": [0.2, 0.2]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects a sum 2e-9 above 1",
            json!({"weights": [0.5, 0.500_000_002]}),
            &["(2,)"],
        ),
        Check::fails(
            "3.2",
            "rejects a sum 2e-9 below 1",
            json!({"weights": [0.5, 0.499_999_998]}),
            &["(2,)"],
        ),
    ];
    for tau in [1.0, 0.1] {
        if let Ok(w) = softmax_with_temperature(cat_sat.view(), tau) {
            out.push(Check::matches(
                "3.2",
                format!("example 2's weights at temperature {tau}"),
                weights(&w),
                Tol::F64,
            ));
        }
    }
    let mut case = 0;
    for n in [2, 5, 11, 30] {
        for scale in [0.01, 1.0, 4.0] {
            case += 1;
            if let Ok(w) = softmax(random_scores(rng, n, scale).view()) {
                out.push(Check::matches(
                    "3.2",
                    format!("hidden random case {case}"),
                    weights(&w),
                    Tol::F64,
                ));
            }
        }
    }
    let w = softmax(random_scores(rng, 7, 1.5).view())
        .unwrap_or_else(|_| Array1::from_elem(7, 1.0 / 7.0));
    out.push(Check::property(
        "3.2",
        "reordering the weights changes nothing, and H lies in [0, ln n]",
        move |ask: &mut dyn Oracle| {
            let h = number(&value(ask.ask("3.2", &weights(&w)))?)?;
            let mut reversed = w.clone();
            reversed.invert_axis(ndarray::Axis(0));
            let h_rev = number(&value(ask.ask("3.2", &weights(&reversed)))?)?;
            if exceeds((h - h_rev).abs(), 1e-12) {
                return Err("reversing the weights changed the entropy".into());
            }
            if !(h >= -1e-15 && h <= 7f64.ln() + 1e-12) {
                return Err("the entropy is outside [0, ln n]".into());
            }
            Ok(())
        },
    ));
    out
}

fn ex_3_3(rng: &mut SplitMix64) -> Vec<Check> {
    // Bisection (or any other root finder) stops at some tiny interval, so
    // allow for a slightly different last digit.
    let tol = Tol::new(1e-9, 1e-8);
    let cat_sat = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut out = vec![
        Check::matches(
            "3.3",
            "the statement's example",
            json!({"scores": [1.0, 0.0], "target": 0.75}),
            tol,
        ),
        Check::matches(
            "3.3",
            "example 2 reaching one half",
            target(&cat_sat, 0.5),
            tol,
        ),
        Check::matches(
            "3.3",
            "a target that needs a temperature above 1",
            json!({"scores": [2.5, -0.5], "target": 0.6}),
            tol,
        ),
        Check::matches(
            "3.3",
            "a target that needs a temperature below 1",
            json!({"scores": [2.5, -0.5], "target": 0.999_999}),
            tol,
        ),
        Check::matches(
            "3.3",
            "the top score need not come first",
            json!({"scores": [-0.5, 2.5], "target": 0.6}),
            tol,
        ),
        Check::matches(
            "3.3",
            "two tied top scores",
            json!({"scores": [1.0, 0.0, 1.0], "target": 0.4}),
            tol,
        ),
        Check::matches(
            "3.3",
            "two tied top scores, a target near one half",
            json!({"scores": [1.0, 0.0, 1.0], "target": 0.49}),
            tol,
        ),
    ];
    for (name, input, mentions) in [
        (
            "rejects the uniform limit 1/n",
            target(&cat_sat, 0.2),
            &["(5,)"][..],
        ),
        (
            "rejects the one-hot limit 1",
            target(&cat_sat, 1.0),
            &["(5,)"],
        ),
        (
            "rejects a target two tied scores cannot reach",
            json!({"scores": [1.0, 1.0, 0.0], "target": 0.6}),
            &["(3,)"],
        ),
        (
            "rejects any target for one score",
            json!({"scores": [5.0], "target": 0.5}),
            &["(1,)"],
        ),
        (
            "rejects any target for equal scores",
            json!({"scores": [2.0, 2.0], "target": 0.5}),
            &["(2,)"],
        ),
        (
            "rejects exactly 1/n for n = 4",
            json!({"scores": [0.0, 1.0, 2.0, 3.0], "target": 0.25}),
            &["(4,)"],
        ),
        (
            "rejects a NaN target",
            json!({"scores": [0.0, 1.0, 2.0, 3.0], "target": "NaN"}),
            &["(4,)"],
        ),
        (
            "rejects a negative target",
            json!({"scores": [0.0, 1.0, 2.0, 3.0], "target": -0.5}),
            &["(4,)"],
        ),
        (
            "rejects an empty vector",
            json!({"scores": [], "target": 0.5}),
            &["(0,)"],
        ),
        (
            "rejects a NaN score",
            json!({"scores": ["NaN"], "target": 0.5}),
            &["(1,)"],
        ),
        (
            "rejects minus infinity",
            json!({"scores": [0.0, "-inf"], "target": 0.75}),
            &["(2,)"],
        ),
    ] {
        out.push(Check::fails("3.3", name, input, mentions));
    }
    let mut hidden = Vec::new();
    for n in [2, 3, 6, 10] {
        for _ in 0..3 {
            let x = random_scores(rng, n, 2.0);
            let goal = rng.uniform_in(1.0 / n as f64 + 0.02, 0.98);
            hidden.push((x, goal));
        }
    }
    for (i, (x, goal)) in hidden.iter().enumerate() {
        out.push(Check::matches(
            "3.3",
            format!("hidden random case {}", i + 1),
            target(x, *goal),
            tol,
        ));
    }
    out.push(Check::property(
        "3.3",
        "the temperature returned gives the target top weight",
        move |ask: &mut dyn Oracle| {
            for (x, goal) in &hidden {
                let tau = number(&value(ask.ask("3.3", &target(x, *goal)))?)?;
                if !(tau.is_finite() && tau > 0.0) {
                    return Err("the temperature is not \
                        a finite number above 0"
                        .into());
                }
                let top = softmax_with_temperature(x.view(), tau)
                    .map(|w| w.fold(0.0, |m: f64, &v| m.max(v)))
                    .map_err(|_| {
                        "the temperature \
                        returned is not usable"
                            .to_string()
                    })?;
                if exceeds((top - goal).abs(), 1e-9) {
                    return Err("at the temperature returned the \
                        top weight misses the target"
                        .into());
                }
            }
            Ok(())
        },
    ));
    let x = random_scores(rng, 5, 1.0);
    let goal = rng.uniform_in(0.3, 0.9);
    out.push(Check::property(
        "3.3",
        "scaling the scores by 3 scales the temperature by 3",
        move |ask: &mut dyn Oracle| {
            let t = number(&value(ask.ask("3.3", &target(&x, goal)))?)?;
            let t3 = number(&value(
                ask.ask("3.3", &target(&x.mapv(|s| 3.0 * s), goal)),
            )?)?;
            if (t3 - 3.0 * t).abs() <= 1e-8 * t.abs() {
                Ok(())
            } else {
                Err("three times the scores did not \
                    need three times the temperature"
                    .into())
            }
        },
    ));
    out
}
