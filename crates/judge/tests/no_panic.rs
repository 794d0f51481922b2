//! No answer makes the judge panic.
//!
//! A fake student answers every call of every check of every chapter with
//! something generated: the right answer bent out of shape (a leaf
//! replaced by a huge, negative, NaN or infinite number, a wrong JSON
//! type, a row cut short or doubled, the whole answer scaled, wrapped or
//! unwrapped), an arbitrary JSON value, an error or a crash. Every check
//! must come back with a verdict: a panic here would stop a batch. The
//! checks are asked in-process, without a sandbox.

use attn_common::answer::{Value, json};
use judge::chapters::suite;
use judge::check::{Check, Gate, Kind, Oracle, Reply};
use proptest::prelude::*;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Every chapter the judge knows.
const ALL: [&str; 16] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    "13", "14", "15", "16",
];

/// What the fake student does to one call's right answer.
#[derive(Debug, Clone)]
enum Bend {
    /// Gives the right answer (so that properties get further).
    Right,
    /// Replaces the leaf numbered `at` (modulo the leaf count) by `with`.
    Leaf { at: usize, with: Value },
    /// Replaces every leaf by `with`.
    Fill(Value),
    /// Multiplies every number by `by`.
    Scale(f64),
    /// Drops element `at` of the array numbered `which`.
    Cut { which: usize, at: usize },
    /// Doubles element `at` of the array numbered `which`.
    Grow { which: usize, at: usize },
    /// `[answer]`.
    Wrap,
    /// The first element (or field) of the answer.
    Unwrap,
    /// Something else altogether.
    Other(Value),
    /// An error, with this message.
    Error(String),
    /// No answer.
    Crash,
}

/// The extreme and ill-typed leaves a hostile answer holds.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("NaN")),
        Just(json!("inf")),
        Just(json!("-inf")),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(i64::MAX)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("7")),
        Just(json!([])),
        Just(json!({})),
        any::<i64>().prop_map(|x| json!(x)),
        any::<u64>().prop_map(|x| json!(x)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
    ]
}

/// An arbitrary JSON value, ragged and mixed, with the field names the
/// chapters' answers use.
fn arbitrary() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("weights".to_string()),
                        Just("context".to_string()),
                        Just("output".to_string()),
                        Just("scores".to_string()),
                        Just("loss".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn bend() -> impl Strategy<Value = Bend> {
    prop_oneof![
        3 => Just(Bend::Right),
        4 => (any::<usize>(), leaf()).prop_map(|(at, with)| Bend::Leaf { at, with }),
        2 => leaf().prop_map(Bend::Fill),
        2 => prop_oneof![
            Just(-1.0),
            Just(0.0),
            Just(1e300),
            Just(1e-300),
            Just(2.0),
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
        ]
        .prop_map(Bend::Scale),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(which, at)| Bend::Cut { which, at }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(which, at)| Bend::Grow { which, at }),
        1 => Just(Bend::Wrap),
        1 => Just(Bend::Unwrap),
        2 => arbitrary().prop_map(Bend::Other),
        1 => ".{0,40}".prop_map(Bend::Error),
        1 => Just(Bend::Crash),
    ]
}

/// Calls `f` on every leaf of `v` with its number, in order.
fn each_leaf(
    v: &mut Value,
    count: &mut usize,
    f: &mut dyn FnMut(usize, &mut Value),
) {
    match v {
        Value::Array(items) => {
            items.iter_mut().for_each(|x| each_leaf(x, count, f))
        }
        Value::Object(map) => {
            map.values_mut().for_each(|x| each_leaf(x, count, f))
        }
        leaf => {
            f(*count, leaf);
            *count += 1;
        }
    }
}

/// Calls `f` on every array of `v` with its number, outermost first.
fn each_array(
    v: &mut Value,
    count: &mut usize,
    f: &mut dyn FnMut(usize, &mut Vec<Value>),
) {
    match v {
        Value::Array(items) => {
            f(*count, items);
            *count += 1;
            items.iter_mut().for_each(|x| each_array(x, count, f));
        }
        Value::Object(map) => {
            map.values_mut().for_each(|x| each_array(x, count, f))
        }
        _ => {}
    }
}

