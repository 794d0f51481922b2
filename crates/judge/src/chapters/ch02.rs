//! Chapter 2's checks.
//!
//! Fixed cases first (the statements' examples and the bad inputs they
//! name), then cases drawn from the hidden `seed`, which the student never
//! sees: other widths, lengths and radii. The properties tie the
//! exercises together: the sensitivity of exercise 2.2 must match finite
//! differences of the student's own encoder from exercise 2.1.

use crate::check::{Check, Oracle, Reply, Tol, value};
use attn_common::answer::{Value, from_matrix, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array2, array, s};

fn encoder_input(
    w_x: &Array2<f64>,
    w_h: &Array2<f64>,
    x: &Array2<f64>,
) -> Value {
    json!({
        "w_x": from_matrix(w_x.view()),
        "w_h": from_matrix(w_h.view()),
        "x": from_matrix(x.view()),
    })
}

fn numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        Value::Number(n) => n.as_f64().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A random encoder and sequence: `W_h` scaled to about `gain`.
fn random_case(
    rng: &mut SplitMix64,
    d_in: usize,
    d_h: usize,
    t: usize,
    gain: f64,
) -> Value {
    let w_x = rng.normal_matrix(d_in, d_h) / (d_in as f64).sqrt();
    let w_h = rng.normal_matrix(d_h, d_h) * (gain / (d_h as f64).sqrt());
    let x = rng.normal_matrix(t, d_in);
    encoder_input(&w_x, &w_h, &x)
}

