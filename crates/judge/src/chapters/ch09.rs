//! Chapter 9's checks.
//!
//! Fixed cases first (the statements' examples and the bad inputs they
//! name), then cases drawn from the hidden `seed`, which the student never
//! sees: other widths, numbers of keys, hidden widths and magnitudes, and
//! properties that call the student's code several times.

use crate::check::{Check, Oracle, Tol, close, exceeds, numbers, value};
use attn_common::answer::{Value, from_matrix, from_vector, json};
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2, Axis};

/// The parameters of an additive scorer.
#[derive(Clone)]
struct Additive {
    w_q: Array2<f64>,
    w_k: Array2<f64>,
    v: Array1<f64>,
}

impl Additive {
    /// Random parameters: `W_q` `(d_a, d_q)`, `W_k` `(d_a, d_k)`, `v`
    /// `(d_a,)`, every entry normal times `scale`.
    fn random(
        rng: &mut SplitMix64,
        (d_q, d_k, d_a): (usize, usize, usize),
        scale: f64,
    ) -> Self {
        Self {
            w_q: rng.normal_matrix(d_a, d_q) * scale,
            w_k: rng.normal_matrix(d_a, d_k) * scale,
            v: rng.normal_matrix(1, d_a).row(0).to_owned(),
        }
    }

    /// The input of exercise 9.1 for one query and its keys.
    fn input(&self, q: &Array1<f64>, keys: &Array2<f64>) -> Value {
        json!({
            "query": from_vector(q.view()),
            "keys": from_matrix(keys.view()),
            "w_q": from_matrix(self.w_q.view()),
            "w_k": from_matrix(self.w_k.view()),
            "v": from_vector(self.v.view()),
        })
    }
}

/// The input of exercise 9.2.
fn count_input(scorer: &str, dims: [u64; 5]) -> Value {
    let [t_q, t_k, d_q, d_k, d_a] = dims;
    json!({
        "scorer": scorer, "t_q": t_q, "t_k": t_k,
        "d_q": d_q, "d_k": d_k, "d_a": d_a,
    })
}

/// The input of exercise 9.3.
fn cosine_input(q: &Array1<f64>, keys: &Array2<f64>) -> Value {
    json!({"query": from_vector(q.view()), "keys": from_matrix(keys.view())})
}

/// The checks of chapter 9's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x09);
    let mut out = ex_9_1(&mut rng);
    out.extend(ex_9_2(&mut rng));
    out.extend(ex_9_3(&mut rng));
    out
}

