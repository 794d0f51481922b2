//! Typical wrong answers fail some of their exercise's checks, and
//! trivial answers earn nothing at all.
//!
//! The chapters' own self-test shows that the reference passes every check
//! and that an unsolved copy fails every one. These tests show the checks
//! in between: each plays a student with one plausible mistake (a naive
//! formula, an off-by-one, a missing mask) and asserts that the judge
//! notices. They ask in-process, without a sandbox.

use anyhow::{Result, bail, ensure};
use attn_common::answer::{self as a, Value, json};
use judge::chapters::{Reference, suite};
use judge::check::{Gate, Oracle, Reply};
use std::collections::BTreeMap;

/// A student: one function answering every exercise.
type Answers = fn(&str, &Value) -> Result<Value>;

struct Student(Answers);

impl Oracle for Student {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        match (self.0)(exercise, input) {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(format!("{e:#}")),
        }
    }
}

/// The names of exercise `exercise`'s checks (chapter `nn`) that the
/// student `wrong` fails, judged exactly as the judge does.
fn failed(nn: &str, exercise: &str, wrong: Answers) -> Vec<String> {
    let (checks, reference) = suite(nn, 77).expect("a known chapter");
    let mut student = Student(wrong);
    let mut judge = judge::runner::Reference(reference);
    let mut gate = Gate::default();
    let mut names = Vec::new();
    for c in checks.iter().filter(|c| c.exercise == exercise) {
        let failure =
            gate.run(c, &mut student, &mut judge).expect("no judge bug");
        if failure.is_some() {
            names.push(c.name.clone());
        }
    }
    names
}

fn assert_caught(nn: &str, exercise: &str, wrong: Answers) {
    let names = failed(nn, exercise, wrong);
    assert!(
        !names.is_empty(),
        "exercise {exercise}: a wrong answer passes"
    );
}

/// The first arg-max of a row, or the last one with `last`.
fn arg_max(row: &[f64], last: bool) -> usize {
    let mut best = 0;
    for (j, &x) in row.iter().enumerate() {
        if x > row[best] || (last && x == row[best]) {
            best = j;
        }
    }
    best
}

#[test]
fn ch01_a_lookup_that_keeps_the_last_tie() {
    assert_caught("01", "1.1", |ex, input| {
        let scores = ch01_attention_intuition::answer::answer("1.2", &{
            let mut i = input.clone();
            i["temperature"] = json!(1.0);
            i
        })?;
        let s: Vec<f64> = scores["scores"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_f64)
            .collect();
        ensure!(ex == "1.1" && !s.is_empty(), "bad input");
        Ok(json!(arg_max(&s, true)))
    });
}

#[test]
fn ch01_a_temperature_that_multiplies() {
    assert_caught("01", "1.2", |ex, input| {
        let tau = a::number(input, "temperature")?;
        let mut i = input.clone();
        if tau.is_finite() && tau > 0.0 {
            i["temperature"] = json!(1.0 / tau);
        }
        ch01_attention_intuition::answer::answer(ex, &i)
    });
}

#[test]
fn ch03_log_of_the_softmax_and_a_rough_temperature() {
    assert_caught("03", "3.1", |_, input| {
        let s = a::vector(input, "scores")?;
        let w = ch03_queries_keys_values::softmax::softmax(s.view())?;
        Ok(a::from_vector(w.mapv(f64::ln).view()))
    });
    assert_caught("03", "3.3", |ex, input| {
        let tau = ch03_queries_keys_values::answer::answer(ex, input)?;
        Ok(json!(a::to_f64(&tau)? * 1.000_001))
    });
}

#[test]
fn ch04_the_diagonal_and_a_float_square_root() {
    assert_caught("04", "4.2", |_, input| {
        let w = a::matrix(input, "weights")?;
        ensure!(w.nrows() >= 2 && w.is_square(), "bad shape {:?}", w.dim());
        let best: Vec<usize> = w
            .rows()
            .into_iter()
            .map(|r| arg_max(&r.to_vec(), false))
            .collect();
        Ok(json!(best))
    });
    assert_caught("04", "4.3", |_, input| {
        let b = a::seed(input, "budget_bytes")?;
        Ok(json!(((b / 4) as f64).sqrt() as u64))
    });
}

