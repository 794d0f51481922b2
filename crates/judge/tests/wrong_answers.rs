//! Typical wrong answers fail some of their exercise's checks.
//!
//! The chapters' own self-test shows that the reference passes every check
//! and that an unsolved copy fails every one. These tests show the checks
//! in between: each plays a student with one plausible mistake (a naive
//! formula, an off-by-one, a missing mask) and asserts that the judge
//! notices. They ask in-process, without a sandbox.

use anyhow::{Result, bail, ensure};
use attn_common::answer::{self as a, Value, json};
use judge::chapters::suite;
use judge::check::{Kind, Oracle, Reply, close};

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
/// student `wrong` fails.
fn failed(nn: &str, exercise: &str, wrong: Answers) -> Vec<String> {
    let (checks, reference) = suite(nn, 77).expect("a known chapter");
    let mut student = Student(wrong);
    let mut names = Vec::new();
    for c in checks.iter().filter(|c| c.exercise == exercise) {
        let passed = match &c.kind {
            Kind::Matches { input, tol } => {
                match (student.ask(exercise, input), reference(exercise, input))
                {
                    (Reply::Value(got), Ok(want)) => close(&got, &want, *tol),
                    _ => false,
                }
            }
            Kind::Fails { input, mentions } => {
                match student.ask(exercise, input) {
                    Reply::Error(m) => {
                        mentions.iter().all(|x| m.contains(x.as_str()))
                    }
                    _ => false,
                }
            }
            Kind::Property(p) => p(&mut student).is_ok(),
        };
        if !passed {
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
