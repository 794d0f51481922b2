//! Chapter 5's checks.
//!
//! Fixed cases first (the visible tests' tiny inputs and the bad inputs
//! the statements name), then cases drawn from the hidden `seed`, which
//! the student never sees: other widths, numbers of keys and magnitudes.

use crate::check::{Check, Oracle, Reply, Tol};
use attn_common::answer::{from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2};

/// The checks of chapter 5's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x05);
    let mut out = vec![
        Check::matches(
            "5.1",
            "the statement's example",
            json!({"query": [1.0, 0.0], "keys": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}),
            Tol::F64,
        ),
        Check::fails(
            "5.1",
            "rejects a query narrower than the keys, naming both shapes",
            json!({"query": [1.0, 0.0, 1.0], "keys": [[1.0, 1.0], [1.0, 1.0]]}),
            &["(3,)", "(2, 2)"],
        ),
        Check::fails(
            "5.1",
            "rejects a NaN in the keys",
            json!({"query": [1.0, 2.0], "keys": [[1.0, 0.0], ["NaN", 1.0]]}),
            &[],
        ),
        Check::fails(
            "5.1",
            "rejects an empty sequence of keys",
            json!({"query": [1.0, 2.0], "keys": []}),
            &[],
        ),
    ];
    for (i, (d_k, t)) in [(1, 3), (3, 1), (7, 9), (16, 4)].into_iter().enumerate() {
        let q = rng.normal_matrix(1, d_k).row(0).to_owned();
        let keys = rng.normal_matrix(t, d_k).mapv(|x| 3.0 * x);
        out.push(Check::matches(
            "5.1",
            format!("hidden random case {}", i + 1),
            json!({"query": from_vector(q.view()), "keys": from_matrix(keys.view())}),
            Tol::F64,
        ));
    }
    out.push(Check::property(
        "5.1",
        "scales linearly with the query",
        move |ask: &mut dyn Oracle| {
            let q = Array1::from(vec![0.5, -1.0, 2.0]);
            let keys = Array2::from_shape_fn((4, 3), |(i, j)| (i + 2 * j) as f64);
            let one = ask.ask("5.1", &json!({"query": from_vector(q.view()), "keys": from_matrix(keys.view())}));
            let two = ask.ask("5.1", &json!({"query": from_vector((&q * 2.0).view()), "keys": from_matrix(keys.view())}));
            match (one, two) {
                (Reply::Value(a), Reply::Value(b)) => {
                    let doubled: Vec<f64> = a
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_f64().map(|x| 2.0 * x))
                        .collect();
                    if crate::check::close(&b, &json!(doubled), Tol::F64) {
                        Ok(())
                    } else {
                        Err("doubling the query did not double the scores".into())
                    }
                }
                (Reply::Crashed(why), _) | (_, Reply::Crashed(why)) => Err(why),
                _ => Err("returned an error for a valid input".into()),
            }
        },
    ));
    for (name, (d_k, std_dev, pairs, s)) in [
        ("the chapter's setting for d_k = 8", (8, 1.0, 2000, 0)),
        ("hidden case 1", (1 + (rng.next_u64() % 40) as usize, 0.3, 50, rng.next_u64())),
        ("hidden case 2", (5, 2.5, 2 + (rng.next_u64() % 10) as usize, rng.next_u64())),
    ] {
        out.push(Check::matches(
            "5.2",
            name,
            json!({"d_k": d_k, "std_dev": std_dev, "pairs": pairs, "seed": s}),
            Tol::new(1e-12, 1e-9),
        ));
    }
    out.push(Check::fails(
        "5.2",
        "rejects fewer than 2 pairs",
        json!({"d_k": 4, "std_dev": 1.0, "pairs": 1, "seed": 1}),
        &[],
    ));
    for (i, (d_in, d_out, bias)) in [(3, 2, false), (3, 2, true), (5, 2, true), (2, 5, true)]
        .into_iter()
        .enumerate()
    {
        out.push(Check::matches(
            "5.3",
            format!("layer size {}", i + 1),
            json!({"d_in": d_in, "d_out": d_out, "bias": bias}),
            Tol::EXACT,
        ));
    }
    out
}