#[test]
fn ch05_the_wrong_scale_and_the_wrong_power() {
    assert_caught("05", "5.1", |ex, input| {
        let s = ch05_trainable_weights::answer::answer(ex, input)?;
        let d_k = a::vector(input, "query")?.len() as f64;
        let s: Vec<f64> = s
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_f64)
            .map(|x| x / d_k.sqrt())
            .collect();
        Ok(json!(s))
    });
    assert_caught("05", "5.2", |ex, input| {
        let sd = a::number(input, "std_dev")?;
        let mut i = input.clone();
        i["std_dev"] = json!(1.0);
        let v = ch05_trainable_weights::answer::answer(ex, &i)?;
        Ok(json!(a::to_f64(&v)? * sd * sd))
    });
}

#[test]
fn ch06_a_window_too_wide_and_a_peek_at_the_future() {
    assert_caught("06", "6.1", |_, input| {
        let (t, w) = (a::count(input, "t")?, a::count(input, "w")?);
        ensure!(w > 0, "w = 0");
        let m: Vec<Vec<bool>> = (0..t)
            .map(|i| (0..t).map(|j| j <= i && i - j <= w).collect())
            .collect();
        Ok(json!(m))
    });
    assert_caught("06", "6.3", |_, input| {
        let layer = ch05_trainable_weights::SelfAttention::new(
            a::matrix(input, "w_q")?,
            a::matrix(input, "w_k")?,
            a::matrix(input, "w_v")?,
        )?;
        let x = a::matrix(input, "x")?;
        let t = a::count(input, "t")?;
        ensure!(t < x.nrows(), "t = {t}, `x` has shape {:?}", x.dim());
        let out = layer.forward(x.view())?; // every token, unmasked
        Ok(a::from_vector(out.context.row(t)))
    });
}

#[test]
fn ch07_a_reshape_without_the_swap_and_a_sum() {
    assert_caught("07", "7.1", |_, input| {
        let x = a::matrix(input, "x")?;
        let h = a::count(input, "n_heads")?;
        let d_head = ch07_multi_head_attention::head_width(x.ncols(), h)?;
        let heads = x.to_shape((h, x.nrows(), d_head))?.to_owned();
        Ok(a::from_array3(heads.view()))
    });
    assert_caught("07", "7.3", |_, input| {
        let w = a::array3(input, "weights")?;
        ensure!(!w.is_empty(), "empty");
        Ok(a::from_matrix(w.sum_axis(ndarray::Axis(0)).view()))
    });
    assert_caught("07", "7.4", |_, input| {
        let d = a::count(input, "d_model")?;
        let h = a::count(input, "n_heads")?;
        let bias = a::flag(input, "bias")?;
        let n = ch07_multi_head_attention::parameter_count(d, d, h, bias)?;
        Ok(json!(n))
    });
}

#[test]
fn ch08_the_last_tie_and_no_mask() {
    assert_caught("08", "8.1", |_, input| {
        let w = a::matrix(input, "weights")?;
        let threshold = a::number(input, "threshold")?;
        if !(0.0..=1.0).contains(&threshold) || w.is_empty() {
            bail!("bad input with shape {:?}", w.dim());
        }
        let v: Vec<Option<usize>> = w
            .rows()
            .into_iter()
            .map(|r| {
                let best = arg_max(&r.to_vec(), true);
                (r[best] >= threshold).then_some(best)
            })
            .collect();
        Ok(json!(v))
    });
    assert_caught("08", "8.2", |ex, input| {
        let encoder = a::array3(input, "encoder")?;
        let (b, t_enc, _) = encoder.dim();
        let mut unmasked = input.clone();
        unmasked["encoder_lengths"] = json!(vec![t_enc; b]);
        ch08_cross_attention::answer::answer(ex, &unmasked)
    });
}

/// A top-k sampler written another way than the reference (it shifts
/// `z / t` by `max / t` and compares unnormalised running sums with
/// `u * total`), with one slip or none.
#[derive(Clone, Copy, PartialEq)]
enum Slip {
    None,
    /// Compares the running sum with `>=`.
    AtLeast,
    /// Ranks tied tokens higher index first.
    LastTie,
    /// Takes the softmax over every token, not the kept ones.
    AllTokens,
}

