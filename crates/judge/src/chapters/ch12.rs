//! Chapter 12's checks.
//!
//! Fixed cases first (the statements' examples, edge cases and the bad
//! inputs they name), then cases drawn from the hidden `seed`, which the
//! student never sees: other lengths, widths, magnitudes and step counts.
//! The properties test what any correct softmax backward pass must do:
//! its output sums to zero, and it agrees with central differences of the
//! softmax itself.

use crate::check::{Check, Oracle, Reply, Tol, exceeds, value};
use attn_common::answer::{Value, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2};

/// The softmax, computed here so the properties depend on no student code.
fn softmax(s: &Array1<f64>) -> Array1<f64> {
    let max = s.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let e = s.mapv(|x| (x - max).exp());
    let total = e.sum();
    e / total
}

fn numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        Value::Number(n) => n.as_f64().into_iter().collect(),
        _ => Vec::new(),
    }
}

fn vjp_input(w: &Array1<f64>, g: &Array1<f64>) -> Value {
    json!({"weights": from_vector(w.view()), "upstream": from_vector(g.view())})
}

/// Random scores, their softmax and a random upstream gradient.
fn random_vjp(
    rng: &mut SplitMix64,
    t: usize,
    spread: f64,
) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
    let s = Array1::from_shape_simple_fn(t, || spread * rng.normal());
    let g = Array1::from_shape_simple_fn(t, || rng.normal());
    (softmax(&s), s, g)
}

fn adam_input(
    w: &[f64],
    g: &[f64],
    m: &[f64],
    v: &[f64],
    t: usize,
    lr: f64,
) -> Value {
    json!({"w": w, "g": g, "m": m, "v": v, "t": t, "lr": lr})
}