fn ex_9_1(rng: &mut SplitMix64) -> Vec<Check> {
    let example = json!({
        "query": [1.0, 0.0], "keys": [[0.0, 1.0]],
        "w_q": [[1.0, 0.0]], "w_k": [[0.0, 1.0]], "v": [2.0],
    });
    let mut bad_v = example.clone();
    bad_v["v"] = json!([2.0, 1.0]);
    let mut bad_w_q = example.clone();
    bad_w_q["w_q"] = json!([[1.0, 0.0, 1.0]]);
    let mut bad_w_k = example.clone();
    bad_w_k["w_k"] = json!([[0.0, 1.0], [1.0, 1.0]]);
    let mut nan_key = example.clone();
    nan_key["keys"] = json!([[0.0, 1.0], ["NaN", 1.0]]);
    let mut no_keys = example.clone();
    no_keys["keys"] = json!([]);
    let mut out = vec![
        Check::matches("9.1", "the statement's example", example, Tol::F64),
        Check::matches(
            "9.1",
            "the chapter's hand-built scorer on the three keys",
            json!({
                "query": [1.0, 1.0],
                "keys": [[0.5, 0.5], [1.0, 1.0], [1.5, 1.5]],
                "w_q": [[-0.5, -0.5], [-1.5, -1.5]],
                "w_k": [[1.0, 1.0], [1.0, 1.0]],
                "v": [1.0, -1.0],
            }),
            Tol::F64,
        ),
        Check::matches(
            "9.1",
            "a query narrower than the keys",
            json!({
                "query": [2.0], "keys": [[1.0, 1.0, 1.0], [0.0, -1.0, 2.0]],
                "w_q": [[1.0], [0.0]],
                "w_k": [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
                "v": [1.0, 1.0],
            }),
            Tol::F64,
        ),
        Check::matches(
            "9.1",
            "huge pre-activations saturate tanh without overflow",
            json!({
                "query": [1e200], "keys": [[-1e200], [1.0]],
                "w_q": [[1.0], [-1.0]], "w_k": [[1.0], [1.0]],
                "v": [1.0, 0.5],
            }),
            Tol::F64,
        ),
        Check::fails(
            "9.1",
            "rejects a W_q that does not fit the query, naming both shapes",
            bad_w_q,
            &["(2,)", "(1, 3)"],
        ),
        Check::fails(
            "9.1",
            "rejects a v of the wrong length, naming both shapes",
            bad_v,
            &["(2,)", "(1, 2)"],
        ),
        Check::fails(
            "9.1",
            "rejects W_q and W_k with different hidden widths",
            bad_w_k,
            &["(1, 2)", "(2, 2)"],
        ),
        Check::fails("9.1", "rejects a NaN in the keys", nan_key, &["(2, 2)"]),
        Check::fails("9.1", "rejects an empty sequence of keys", no_keys, &[]),
    ];
    for (i, (d_q, d_k, d_a, t, scale)) in [
        (1, 1, 1, 1, 1.0),
        (3, 3, 4, 6, 0.5),
        (2, 5, 3, 4, 2.0),
        (6, 2, 8, 9, 0.1),
        (16, 16, 16, 12, 0.25),
    ]
    .into_iter()
    .enumerate()
    {
        let p = Additive::random(rng, (d_q, d_k, d_a), scale);
        let q = rng.normal_matrix(1, d_q).row(0).to_owned();
        let keys = rng.normal_matrix(t, d_k);
        out.push(Check::matches(
            "9.1",
            format!("hidden random case {}", i + 1),
            p.input(&q, &keys),
            Tol::F64,
        ));
    }
    let p = Additive::random(rng, (3, 4, 5), 0.7);
    let q = rng.normal_matrix(1, 3).row(0).to_owned();
    let keys = rng.normal_matrix(6, 4);
    out.push(Check::property(
        "9.1",
        "reordering the keys reorders the scores",
        move |ask: &mut dyn Oracle| {
            let one = numbers(&value(ask.ask("9.1", &p.input(&q, &keys)))?)?;
            let mut reversed = keys.clone();
            reversed.invert_axis(Axis(0));
            let two = value(ask.ask("9.1", &p.input(&q, &reversed)))?;
            let back: Vec<f64> = one.iter().rev().copied().collect();
            if close(&two, &json!(back), Tol::F64) {
                Ok(())
            } else {
                Err("reversing the keys did not reverse the scores".into())
            }
        },
    ));
    let p = Additive::random(rng, (4, 4, 3), 1.0);
    let q = rng.normal_matrix(1, 4).row(0).to_owned();
    let keys = rng.normal_matrix(5, 4);
    out.push(Check::property(
        "9.1",
        "scales linearly with v",
        move |ask: &mut dyn Oracle| {
            let one = numbers(&value(ask.ask("9.1", &p.input(&q, &keys)))?)?;
            let mut tripled = p.clone();
            tripled.v *= 3.0;
            let two = value(ask.ask("9.1", &tripled.input(&q, &keys)))?;
            let want: Vec<f64> = one.iter().map(|x| 3.0 * x).collect();
            if close(&two, &json!(want), Tol::F64) {
                Ok(())
            } else {
                Err("multiplying v by 3 did not multiply the scores by 3"
                    .into())
            }
        },
    ));
    out
}

fn ex_9_2(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "9.2",
            "the statement's dot example",
            count_input("dot", [2, 3, 4, 4, 0]),
            Tol::EXACT,
        ),
        Check::matches(
            "9.2",
            "the statement's general example",
            count_input("general", [2, 3, 4, 5, 0]),
            Tol::EXACT,
        ),
        Check::fails(
            "9.2",
            "rejects an unknown scorer",
            count_input("bilinear", [1, 1, 1, 1, 1]),
            &[],
        ),
        Check::fails(
            "9.2",
            "rejects unequal widths for the dot product",
            count_input("dot", [2, 2, 3, 4, 0]),
            &[],
        ),
        Check::fails(
            "9.2",
            "rejects unequal widths for cosine",
            count_input("cosine", [2, 2, 3, 4, 0]),
            &[],
        ),
    ];
    for scorer in ["dot", "scaled_dot", "general", "additive", "cosine"] {
        out.push(Check::matches(
            "9.2",
            format!("{scorer} in the chapter's table at T = 1024"),
            count_input(scorer, [1024, 1024, 64, 64, 64]),
            Tol::EXACT,
        ));
        for i in 1..=2 {
            let mut draw = |lo: u64, hi: u64| lo + rng.next_u64() % (hi - lo);
            let (t_q, t_k, d_q, d_a) =
                (draw(1, 300), draw(1, 300), draw(1, 100), draw(1, 100));
            let d_k = if matches!(scorer, "general" | "additive") {
                draw(1, 100)
            } else {
                d_q
            };
            out.push(Check::matches(
                "9.2",
                format!("{scorer}, hidden sizes {i}"),
                count_input(scorer, [t_q, t_k, d_q, d_k, d_a]),
                Tol::EXACT,
            ));
        }
    }
    out
}