fn apply(bend: &Bend, right: Result<Value, String>) -> Reply {
    let mut v = match (bend, right) {
        (Bend::Error(m), _) => return Reply::Error(m.clone()),
        (Bend::Crash, _) => return Reply::Crashed("it crashed".into()),
        (Bend::Other(v), _) => return Reply::Value(v.clone()),
        (_, Err(m)) => return Reply::Error(m),
        (_, Ok(v)) => v,
    };
    match bend {
        Bend::Right => {}
        Bend::Leaf { at, with } => {
            let mut n = 0;
            each_leaf(&mut v, &mut n, &mut |_, _| {});
            if n > 0 {
                let target = at % n;
                each_leaf(&mut v, &mut 0, &mut |i, x| {
                    if i == target {
                        *x = with.clone();
                    }
                });
            } else {
                v = with.clone();
            }
        }
        Bend::Fill(with) => {
            each_leaf(&mut v, &mut 0, &mut |_, x| *x = with.clone())
        }
        Bend::Scale(by) => each_leaf(&mut v, &mut 0, &mut |_, x| {
            if let Some(f) = x.as_f64() {
                *x = json!(f * by);
            }
        }),
        Bend::Cut { which, at } | Bend::Grow { which, at } => {
            let mut n = 0;
            each_array(&mut v, &mut n, &mut |_, _| {});
            if n > 0 {
                let target = which % n;
                let grow = matches!(bend, Bend::Grow { .. });
                each_array(&mut v, &mut 0, &mut |i, items| {
                    if i == target && !items.is_empty() {
                        let k = at % items.len();
                        if grow {
                            let copy = items[k].clone();
                            items.insert(k, copy);
                        } else {
                            items.remove(k);
                        }
                    }
                });
            }
        }
        Bend::Wrap => v = json!([v]),
        Bend::Unwrap => {
            v = match &v {
                Value::Array(items) => {
                    items.first().cloned().unwrap_or(Value::Null)
                }
                Value::Object(map) => {
                    map.values().next().cloned().unwrap_or(Value::Null)
                }
                other => other.clone(),
            }
        }
        Bend::Error(_) | Bend::Crash | Bend::Other(_) => unreachable!(),
    }
    Reply::Value(v)
}

type Cache = HashMap<(String, String), Result<Value, String>>;

/// The reference's answer to `input`, computed once.
fn right(
    cache: &mut Cache,
    reference: judge::chapters::Reference,
    exercise: &str,
    input: &Value,
) -> Result<Value, String> {
    cache
        .entry((exercise.to_string(), input.to_string()))
        .or_insert_with(|| {
            // As the judge does: the input as the runner reads it.
            let input = attn_common::answer::parse(&input.to_string())
                .unwrap_or(Value::Null);
            reference(exercise, &input).map_err(|e| format!("{e:#}"))
        })
        .clone()
}

/// The reference, through the cache.
struct Cached<'a> {
    reference: judge::chapters::Reference,
    cache: &'a std::cell::RefCell<Cache>,
}

impl Oracle for Cached<'_> {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        match right(
            &mut self.cache.borrow_mut(),
            self.reference,
            exercise,
            input,
        ) {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(e),
        }
    }
}

/// The hostile student: call `i` gets `plan[i % plan.len()]` applied to
/// the right answer.
struct Hostile<'a> {
    plan: &'a [Bend],
    calls: usize,
    /// With `Some(p)`, only call `p` gets `plan[0]`; the others are right.
    only: Option<usize>,
    reference: judge::chapters::Reference,
    cache: &'a std::cell::RefCell<Cache>,
}

impl Oracle for Hostile<'_> {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        let right = right(
            &mut self.cache.borrow_mut(),
            self.reference,
            exercise,
            input,
        );
        let bend = match self.only {
            Some(p) if p != self.calls => &Bend::Right,
            Some(_) => &self.plan[0],
            None => &self.plan[self.calls % self.plan.len()],
        };
        self.calls += 1;
        apply(bend, right)
    }
}

/// Whether the judge panics running `check` against `student`, with the
/// reference (through the student's own cache) as the judge's oracle.
fn judge_panics(check: &Check, mut student: Hostile) -> bool {
    let mut judge = Cached {
        reference: student.reference,
        cache: student.cache,
    };
    catch_unwind(AssertUnwindSafe(|| {
        Gate::default().run(check, &mut student, &mut judge)
    }))
    .is_err()
}