fn sampler(input: &Value, slip: Slip) -> Result<Value> {
    let z = a::vector(input, "logits")?;
    let t = a::number(input, "temperature")?;
    let k = a::count(input, "k")?;
    let u = a::number(input, "u")?;
    let v = z.len();
    ensure!(
        v > 0 && z.iter().all(|x| x.is_finite()),
        "bad logits of shape ({v},)"
    );
    ensure!(t.is_finite() && t > 0.0, "bad temperature {t}");
    ensure!(k >= 1 && k <= v, "k = {k} for shape ({v},)");
    ensure!((0.0..1.0).contains(&u), "bad u = {u}");
    let mut rank: Vec<usize> = (0..v).collect();
    rank.sort_by(|&i, &j| {
        let by_logit = z[j].total_cmp(&z[i]);
        if slip == Slip::LastTie {
            by_logit.then(j.cmp(&i))
        } else {
            by_logit
        }
    });
    let top = z[rank[0]] / t;
    let w = |i: usize| (z[i] / t - top).exp();
    let total: f64 = if slip == Slip::AllTokens {
        (0..v).map(w).sum()
    } else {
        rank[..k].iter().map(|&i| w(i)).sum()
    };
    let mut running = 0.0;
    for &i in &rank[..k] {
        running += w(i);
        let past = running > u * total;
        if past || (slip == Slip::AtLeast && running >= u * total) {
            return Ok(json!(i));
        }
    }
    Ok(json!(rank[k - 1]))
}

/// Chapter 16's other exercises solved right, but another way than the
/// reference: GELU's slope through `1 / cosh^2`, layer norm's gradient
/// through the variance and the mean step by step, and the decay as
/// `cos^2` of half the angle.
fn another_way(exercise: &str, input: &Value) -> Result<Value> {
    // Refuses what the reference refuses.
    ch16_tiny_gpt::answer::answer(exercise, input)?;
    match exercise {
        "16.1" => {
            let x = a::vector(input, "x")?;
            let dy = a::vector(input, "dy")?;
            let c = (2.0 / std::f64::consts::PI).sqrt();
            let dx: Vec<f64> = x
                .iter()
                .zip(&dy)
                .map(|(&x, &d)| {
                    let u = c * (x + 0.044715 * x * x * x);
                    let step = 0.5 * (1.0 + u.tanh());
                    let du = c * (1.0 + 3.0 * 0.044715 * x * x);
                    d * (step + 0.5 * x * du / u.cosh().powi(2))
                })
                .collect();
            Ok(json!(dx))
        }
        "16.2" => {
            let x = a::vector(input, "x")?;
            let g = a::vector(input, "gamma")? * a::vector(input, "dy")?;
            let eps = a::number(input, "eps")?;
            let n = x.len() as f64;
            let xmu = &x - x.sum() / n;
            let var = xmu.mapv(|v| v * v).sum() / n;
            let ivar = 1.0 / (var + eps).sqrt();
            let dvar = (&g * &xmu).sum() * -0.5 * ivar.powi(3);
            let dmu = -g.sum() * ivar + dvar * (-2.0 * xmu.sum() / n);
            let dx = &g * ivar + &xmu * (2.0 * dvar / n) + dmu / n;
            Ok(a::from_vector(dx.view()))
        }
        "16.4" => {
            let (s, w) = (a::count(input, "step")?, a::count(input, "warmup")?);
            let total = a::count(input, "total")?;
            let (peak, floor) =
                (a::number(input, "peak")?, a::number(input, "floor")?);
            let rate = if s < w {
                peak * ((s + 1) as f64 / w as f64)
            } else {
                let p = (s - w) as f64 / (total - w) as f64;
                floor
                    + (peak - floor)
                        * (std::f64::consts::FRAC_PI_2 * p).cos().powi(2)
            };
            Ok(a::from_f64(rate))
        }
        _ => sampler(input, Slip::None),
    }
}

#[test]
fn ch16_right_answers_written_another_way_pass_every_check() {
    // The hidden u keep clear of the running sums, and the tolerances
    // leave room for arithmetic in another order.
    for seed in (0..60).chain([77, 2026]) {
        let (checks, reference) = suite("16", seed).expect("chapter 16");
        let mut student = Student(another_way);
        let mut judge = judge::runner::Reference(reference);
        let mut gate = Gate::default();
        for c in &checks {
            let failure = gate.run(c, &mut student, &mut judge).unwrap();
            assert_eq!(failure, None, "seed {seed}, check `{}`", c.name);
        }
    }
}

