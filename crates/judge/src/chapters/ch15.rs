//! Chapter 15's checks.
//!
//! Fixed cases first (the statements' examples, edge cases and the bad
//! inputs they name), then cases drawn from the hidden `seed`: causal
//! attention maps of other lengths and sharpness, and logits of other
//! sizes and magnitudes. The properties test what any correct answer must
//! do: a perfect induction head scores 1 and a previous-token head does
//! not, and the loss's gradient sums to zero and agrees with central
//! differences of the loss.

use crate::check::{Check, Oracle, Reply, Tol, value};
use attn_common::answer::{Value, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2};

/// A random causal attention map: row `i` is a softmax over keys `0..=i`
/// of scores with spread `spread`, computed here so the checks depend on
/// no chapter code.
fn causal_map(rng: &mut SplitMix64, t: usize, spread: f64) -> Array2<f64> {
    let mut w = Array2::zeros((t, t));
    for i in 0..t {
        let s: Vec<f64> = (0..=i).map(|_| spread * rng.normal()).collect();
        let max = s.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let e: Vec<f64> = s.iter().map(|x| (x - max).exp()).collect();
        let total: f64 = e.iter().sum();
        for (j, x) in e.iter().enumerate() {
            w[[i, j]] = x / total;
        }
    }
    w
}

/// The map of a head that always attends to `target(i)`.
fn hard(t: usize, target: impl Fn(usize) -> usize) -> Array2<f64> {
    Array2::from_shape_fn((t, t), |(i, j)| f64::from(j == target(i)))
}

fn map(w: &Array2<f64>) -> Value {
    json!({"weights": from_matrix(w.view())})
}

fn map_half(w: &Array2<f64>, half: usize) -> Value {
    json!({"weights": from_matrix(w.view()), "half": half})
}

fn logits(l: &Array1<f64>, target: usize) -> Value {
    json!({"logits": from_vector(l.view()), "target": target})
}

fn number(reply: Reply) -> Result<f64, String> {
    value(reply)?
        .as_f64()
        .ok_or_else(|| "did not return a number".to_string())
}

/// The loss of `logits` for `target`, computed here.
fn loss(l: &Array1<f64>, target: usize) -> f64 {
    let max = l.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let total: f64 = l.iter().map(|x| (x - max).exp()).sum();
    total.ln() + max - l[target]
}