/// The checks of chapter 12's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x12);
    let mut out = vec![
        Check::matches(
            "12.1",
            "the statement's example",
            json!({"weights": [0.5, 0.5], "upstream": [1.0, 0.0]}),
            Tol::F64,
        ),
        Check::matches(
            "12.1",
            "a one-hot softmax passes no gradient",
            json!({"weights": [0.0, 1.0, 0.0], "upstream": [2.0, -1.0, 4.0]}),
            Tol::F64,
        ),
        Check::matches(
            "12.1",
            "a single weight",
            json!({"weights": [1.0], "upstream": [3.5]}),
            Tol::F64,
        ),
        Check::fails(
            "12.1",
            "rejects weights and upstream of different lengths, naming both shapes",
            json!({"weights": [0.5, 0.5], "upstream": [1.0, 2.0, 3.0]}),
            &["(2,)", "(3,)"],
        ),
        Check::fails(
            "12.1",
            "rejects a NaN in the upstream gradient",
            json!({"weights": [0.5, 0.5], "upstream": ["NaN", 1.0]}),
            &[],
        ),
        Check::fails(
            "12.1",
            "rejects empty inputs",
            json!({"weights": [], "upstream": []}),
            &[],
        ),
    ];
    for (i, (t, spread)) in [(2, 1.0), (5, 3.0), (11, 0.5), (16, 6.0)]
        .into_iter()
        .enumerate()
    {
        let (w, _, g) = random_vjp(&mut rng, t, spread);
        out.push(Check::matches(
            "12.1",
            format!("hidden random case {}", i + 1),
            vjp_input(&w, &g),
            Tol::F64,
        ));
    }
    let hidden = rng.next_u64();
    out.push(Check::property(
        "12.1",
        "the gradient sums to zero when the weights sum to one",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for t in [1, 3, 7, 12] {
                let (w, _, g) = random_vjp(&mut rng, t, 2.0);
                let d = numbers(&value(ask.ask("12.1", &vjp_input(&w, &g)))?);
                if d.len() != t {
                    return Err("returned a gradient of the wrong length".into());
                }
                let scale = g.iter().fold(1.0f64, |m, x| m.max(x.abs()));
                if exceeds(d.iter().sum::<f64>().abs(), 1e-12 * scale * t as f64) {
                    return Err(
                        "the gradient with respect to the scores did not sum to zero".into(),
                    );
                }
            }
            Ok(())
        },
    ));
    let hidden = rng.next_u64();
    out.push(Check::property(
        "12.1",
        "agrees with central differences of the softmax",
        move |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(hidden);
            for t in [2, 4, 9] {
                let (w, s, g) = random_vjp(&mut rng, t, 1.5);
                let d = numbers(&value(ask.ask("12.1", &vjp_input(&w, &g)))?);
                if d.len() != t {
                    return Err("returned a gradient of the wrong length".into());
                }
                // L(s) = g . softmax(s); dL/ds_j by central differences.
                let h = 1e-5;
                for (j, &got) in d.iter().enumerate() {
                    let (mut up, mut down) = (s.clone(), s.clone());
                    up[j] += h;
                    down[j] -= h;
                    let (l_up, l_down) =
                        (g.dot(&softmax(&up)), g.dot(&softmax(&down)));
                    let numeric = (l_up - l_down) / (2.0 * h);
                    if exceeds((got - numeric).abs(), 1e-7) {
                        return Err("a gradient entry differs from its central difference".into());
                    }
                }
            }
            Ok(())
        },
    ));

    let ws = |w: &[f64], v: Array2<f64>, g: &[f64]| {
        json!({
            "weights": w,
            "values": from_matrix(v.view()),
            "upstream": g,
        })
    };
    let m = |rows: &[[f64; 2]]| Array2::from(rows.to_vec());
    out.push(Check::matches(
        "12.2",
        "the statement's example",
        ws(&[0.25, 0.75], m(&[[1.0, 0.0], [0.0, 2.0]]), &[1.0, 1.0]),
        Tol::F64,
    ));
    out.push(Check::matches(
        "12.2",
        "one value of width one",
        json!({"weights": [1.0], "values": [[-2.0]], "upstream": [0.5]}),
        Tol::F64,
    ));
    out.push(Check::fails(
        "12.2",
        "rejects more values than weights, naming both shapes",
        ws(
            &[0.5, 0.5],
            m(&[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
            &[1.0, 1.0],
        ),
        &["(2,)", "(3, 2)"],
    ));
    out.push(Check::fails(
        "12.2",
        "rejects an upstream gradient wider than the values, naming both shapes",
        ws(&[0.5, 0.5], m(&[[1.0, 0.0], [0.0, 1.0]]), &[1.0, 1.0, 1.0]),
        &["(2, 2)", "(3,)"],
    ));
    for (i, (t, d_v)) in [(3, 2), (1, 5), (8, 4)].into_iter().enumerate() {
        let (w, _, _) = random_vjp(&mut rng, t, 2.0);
        let values = rng.normal_matrix(t, d_v);
        let up: Vec<f64> = (0..d_v).map(|_| rng.normal()).collect();
        out.push(Check::matches(
            "12.2",
            format!("hidden random case {}", i + 1),
            ws(&w.to_vec(), values, &up),
            Tol::F64,
        ));
    }

    out.push(Check::matches(
        "12.3",
        "the statement's example",
        adam_input(&[1.0], &[-5.0], &[0.0], &[0.0], 1, 0.01),
        Tol::new(1e-12, 1e-12),
    ));
    out.push(Check::matches(
        "12.3",
        "a zero gradient at step 1 leaves the parameters alone",
        adam_input(&[0.3, -0.7], &[0.0, 0.0], &[0.0, 0.0], &[0.0, 0.0], 1, 0.1),
        Tol::new(1e-12, 1e-12),
    ));
    out.push(Check::fails(
        "12.3",
        "rejects a gradient longer than the parameters, naming both shapes",
        adam_input(&[1.0], &[1.0, 2.0], &[0.0], &[0.0], 1, 0.1),
        &["(1,)", "(2,)"],
    ));
    out.push(Check::fails(
        "12.3",
        "rejects step number 0",
        adam_input(&[1.0], &[1.0], &[0.0], &[0.0], 0, 0.1),
        &[],
    ));
    out.push(Check::fails(
        "12.3",
        "rejects a learning rate of 0",
        adam_input(&[1.0], &[1.0], &[0.0], &[0.0], 1, 0.0),
        &[],
    ));
    for i in 0..4 {
        let n = 1 + (rng.next_u64() % 6) as usize;
        let t = 1 + (rng.next_u64() % 50) as usize;
        let draw = |rng: &mut SplitMix64, k: f64| -> Vec<f64> {
            (0..n).map(|_| k * rng.normal()).collect()
        };
        let w = draw(&mut rng, 1.0);
        let g = draw(&mut rng, 0.5);
        let m = draw(&mut rng, 0.1);
        let v: Vec<f64> =
            draw(&mut rng, 0.1).into_iter().map(|x| x * x).collect();
        let lr = 10f64.powf(-1.0 - 2.0 * rng.uniform());
        out.push(Check::matches(
            "12.3",
            format!("hidden random case {}", i + 1),
            adam_input(&w, &g, &m, &v, t, lr),
            Tol::new(1e-12, 1e-10),
        ));
    }
    out.push(Check::property(
        "12.3",
        "the first step moves every parameter by about the learning rate, against its gradient",
        |ask: &mut dyn Oracle| {
            let w = [0.5, -1.0, 2.0, 0.0];
            let g = [3.0, -0.01, 250.0, -7.5];
            let lr = 0.02;
            let reply = ask.ask("12.3", &adam_input(&w, &g, &[0.0; 4], &[0.0; 4], 1, lr));
            let new_w = match reply {
                Reply::Value(v) => numbers(v.get("w").unwrap_or(&Value::Null)),
                other => return value(other).map(|_| ()),
            };
            if new_w.len() != 4 {
                return Err("returned parameters of the wrong length".into());
            }
            for ((&before, &after), &grad) in w.iter().zip(&new_w).zip(&g) {
                let want = before - lr * grad.signum();
                if exceeds((after - want).abs(), 1e-6) {
                    return Err("a first step was not lr against the gradient's sign".into());
                }
            }
            Ok(())
        },
    ));
    out
}