#[test]
fn ch16_a_lost_tanh_term_no_variance_path_three_slips_and_a_late_warm_up() {
    use ch16_tiny_gpt::answer::answer;
    assert_caught("16", "16.1", |_, input| {
        // Only the smooth step, without its derivative through tanh.
        let x = a::vector(input, "x")?;
        let dy = a::vector(input, "dy")?;
        ensure!(x.len() == dy.len() && !x.is_empty(), "shape ({},)", x.len());
        let c = (2.0 / std::f64::consts::PI).sqrt();
        let dx: Vec<f64> = x
            .iter()
            .zip(&dy)
            .map(|(x, d)| {
                d * 0.5 * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh())
            })
            .collect();
        Ok(json!(dx))
    });
    assert_caught("16", "16.2", |ex, input| {
        // gamma * dy with only the mean taken off, as if var were fixed.
        answer(ex, input)?; // refuses what the reference refuses
        let x = a::vector(input, "x")?;
        let g = a::vector(input, "gamma")? * a::vector(input, "dy")?;
        let eps = a::number(input, "eps")?;
        let n = x.len() as f64;
        let mu = x.sum() / n;
        let var = x.mapv(|v| (v - mu).powi(2)).sum() / n;
        let mean_g = g.sum() / n;
        Ok(a::from_vector(
            g.mapv(|gi| (gi - mean_g) / (var + eps).sqrt()).view(),
        ))
    });
    assert_caught("16", "16.3", |_, input| sampler(input, Slip::AtLeast));
    assert_caught("16", "16.3", |_, input| sampler(input, Slip::LastTie));
    assert_caught("16", "16.3", |_, input| sampler(input, Slip::AllTokens));
    assert_caught("16", "16.4", |ex, input| {
        // The warm-up counts from 0: peak * step / warmup.
        let (s, w) = (a::count(input, "step")?, a::count(input, "warmup")?);
        if s < w {
            answer(ex, input)?;
            return Ok(a::from_f64(
                a::number(input, "peak")? * s as f64 / w as f64,
            ));
        }
        answer(ex, input)
    });
}

// Trivial answers earn nothing, in every exercise of every chapter.
//
// Each trivial student refuses exactly the inputs the reference refuses,
// with the reference's own error message (so every refusal check passes,
// as it would for a student who wrote the input checks of the TODO
// comments and nothing else), and answers every valid input with a
// trivial answer shaped like the right one: zeros, ones, a constant,
// uniform weights, NaN, infinity, nulls, an empty array, or the input (or
// one field of it) given back. The judge's scoring rule (`Gate`) must
// give each of them 0 points in every exercise.

/// Every chapter the judge knows.
const ALL: [&str; judge::chapters::KNOWN.len()] = judge::chapters::KNOWN;

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
    /// Every leaf `null` (no answer, as an `Option` gives it).
    Null,
    /// An empty array.
    Empty,
    /// The whole input given back.
    Echo,
    /// Field `k` of the input (in key order) given back.
    EchoField(usize),
}

const KINDS: [Trivial; 15] = [
    Trivial::Null,
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

/// `v` with every leaf replaced by `leaf(old leaf, length of the array
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

/// The trivial answer of kind `kind` shaped like `want`, for `input`:
/// every leaf (number, flag or null) of the right answer replaced.
fn trivial(kind: Trivial, want: &Value, input: &Value) -> Value {
    let every = |x: Value| move |_: &Value, _: usize| -> Value { x.clone() };
    let zero_or_one = |number: Value, flag: bool| {
        move |old: &Value, _: usize| -> Value {
            if old.is_boolean() {
                Value::Bool(flag)
            } else {
                number.clone()
            }
        }
    };
    match kind {
        Trivial::Zeros => map_leaves(want, 0, &zero_or_one(json!(0), false)),
        Trivial::Ones => map_leaves(want, 0, &zero_or_one(json!(1), true)),
        Trivial::Constant(c) => map_leaves(want, 0, &every(json!(c))),
        Trivial::NaN => map_leaves(want, 0, &every(json!("NaN"))),
        Trivial::Inf => map_leaves(want, 0, &every(json!("inf"))),
        Trivial::Null => map_leaves(want, 0, &every(Value::Null)),
        Trivial::Uniform => {
            map_leaves(want, 0, &|_, n| json!(1.0 / n.max(1) as f64))
        }
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
struct TrivialStudent {
    kind: Trivial,
    reference: Reference,
}

impl Oracle for TrivialStudent {
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
    let mut student = TrivialStudent { kind, reference };
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
    // Seconds of work whose only input is this test's executable: not
    // run again while it is unchanged (attn_common::record).
    attn_common::record::unless_passed(
        "judge::wrong_answers::trivial_answers_earn_nothing_in_any_exercise_of_any_chapter",
        trivial_answers_earn_nothing_in_any_exercise_of_any_chapter_body,
    );
}

fn trivial_answers_earn_nothing_in_any_exercise_of_any_chapter_body() {
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