/// The checks of chapter 2's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x02);
    let example = encoder_input(
        &array![[0.5], [0.25]],
        &array![[0.5]],
        &array![[1.0, 2.0], [0.0, 0.0]],
    );
    let mut out = Vec::new();
    for ex in ["2.1", "2.2"] {
        out.push(Check::matches(
            ex,
            "the statement's example",
            example.clone(),
            Tol::F64,
        ));
        out.push(Check::matches(
            ex,
            "a single token",
            encoder_input(
                &array![[1.0, -0.5]],
                &array![[0.3, 0.1], [-0.2, 0.4]],
                &array![[0.7]],
            ),
            Tol::F64,
        ));
        out.push(Check::fails(
            ex,
            "rejects tokens whose width is not d_in, naming both shapes",
            encoder_input(
                &Array2::zeros((3, 2)),
                &Array2::zeros((2, 2)),
                &Array2::zeros((4, 5)),
            ),
            &["(4, 5)", "(3, 2)"],
        ));
        out.push(Check::fails(
            ex,
            "rejects a recurrent matrix that is not square, naming its shape",
            encoder_input(
                &Array2::zeros((2, 3)),
                &Array2::zeros((3, 2)),
                &Array2::zeros((1, 2)),
            ),
            &["(3, 2)"],
        ));
        out.push(Check::fails(
            ex,
            "rejects an empty sentence",
            json!({"w_x": [[1.0]], "w_h": [[0.5]], "x": []}),
            &[],
        ));
        out.push(Check::fails(
            ex,
            "rejects a NaN in the tokens",
            json!({"w_x": [[1.0]], "w_h": [[0.5]], "x": [[1.0], ["NaN"]]}),
            &[],
        ));
    }
    for (i, (d_in, d_h, t, gain)) in [
        (1, 1, 5, 0.9),
        (3, 4, 1, 1.0),
        (4, 8, 13, 0.8),
        (2, 6, 40, 1.5),
        (5, 3, 20, 3.0),
    ]
    .into_iter()
    .enumerate()
    {
        for ex in ["2.1", "2.2"] {
            let case = random_case(&mut rng, d_in, d_h, t, gain);
            out.push(Check::matches(
                ex,
                format!("hidden random case {}", i + 1),
                case,
                Tol::new(1e-12, 1e-9),
            ));
        }
    }
    out.push(Check::property(
        "2.1",
        "with a zero recurrent matrix only the last token counts",
        |ask: &mut dyn Oracle| {
            let w_x = array![[0.6, -0.2, 0.1], [0.3, 0.5, -0.4]];
            let w_h = Array2::zeros((3, 3));
            let x = array![[2.0, 1.0], [-1.0, 0.5], [0.25, -0.75]];
            let all = value(ask.ask("2.1", &encoder_input(&w_x, &w_h, &x)))?;
            let last = x.slice(s![2.., ..]).to_owned();
            let one = value(ask.ask("2.1", &encoder_input(&w_x, &w_h, &last)))?;
            if crate::check::close(&all, &one, Tol::F64) {
                Ok(())
            } else {
                Err("with W_h = 0 the final state still depended on earlier tokens".into())
            }
        },
    ));
    out.push(Check::property(
        "2.2",
        "agrees with finite differences of your own encoder (exercise 2.1)",
        |ask: &mut dyn Oracle| {
            let mut rng = SplitMix64::new(22);
            let w_x = rng.normal_matrix(3, 4) / 3f64.sqrt();
            let w_h = rng.normal_matrix(4, 4) * 0.6;
            let x = rng.normal_matrix(6, 3);
            let norm = match ask.ask("2.2", &encoder_input(&w_x, &w_h, &x)) {
                Reply::Value(v) => numbers(&v).first().copied().ok_or("2.2 returned no number")?,
                other => return value(other).map(|_| ()),
            };
            let step = 1e-5;
            let mut total = 0.0;
            for k in 0..3 {
                let mut up = x.clone();
                up[[0, k]] += step;
                let mut down = x.clone();
                down[[0, k]] -= step;
                let h_up = numbers(&value(ask.ask("2.1", &encoder_input(&w_x, &w_h, &up)))?);
                let h_down = numbers(&value(ask.ask("2.1", &encoder_input(&w_x, &w_h, &down)))?);
                if h_up.len() != 4 || h_down.len() != 4 {
                    return Err("exercise 2.1 returned a state of the wrong width".into());
                }
                for (a, b) in h_up.iter().zip(&h_down) {
                    let d = (a - b) / (2.0 * step);
                    total += d * d;
                }
            }
            let numeric = total.sqrt();
            if (norm - numeric).abs() <= 1e-6 * numeric.max(1e-3) {
                Ok(())
            } else {
                Err("the sensitivity differs from finite differences of the encoder of exercise 2.1".into())
            }
        },
    ));
    for (i, (r, th)) in [(0.5, 0.1), (0.8, 0.01), (0.8, 1.0), (0.99, 0.001)]
        .into_iter()
        .enumerate()
    {
        out.push(Check::matches(
            "2.3",
            format!("fixed case {}", i + 1),
            json!({"radius": r, "threshold": th}),
            Tol::EXACT,
        ));
    }
    for i in 0..4 {
        let r = rng.uniform_in(0.05, 0.99);
        let th = rng.uniform_in(1e-6, 0.5);
        out.push(Check::matches(
            "2.3",
            format!("hidden case {}", i + 1),
            json!({"radius": r, "threshold": th}),
            Tol::EXACT,
        ));
    }
    for (r, th) in [(1.0, 0.1), (1.5, 0.1), (0.0, 0.1), (0.5, 0.0), (0.5, 1.5)]
    {
        out.push(Check::fails(
            "2.3",
            format!("rejects radius {r} with threshold {th}"),
            json!({"radius": r, "threshold": th}),
            &[],
        ));
    }
    out.push(Check::property(
        "2.3",
        "a smaller radius never takes more steps to fade",
        |ask: &mut dyn Oracle| {
            let steps = |ask: &mut dyn Oracle, r: f64| -> Result<f64, String> {
                let v = value(
                    ask.ask("2.3", &json!({"radius": r, "threshold": 0.003})),
                )?;
                v.as_f64()
                    .ok_or_else(|| "2.3 did not return a count".to_string())
            };
            let mut previous = 0.0;
            for r in [0.1, 0.3, 0.5, 0.7, 0.9, 0.95] {
                let n = steps(ask, r)?;
                if n < previous {
                    return Err("a larger radius faded in fewer steps".into());
                }
                previous = n;
            }
            Ok(())
        },
    ));
    out
}