fn ex_9_3(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "9.3",
            "the statement's example",
            json!({"query": [1.0, 0.0], "keys": [[2.0, 0.0], [1.0, 1.0], [0.0, 3.0]]}),
            Tol::F64,
        ),
        Check::matches(
            "9.3",
            "the library example",
            json!({"query": [1.0, 0.0, 1.0], "keys": [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]}),
            Tol::F64,
        ),
        Check::matches(
            "9.3",
            "opposite directions score -1",
            json!({"query": [1.0, -2.0], "keys": [[-0.5, 1.0]]}),
            Tol::F64,
        ),
        Check::matches(
            "9.3",
            "huge and tiny lengths stay finite",
            json!({"query": [1e100, 1e100], "keys": [[1e-100, 0.0], [3e150, -1e150]]}),
            Tol::new(1e-9, 1e-9),
        ),
        Check::fails(
            "9.3",
            "rejects a zero query",
            json!({"query": [0.0, 0.0], "keys": [[1.0, 0.0]]}),
            &[],
        ),
        Check::fails(
            "9.3",
            "rejects a zero key",
            json!({"query": [1.0, 1.0], "keys": [[1.0, 0.0], [0.0, 0.0]]}),
            &[],
        ),
        Check::fails(
            "9.3",
            "rejects a query wider than the keys, naming both shapes",
            json!({"query": [1.0, 0.0, 1.0], "keys": [[1.0, 0.0]]}),
            &["(3,)", "(1, 2)"],
        ),
        Check::fails(
            "9.3",
            "rejects a NaN in the query",
            json!({"query": ["NaN", 1.0], "keys": [[1.0, 0.0]]}),
            &["(2,)"],
        ),
        Check::fails(
            "9.3",
            "rejects an empty sequence of keys",
            json!({"query": [1.0, 2.0], "keys": []}),
            &[],
        ),
    ];
    for (i, (d, t, scale)) in
        [(1, 4, 1.0), (3, 3, 10.0), (8, 5, 0.01), (32, 16, 1.0)]
            .into_iter()
            .enumerate()
    {
        let q = rng.normal_matrix(1, d).row(0).to_owned();
        let keys = rng.normal_matrix(t, d) * scale;
        out.push(Check::matches(
            "9.3",
            format!("hidden random case {}", i + 1),
            cosine_input(&q, &keys),
            Tol::F64,
        ));
    }
    let q = rng.normal_matrix(1, 5).row(0).to_owned();
    let keys = rng.normal_matrix(7, 5);
    let factor = 0.1 + 20.0 * rng.uniform();
    out.push(Check::property(
        "9.3",
        "scaling the query by a positive number changes nothing",
        move |ask: &mut dyn Oracle| {
            let one = value(ask.ask("9.3", &cosine_input(&q, &keys)))?;
            let scaled = &q * factor;
            let two = value(ask.ask("9.3", &cosine_input(&scaled, &keys)))?;
            if close(&two, &one, Tol::F64) {
                Ok(())
            } else {
                Err("scaling the query by a positive number changed the \
                     scores"
                    .into())
            }
        },
    ));
    let q = rng.normal_matrix(1, 4).row(0).to_owned();
    let mut keys = rng.normal_matrix(6, 4);
    keys.row_mut(2).assign(&(&q * 2.5));
    keys.row_mut(4).assign(&(&q * -0.5));
    out.push(Check::property(
        "9.3",
        "scores lie in [-1, 1]; a key along the query scores 1, one \
         against it -1",
        move |ask: &mut dyn Oracle| {
            let s = numbers(&value(ask.ask("9.3", &cosine_input(&q, &keys)))?)?;
            if s.len() != 6 {
                return Err("the answer has the wrong length".into());
            }
            if s.iter().any(|x| exceeds(x.abs(), 1.0 + 1e-9)) {
                return Err("a score lies outside [-1, 1]".into());
            }
            if exceeds((s[2] - 1.0).abs(), 1e-9)
                || exceeds((s[4] + 1.0).abs(), 1e-9)
            {
                return Err("a key along (or against) the query did not \
                            score 1 (or -1)"
                    .into());
            }
            Ok(())
        },
    ));
    out
}