/// The checks of chapter 15's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x15);
    let mut out = vec![
        Check::matches(
            "15.1",
            "the statement's example",
            json!({"weights": [[1.0, 0.0], [0.25, 0.75]]}),
            Tol::F64,
        ),
        Check::matches(
            "15.1",
            "a head that always looks at the first token",
            map(&hard(5, |_| 0)),
            Tol::F64,
        ),
        Check::fails(
            "15.1",
            "rejects a map that is not square, naming its shape",
            json!({"weights": [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]}),
            &["(2, 3)"],
        ),
        Check::fails(
            "15.1",
            "rejects a map with one row",
            json!({"weights": [[1.0]]}),
            &[],
        ),
        Check::fails(
            "15.1",
            "rejects a NaN weight",
            json!({"weights": [[1.0, 0.0], ["NaN", 1.0]]}),
            &[],
        ),
    ];
    for (i, (t, spread)) in [(2, 1.0), (7, 3.0), (16, 0.5), (24, 5.0)]
        .into_iter()
        .enumerate()
    {
        out.push(Check::matches(
            "15.1",
            format!("hidden random case {}", i + 1),
            map(&causal_map(&mut rng, t, spread)),
            Tol::F64,
        ));
    }
    out.push(Check::property(
        "15.1",
        "a previous-token head scores 1, a head that looks at itself 0",
        |ask: &mut dyn Oracle| {
            for t in [2, 5, 12] {
                let prev = map(&hard(t, |i| i.saturating_sub(1)));
                if number(ask.ask("15.1", &prev))? != 1.0 {
                    return Err(
                        "a perfect previous-token head did not score 1".into(),
                    );
                }
                let own = map(&hard(t, |i| i));
                if number(ask.ask("15.1", &own))? != 0.0 {
                    return Err(
                        "a head that only looks at itself did not score 0"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));

    out.push(Check::matches(
        "15.2",
        "the statement's example",
        json!({"weights": [[1.0, 0.0], [0.5, 0.5]], "half": 1}),
        Tol::F64,
    ));
    out.push(Check::matches(
        "15.2",
        "a previous-token head on a repeat of 4",
        map_half(&hard(8, |i| i.saturating_sub(1)), 4),
        Tol::F64,
    ));
    out.push(Check::fails(
        "15.2",
        "rejects a half that is not half of T, naming the shape",
        map_half(&hard(4, |_| 0), 3),
        &["(4, 4)"],
    ));
    out.push(Check::fails(
        "15.2",
        "rejects half = 0",
        json!({"weights": [], "half": 0}),
        &[],
    ));
    out.push(Check::fails(
        "15.2",
        "rejects a map that is not square, naming its shape",
        json!({"weights": [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], "half": 1}),
        &["(2, 3)"],
    ));
    for (i, (half, spread)) in [(1, 1.0), (3, 2.0), (8, 0.7), (11, 4.0)]
        .into_iter()
        .enumerate()
    {
        out.push(Check::matches(
            "15.2",
            format!("hidden random case {}", i + 1),
            map_half(&causal_map(&mut rng, 2 * half, spread), half),
            Tol::F64,
        ));
    }
    out.push(Check::property(
        "15.2",
        "a perfect induction head scores 1, a previous-token head less",
        |ask: &mut dyn Oracle| {
            for half in [3, 5, 9] {
                let t = 2 * half;
                let ind = hard(t, |i| if i >= half { i - half + 1 } else { 0 });
                if number(ask.ask("15.2", &map_half(&ind, half)))? != 1.0 {
                    return Err(
                        "a perfect induction head did not score 1".into()
                    );
                }
                let prev = hard(t, |i| i.saturating_sub(1));
                if number(ask.ask("15.2", &map_half(&prev, half)))? >= 1.0 {
                    return Err(
                        "a previous-token head scored as an induction head"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));

    out.push(Check::matches(
        "15.3",
        "the statement's example",
        json!({"logits": [0.0, 0.0], "target": 1}),
        Tol::new(1e-15, 1e-12),
    ));
    out.push(Check::matches(
        "15.3",
        "huge logits do not overflow",
        json!({"logits": [1000.0, 0.0, -1000.0], "target": 1}),
        Tol::new(1e-12, 1e-12),
    ));
    out.push(Check::fails(
        "15.3",
        "rejects a target outside the logits, naming their shape",
        json!({"logits": [1.0, 2.0], "target": 2}),
        &["(2,)"],
    ));
    out.push(Check::fails(
        "15.3",
        "rejects empty logits",
        json!({"logits": [], "target": 0}),
        &[],
    ));
    for (i, (v, spread)) in
        [(2, 1.0), (12, 3.0), (50, 10.0)].into_iter().enumerate()
    {
        let l = Array1::from_shape_simple_fn(v, || spread * rng.normal());
        let target = (rng.next_u64() % v as u64) as usize;
        out.push(Check::matches(
            "15.3",
            format!("hidden random case {}", i + 1),
            logits(&l, target),
            Tol::new(1e-12, 1e-10),
        ));
    }
    let hidden = rng.next_u64();
    out.push(Check::property(
        "15.3",
        "the gradient sums to zero and agrees with central differences",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for v in [2, 5, 9] {
                let l = Array1::from_shape_simple_fn(v, || 2.0 * rng.normal());
                let target = (rng.next_u64() % v as u64) as usize;
                let reply = value(ask.ask("15.3", &logits(&l, target)))?;
                let d: Vec<f64> = match reply.get("d_logits") {
                    Some(Value::Array(xs)) => {
                        xs.iter().filter_map(Value::as_f64).collect()
                    }
                    _ => return Err("returned no `d_logits` list".into()),
                };
                if d.len() != v {
                    return Err("returned a gradient of the wrong length".into());
                }
                if d.iter().sum::<f64>().abs() > 1e-12 {
                    return Err("the gradient did not sum to zero".into());
                }
                let h = 1e-5;
                for (j, &got) in d.iter().enumerate() {
                    let (mut up, mut down) = (l.clone(), l.clone());
                    up[j] += h;
                    down[j] -= h;
                    let numeric =
                        (loss(&up, target) - loss(&down, target)) / (2.0 * h);
                    if (got - numeric).abs() > 1e-7 {
                        return Err("a gradient entry differs from its central difference".into());
                    }
                }
            }
            Ok(())
        },
    ));
    out
}