/// Every chapter's checks and reference, drawn once, with a cache of the
/// reference's answers shared by every case.
struct World {
    suites: Vec<(&'static str, Vec<Check>, judge::chapters::Reference)>,
    cache: std::cell::RefCell<Cache>,
}

fn world() -> World {
    World {
        suites: ALL
            .iter()
            .map(|nn| {
                let (checks, reference) =
                    suite(nn, 99).expect("a known chapter");
                (*nn, checks, reference)
            })
            .collect(),
        cache: std::cell::RefCell::new(HashMap::new()),
    }
}

/// Runs every check of every chapter against the hostile student with
/// `plan`, starting each check's plan at `offset`; the checks that panic.
fn panics(world: &World, plan: &[Bend], offset: usize) -> Vec<String> {
    panics_with(world, plan, offset, None)
}

/// As [`panics`], with only call `only` bent if given.
fn panics_with(
    world: &World,
    plan: &[Bend],
    offset: usize,
    only: Option<usize>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (nn, checks, reference) in &world.suites {
        for (k, check) in checks.iter().enumerate() {
            let student = Hostile {
                plan,
                calls: if only.is_some() { 0 } else { offset + k },
                only,
                reference: *reference,
                cache: &world.cache,
            };
            if judge_panics(check, student) {
                found.push(format!(
                    "chapter {nn}, exercise {}, check `{}` panicked",
                    check.exercise, check.name
                ));
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_answer_panics_any_check_of_any_chapter(
        plan in prop::collection::vec(bend(), 1..10),
        offset in 0usize..10,
    ) {
        thread_local! {
            static WORLD: std::cell::RefCell<Option<World>> = const { std::cell::RefCell::new(None) };
        }
        let found = WORLD.with(|w| {
            let mut w = w.borrow_mut();
            let world = w.get_or_insert_with(world);
            panics(world, &plan, offset)
        });
        prop_assert!(found.is_empty(), "{}", found.join("\n"));
    }
}

/// The bends a single hostile reply is tried with.
fn extremes() -> Vec<Bend> {
    let mut plans: Vec<Bend> = vec![
        Bend::Wrap,
        Bend::Unwrap,
        Bend::Crash,
        Bend::Error(String::new()),
        Bend::Other(json!(null)),
        Bend::Other(json!([])),
        Bend::Other(json!([[]])),
        Bend::Other(json!({})),
        Bend::Other(json!(u64::MAX)),
        Bend::Other(json!(-1)),
        Bend::Scale(-1.0),
        Bend::Scale(1e300),
    ];
    for with in [
        json!("NaN"),
        json!(u64::MAX),
        json!(-1),
        json!(null),
        json!([]),
    ] {
        plans.push(Bend::Fill(with.clone()));
        plans.push(Bend::Leaf {
            at: 0,
            with: with.clone(),
        });
        plans.push(Bend::Leaf { at: 5, with });
    }
    for which in [0, 1, 2] {
        plans.push(Bend::Cut { which, at: 0 });
        plans.push(Bend::Grow { which, at: 0 });
    }
    plans
}

/// Counts the calls a check makes.
struct Counting<'a>(Hostile<'a>);

impl Oracle for Counting<'_> {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        self.0.ask(exercise, input)
    }
}

/// One hostile reply among right ones, at every call of every property:
/// a property that validated its first reply's shape but not a later
/// one's is found here.
#[test]
fn one_bad_reply_among_right_ones_panics_nothing() {
    let world = world();
    let mut found = Vec::new();
    let right = [Bend::Right];
    for (nn, checks, reference) in &world.suites {
        for check in checks {
            if !matches!(check.kind, Kind::Property(_)) {
                continue;
            }
            // How many calls the property makes when every reply is right.
            let mut count = Counting(Hostile {
                plan: &right,
                calls: 0,
                only: None,
                reference: *reference,
                cache: &world.cache,
            });
            if let Kind::Property(run) = &check.kind {
                let _ = run(&mut count);
            }
            let n = count.0.calls;
            for bend in extremes() {
                for p in 0..n {
                    let student = Hostile {
                        plan: std::slice::from_ref(&bend),
                        calls: 0,
                        only: Some(p),
                        reference: *reference,
                        cache: &world.cache,
                    };
                    if judge_panics(check, student) {
                        found.push(format!(
                            "chapter {nn}, exercise {}, check `{}`: {bend:?} at call {p}",
                            check.exercise, check.name
                        ));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the judge panicked:\n{}",
        found.join("\n")
    );
}

/// Each bend alone, applied to every call: the extreme cases that a random
/// plan might miss.
#[test]
fn every_single_bend_alone_panics_nothing() {
    let world = world();
    let mut plans: Vec<Bend> = vec![
        Bend::Right,
        Bend::Wrap,
        Bend::Unwrap,
        Bend::Crash,
        Bend::Error(String::new()),
        Bend::Other(json!(null)),
        Bend::Other(json!([])),
        Bend::Other(json!({})),
        Bend::Other(json!([[]])),
        Bend::Other(json!(u64::MAX)),
        Bend::Other(json!(-1)),
        Bend::Other(json!("NaN")),
        Bend::Scale(0.0),
        Bend::Scale(-1.0),
        Bend::Scale(1e300),
    ];
    for with in [
        json!("NaN"),
        json!("inf"),
        json!("-inf"),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(1e308),
        json!(null),
        json!("x"),
        json!([]),
    ] {
        plans.push(Bend::Fill(with.clone()));
        for at in 0..4 {
            plans.push(Bend::Leaf {
                at,
                with: with.clone(),
            });
        }
    }
    for which in 0..4 {
        for at in 0..3 {
            plans.push(Bend::Cut { which, at });
            plans.push(Bend::Grow { which, at });
        }
    }
    let mut found = Vec::new();
    for bend in plans {
        for p in panics(&world, std::slice::from_ref(&bend), 0) {
            found.push(format!("{bend:?}: {p}"));
        }
    }
    assert!(
        found.is_empty(),
        "the judge panicked:\n{}",
        found.join("\n")
    );
}
