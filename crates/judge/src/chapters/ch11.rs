//! Chapter 11's checks.
//!
//! Fixed cases first (the statements' examples, the edges `alpha = 0` and
//! `alpha = 1`, bad inputs), then cases drawn from the hidden `seed`:
//! other numbers of layers, lengths and widths. Exercise 11.3 has many
//! right answers, so it is judged by its properties only: a distribution,
//! the same output, at most `d_v + 1` keys.

use crate::check::{Check, Oracle, Tol, exceeds, value};
use attn_common::answer::{Value, from_array3, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2, Array3};

/// Rows of softmax weights from normal scores of spread `spread`.
fn softmax_rows(
    rng: &mut SplitMix64,
    rows: usize,
    cols: usize,
    spread: f64,
) -> Array2<f64> {
    let mut w = rng.normal_matrix(rows, cols).mapv(|x| spread * x);
    for mut row in w.rows_mut() {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    w
}

/// `layers` random maps of size `t`.
fn random_layers(rng: &mut SplitMix64, layers: usize, t: usize) -> Array3<f64> {
    let mut out = Array3::zeros((layers, t, t));
    for l in 0..layers {
        let spread = 0.5 + 2.5 * rng.uniform();
        out.index_axis_mut(ndarray::Axis(0), l)
            .assign(&softmax_rows(rng, t, t, spread));
    }
    out
}

/// The numbers of a JSON array (of numbers, or of arrays of numbers).
fn floats(v: &Value) -> Option<Vec<f64>> {
    let items = v.as_array()?;
    let mut out = Vec::new();
    for x in items {
        match x {
            Value::Array(_) => out.extend(floats(x)?),
            _ => out.push(x.as_f64()?),
        }
    }
    Some(out)
}

/// The three properties of a sparse twin of `w` over `values`.
fn twin_is_valid(
    ask: &mut dyn Oracle,
    w: &Array1<f64>,
    values: &Array2<f64>,
) -> Result<(), String> {
    let input = json!({"w": from_vector(w.view()), "values": from_matrix(values.view())});
    let reply = value(ask.ask("11.3", &input))?;
    let u = floats(&reply).ok_or("the answer is not a list of numbers")?;
    if u.len() != w.len() {
        return Err("the answer does not have one weight per value".into());
    }
    if u.iter().any(|&x| x < -1e-12)
        || exceeds((u.iter().sum::<f64>() - 1.0).abs(), 1e-9)
    {
        return Err(
            "the answer is not a distribution (non-negative, summing to 1)"
                .into(),
        );
    }
    let u = Array1::from(u);
    // Every entry within 1e-9 (a NaN never is).
    let same = (&u.dot(values) - &w.dot(values))
        .iter()
        .all(|x| x.abs() <= 1e-9);
    if !same {
        return Err("the answer's output u V differs from w V".into());
    }
    let kept = u.iter().filter(|&&x| x > 1e-9).count();
    if kept > values.ncols() + 1 {
        return Err("the answer puts weight on more than d_v + 1 keys".into());
    }
    Ok(())
}

/// The checks of chapter 11's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x11);
    let half = Array3::from_elem((1, 2, 2), 0.5);
    let previous =
        ndarray::array![[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
    let two_previous =
        ndarray::stack(ndarray::Axis(0), &[previous.view(), previous.view()])
            .unwrap();
    let mut out = vec![
        Check::matches(
            "11.1",
            "the statement's example",
            json!({"layers": from_array3(half.view()), "alpha": 0.5}),
            Tol::F64,
        ),
        Check::matches(
            "11.1",
            "alpha = 0 is the plain product of the maps",
            json!({"layers": from_array3(two_previous.view()), "alpha": 0.0}),
            Tol::F64,
        ),
        Check::matches(
            "11.1",
            "alpha = 1 is the identity",
            json!({"layers": from_array3(random_layers(&mut rng, 2, 4).view()), "alpha": 1.0}),
            Tol::F64,
        ),
        Check::fails(
            "11.1",
            "rejects maps that are not square, naming the shape",
            json!({"layers": from_array3(Array3::from_elem((2, 3, 4), 0.25).view()), "alpha": 0.5}),
            &["(2, 3, 4)"],
        ),
        Check::fails(
            "11.1",
            "rejects an alpha outside [0, 1]",
            json!({"layers": from_array3(half.view()), "alpha": 1.5}),
            &[],
        ),
        Check::fails(
            "11.1",
            "rejects a NaN in a map",
            json!({"layers": [[[0.5, "NaN"], [0.5, 0.5]]], "alpha": 0.5}),
            &[],
        ),
        Check::fails(
            "11.1",
            "rejects an empty stack of layers",
            json!({"layers": [], "alpha": 0.5}),
            &[],
        ),
    ];
    for i in 0..4 {
        let l = 1 + (rng.next_u64() % 4) as usize;
        let t = 2 + (rng.next_u64() % 7) as usize;
        let alpha = rng.uniform();
        out.push(Check::matches(
            "11.1",
            format!("hidden random case {}", i + 1),
            json!({"layers": from_array3(random_layers(&mut rng, l, t).view()), "alpha": alpha}),
            Tol::new(1e-9, 1e-9),
        ));
    }
    let cases: Vec<(Array3<f64>, f64)> = (0..3)
        .map(|_| (random_layers(&mut rng, 3, 5), rng.uniform()))
        .collect();
    out.push(Check::property("11.1", "every row of a rollout sums to 1", move |ask: &mut dyn Oracle| {
        for (layers, alpha) in &cases {
            let input = json!({"layers": from_array3(layers.view()), "alpha": alpha});
            let reply = value(ask.ask("11.1", &input))?;
            let rows = reply.as_array().ok_or("the answer is not a matrix")?;
            for row in rows {
                let sum: f64 = floats(row).ok_or("the answer is not a matrix")?.iter().sum();
                if exceeds((sum - 1.0).abs(), 1e-9) {
                    return Err("a row of the rollout does not sum to 1".into());
                }
            }
        }
        Ok(())
    }));

    out.extend([
        Check::matches(
            "11.2",
            "the statement's example",
            json!({"weights": [[1.0, 0.0], [0.5, 0.5]]}),
            Tol::F64,
        ),
        Check::matches(
            "11.2",
            "an uneven row",
            json!({"weights": [[0.5, 0.25, 0.25]]}),
            Tol::F64,
        ),
        Check::matches(
            "11.2",
            "rows with exact zeros",
            json!({"weights": [[0.0, 0.0, 1.0, 0.0], [0.0, 0.5, 0.0, 0.5]]}),
            Tol::F64,
        ),
        Check::fails(
            "11.2",
            "rejects a row that does not sum to 1, naming the shape",
            json!({"weights": [[0.5, 0.6]]}),
            &["(1, 2)"],
        ),
        Check::fails(
            "11.2",
            "rejects a negative weight",
            json!({"weights": [[1.5, -0.5]]}),
            &[],
        ),
        Check::fails(
            "11.2",
            "rejects a NaN",
            json!({"weights": [["NaN", 1.0]]}),
            &[],
        ),
    ]);
    for i in 0..4 {
        let rows = 1 + (rng.next_u64() % 6) as usize;
        let cols = 1 + (rng.next_u64() % 12) as usize;
        let spread = 0.2 + 4.0 * rng.uniform();
        let w = softmax_rows(&mut rng, rows, cols, spread);
        out.push(Check::matches(
            "11.2",
            format!("hidden random case {}", i + 1),
            json!({"weights": from_matrix(w.view())}),
            Tol::new(1e-9, 1e-9),
        ));
    }

    let example = (
        Array1::from_elem(4, 0.25),
        ndarray::array![[1.0], [2.0], [3.0], [4.0]],
    );
    out.push(Check::verifying(
        "11.3",
        "the statement's example: same output, at most 2 keys",
        move |ask: &mut dyn Oracle| twin_is_valid(ask, &example.0, &example.1),
    ));
    let mut hidden = Vec::new();
    for _ in 0..4 {
        let t = 4 + (rng.next_u64() % 8) as usize;
        let d_v = 1 + (rng.next_u64() % 3) as usize;
        let w = softmax_rows(&mut rng, 1, t, 1.0).row(0).to_owned();
        let values = rng.normal_matrix(t, d_v);
        hidden.push((w, values));
    }
    out.push(Check::verifying(
        "11.3",
        "hidden random cases: a distribution, the same output, at most d_v + 1 keys",
        move |ask: &mut dyn Oracle| {
            for (w, values) in &hidden {
                twin_is_valid(ask, w, values)?;
            }
            Ok(())
        },
    ));
    out.extend([
        Check::fails(
            "11.3",
            "rejects weights and values of different lengths, naming both shapes",
            json!({"w": [0.2, 0.3, 0.5], "values": [[1.0, 0.0], [0.0, 1.0]]}),
            &["(3,)", "(2, 2)"],
        ),
        Check::fails(
            "11.3",
            "rejects weights that do not sum to 1",
            json!({"w": [0.5, 0.6], "values": [[1.0], [2.0]]}),
            &[],
        ),
    ]);
    out
}
