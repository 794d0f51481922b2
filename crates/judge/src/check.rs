//! What a chapter's judge asks of a submission: checks, tolerances and the
//! oracle through which a check asks the student's code for answers.
//!
//! A chapter's suite (`chapters/chNN.rs`) is a list of [`Check`]s. Each
//! belongs to one exercise and passes or fails on its own; the exercise's
//! points (from `grading.toml`) are shared out over its checks. Nothing a
//! check reports may reveal a hidden input or an expected value: its name
//! is shown to the student, and a property's failure message too, so both
//! say *what* was tested, never *with what*.

use anyhow::{Result, bail};
use attn_common::answer::Value;

/// How close a student's numbers must be to the reference's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tol {
    /// Largest allowed `|got - want|` near zero.
    pub abs: f64,
    /// Largest allowed `|got - want| / max(|got|, |want|)` elsewhere.
    pub rel: f64,
}

impl Tol {
    /// Exact equality (integers, counts, booleans, strings).
    pub const EXACT: Tol = Tol { abs: 0.0, rel: 0.0 };
    /// The usual tolerance for f64 arithmetic done in another order.
    pub const F64: Tol = Tol {
        abs: 1e-9,
        rel: 1e-9,
    };

    /// A tolerance of `abs` near zero and `rel` elsewhere.
    pub const fn new(abs: f64, rel: f64) -> Tol {
        Tol { abs, rel }
    }
}

/// What a student's code did with one input.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// It returned this answer.
    Value(Value),
    /// It returned an `Err`, with this message.
    Error(String),
    /// It gave no answer: it panicked (a `todo!()` too), exited, ran out
    /// of time or memory, or printed no well-formed answer. The text says
    /// which, in words fit for the student's report.
    Crashed(String),
}

/// Asks a student's code (or the reference) for one exercise's answer.
pub trait Oracle {
    /// The reply of exercise `exercise` (`"5.1"`) to `input`.
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply;
}

/// A property check: asks the oracle as often as it likes and returns
/// `Err(why)` on failure. `why` is shown to the student, so it names the
/// property, never a hidden input or an expected value.
pub type Property =
    Box<dyn Fn(&mut dyn Oracle) -> Result<(), String> + Send + Sync>;

/// What one check does.
pub enum Kind {
    /// The student's answer to `input` must equal the reference's within
    /// `tol` (numbers anywhere inside arrays and objects; everything else
    /// exactly).
    Matches { input: Value, tol: Tol },
    /// The student's code must return an `Err` for `input`, and its message
    /// must contain every string in `mentions` (shapes, say `(3, 2)`).
    Fails { input: Value, mentions: Vec<String> },
    /// A property over several calls (causality, equivariance, ...).
    Property(Property),
}

/// One graded check of one exercise.
pub struct Check {
    /// The exercise, as in `grading.toml`: `"5.1"`.
    pub exercise: String,
    /// Shown to the student: what is tested ("rejects a NaN in the keys",
    /// "hidden random case 3"), never the hidden input itself.
    pub name: String,
    /// What to do.
    pub kind: Kind,
}

impl Check {
    /// The student's answer to `input` must match the reference's.
    pub fn matches(
        exercise: &str,
        name: impl Into<String>,
        input: Value,
        tol: Tol,
    ) -> Check {
        Check {
            exercise: exercise.into(),
            name: name.into(),
            kind: Kind::Matches { input, tol },
        }
    }

    /// The student's code must refuse `input` with an error that mentions
    /// each of `mentions`.
    pub fn fails(
        exercise: &str,
        name: impl Into<String>,
        input: Value,
        mentions: &[&str],
    ) -> Check {
        Check {
            exercise: exercise.into(),
            name: name.into(),
            kind: Kind::Fails {
                input,
                mentions: mentions.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    /// A property that calls the student's code as often as it needs.
    pub fn property(
        exercise: &str,
        name: impl Into<String>,
        run: impl Fn(&mut dyn Oracle) -> Result<(), String> + Send + Sync + 'static,
    ) -> Check {
        Check {
            exercise: exercise.into(),
            name: name.into(),
            kind: Kind::Property(Box::new(run)),
        }
    }
}

/// Reads a reply as a value, or says in words why there is none (for a
/// property's failure message).
pub fn value(reply: Reply) -> Result<Value, String> {
    match reply {
        Reply::Value(v) => Ok(v),
        Reply::Error(_) => Err("returned an error for a valid input".into()),
        Reply::Crashed(why) => Err(why),
    }
}

/// Whether `got` equals `want` within `tol`, walking arrays and objects.
/// Non-finite numbers (written `"NaN"`, `"inf"`) must match exactly.
pub fn close(got: &Value, want: &Value, tol: Tol) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => {
                    let diff = (a - b).abs();
                    diff <= tol.abs || diff <= tol.rel * a.abs().max(b.abs())
                }
                _ => false,
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y, tol))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| close(x, y, tol)))
        }
        _ => got == want,
    }
}

/// Runs one check: `None` if it passed, or why not (safe to show).
pub fn run_check(
    check: &Check,
    student: &mut dyn Oracle,
    reference: &mut dyn Oracle,
) -> Result<Option<String>> {
    Ok(match &check.kind {
        Kind::Matches { input, tol } => {
            let want = match reference.ask(&check.exercise, input) {
                Reply::Value(v) => v,
                other => bail!(
                    "judge bug: the reference gives no answer to check `{}` of exercise {}: {other:?}",
                    check.name,
                    check.exercise
                ),
            };
            match student.ask(&check.exercise, input) {
                Reply::Value(got) if close(&got, &want, *tol) => None,
                Reply::Value(_) => Some("wrong answer".into()),
                Reply::Error(_) => {
                    Some("returned an error for a valid input".into())
                }
                Reply::Crashed(why) => Some(why),
            }
        }
        Kind::Fails { input, mentions } => match student
            .ask(&check.exercise, input)
        {
            Reply::Error(msg) => {
                if mentions.iter().all(|m| msg.contains(m.as_str())) {
                    None
                } else {
                    Some("the error does not name the shapes involved".into())
                }
            }
            Reply::Value(_) => {
                Some("accepted an input it should refuse".into())
            }
            Reply::Crashed(why) => Some(why),
        },
        Kind::Property(run) => run(student).err(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::answer::json;

    #[test]
    fn numbers_match_within_tolerance_and_shapes_must_agree() {
        let t = Tol::new(1e-9, 1e-9);
        assert!(close(&json!([[1.0, 2.0]]), &json!([[1.0, 2.0 + 1e-12]]), t));
        assert!(!close(&json!([[1.0, 2.0]]), &json!([[1.0, 2.001]]), t));
        assert!(!close(&json!([1.0, 2.0]), &json!([1.0, 2.0, 3.0]), t));
        assert!(close(&json!({"a": [1e12]}), &json!({"a": [1e12 + 1.0]}), t));
        assert!(!close(&json!({"a": 1.0}), &json!({"b": 1.0}), t));
        assert!(close(&json!("NaN"), &json!("NaN"), t));
        assert!(!close(&json!("NaN"), &json!(1.0), t));
        assert!(close(&json!(3), &json!(3.0), Tol::EXACT));
    }
}
