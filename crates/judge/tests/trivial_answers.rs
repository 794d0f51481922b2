//! Trivial answers earn nothing, in every exercise of every chapter.
//!
//! Each trivial student refuses exactly the inputs the reference refuses,
//! with the reference's own error message (so every refusal check passes,
//! as it would for a student who wrote the input checks of the TODO
//! comments and nothing else), and answers every valid input with a
//! trivial answer shaped like the right one: zeros, ones, a constant,
//! uniform weights, NaN, infinity, an empty array, or the input (or one
//! field of it) given back. The judge's scoring rule, [`Gate`], must give
//! each of them 0 points in every exercise. The checks are asked
//! in-process, without a sandbox.

use attn_common::answer::{Value, json};
use judge::chapters::{Reference, suite};
use judge::check::{Gate, Oracle, Reply};
use std::collections::BTreeMap;

/// Every chapter the judge knows.
const ALL: [&str; 14] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    "13", "14",
];

/// The kinds of trivial answer.
#[derive(Debug, Clone, Copy)]
enum Trivial {
    /// Every number 0, every flag false.
    Zeros,
    /// Every number 1, every flag true.
    Ones,
    /// Every number this constant.
    Constant(f64),
    /// Every innermost array of numbers `1/n` each (uniform weights).
    Uniform,
    /// Every number NaN.
    NaN,
    /// Every number infinite.
    Inf,
    /// An empty array.
    Empty,
    /// The whole input given back.
    Echo,
    /// Field `k` of the input (in key order) given back.
    EchoField(usize),
}

const KINDS: [Trivial; 14] = [
    Trivial::Zeros,
    Trivial::Ones,
    Trivial::Constant(0.5),
    Trivial::Constant(-1.0),
    Trivial::Constant(2.0),
    Trivial::Uniform,
    Trivial::NaN,
    Trivial::Inf,
    Trivial::Empty,
    Trivial::Echo,
    Trivial::EchoField(0),
    Trivial::EchoField(1),
    Trivial::EchoField(2),
    Trivial::EchoField(3),
];

/// `want` with every leaf replaced by `leaf(old leaf, length of the array
/// holding it, or 0 outside arrays)`.
fn map_leaves(
    v: &Value,
    n: usize,
    leaf: &dyn Fn(&Value, usize) -> Value,
) -> Value {
    match v {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|x| map_leaves(x, items.len(), leaf))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), map_leaves(x, 0, leaf)))
                .collect(),
        ),
        other => leaf(other, n),
    }
}

fn is_number(v: &Value) -> bool {
    v.is_number() || matches!(v.as_str(), Some("NaN" | "inf" | "-inf"))
}

/// The trivial answer of kind `kind` shaped like `want`, for `input`.
fn trivial(kind: Trivial, want: &Value, input: &Value) -> Value {
    let numbers = |x: Value, flag: Option<bool>| {
        move |old: &Value, _: usize| -> Value {
            if old.is_boolean() {
                flag.map_or(old.clone(), Value::Bool)
            } else if is_number(old) {
                x.clone()
            } else {
                old.clone()
            }
        }
    };
    match kind {
        Trivial::Zeros => map_leaves(want, 0, &numbers(json!(0), Some(false))),
        Trivial::Ones => map_leaves(want, 0, &numbers(json!(1), Some(true))),
        Trivial::Constant(c) => map_leaves(want, 0, &numbers(json!(c), None)),
        Trivial::NaN => map_leaves(want, 0, &numbers(json!("NaN"), None)),
        Trivial::Inf => map_leaves(want, 0, &numbers(json!("inf"), None)),
        Trivial::Uniform => map_leaves(want, 0, &|old, n| {
            if is_number(old) {
                json!(1.0 / n.max(1) as f64)
            } else {
                old.clone()
            }
        }),
        Trivial::Empty => json!([]),
        Trivial::Echo => input.clone(),
        Trivial::EchoField(k) => input
            .as_object()
            .and_then(|m| m.values().nth(k))
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// A student who refuses what the reference refuses and answers the rest
/// trivially.
struct Student {
    kind: Trivial,
    reference: Reference,
}

impl Oracle for Student {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        match (self.reference)(exercise, input) {
            Ok(want) => Reply::Value(trivial(self.kind, &want, input)),
            Err(e) => Reply::Error(format!("{e:#}")),
        }
    }
}

/// Chapter `nn`'s points per exercise.
fn points(nn: &str) -> BTreeMap<String, f64> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let chapter = assign::find_chapter(&root, nn).expect("a chapter");
    assign::points(&chapter).expect("its points")
}

/// What trivial answers of kind `kind` earn in chapter `nn` (seed
/// `seed`), per exercise, by the judge's rule: the share of checks passed
/// when the exercise's gate is open, else 0.
fn earned(nn: &str, seed: u64, kind: Trivial) -> BTreeMap<String, f64> {
    let (checks, reference) = suite(nn, seed).expect("a known chapter");
    let points = points(nn);
    let mut student = Student { kind, reference };
    let mut judge = judge::runner::Reference(reference);
    let mut gate = Gate::default();
    let mut passed: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for c in &checks {
        let failure =
            gate.run(c, &mut student, &mut judge).expect("no judge bug");
        let e = passed.entry(c.exercise.clone()).or_default();
        e.1 += 1;
        if failure.is_none() {
            e.0 += 1;
        }
    }
    passed
        .into_iter()
        .map(|(id, (ok, all))| {
            let max = points.get(&id).copied().unwrap_or(0.0);
            let p = if gate.open(&id) {
                max * ok as f64 / all as f64
            } else {
                0.0
            };
            (id, p)
        })
        .collect()
}

#[test]
fn trivial_answers_earn_nothing_in_any_exercise_of_any_chapter() {
    let mut bad = Vec::new();
    for nn in ALL {
        let mut best = (0.0, String::new());
        for kind in KINDS {
            for seed in [77, 2026] {
                let e = earned(nn, seed, kind);
                for (id, p) in e.clone() {
                    if p > 0.0 {
                        bad.push(format!(
                            "chapter {nn}, exercise {id}: {kind:?} earns {p:.2}"
                        ));
                    }
                }
                let total: f64 = e.values().sum();
                if total > best.0 {
                    best = (total, format!("{kind:?}"));
                }
            }
        }
        println!("chapter {nn}: best trivial score {:.2} {}", best.0, best.1);
    }
    assert!(
        bad.is_empty(),
        "trivial answers earn points:\n{}",
        bad.join("\n")
    );
}
