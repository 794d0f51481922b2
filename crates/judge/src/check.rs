//! What a chapter's judge asks of a submission: checks, tolerances and the
//! oracle through which a check asks the student's code for answers.
//!
//! A chapter's suite (`chapters/chNN.rs`) is a list of [`Check`]s. Each
//! belongs to one exercise and passes or fails on its own; the exercise's
//! points (from `grading.toml`) are shared out over its checks, but only
//! when its [`Gate`] is open: the student's code matched the reference on
//! real cases, so a property that trivial answers also satisfy, or a
//! refusal of bad input, never earns points on its own. Nothing a check
//! reports may reveal a hidden input or an expected value: its name is
//! shown to the student, and a property's failure message too, so both
//! say *what* was tested, never *with what*.
//!
//! Everything here reads a student's reply as hostile: a reply's type and
//! shape are validated by the helpers ([`number`], [`numbers`],
//! [`matrix`], [`index`], ...) before anything indexes into it, every
//! comparison treats NaN as wrong, and no arithmetic on a reply can
//! overflow.

use anyhow::{Result, bail};
use attn_common::answer::{Value, to_f64};
use std::collections::{BTreeMap, BTreeSet};

/// How close a student's numbers must be to the reference's.
///
/// Both parts are relative: a number passes when `|got - want|` is at most
/// `rel * max(|got|, |want|)`, or at most `abs * scale`, where `scale` is
/// the largest magnitude in the whole expected answer (or 1 when every
/// expected number is 0). So entries that are rounding noise next to the
/// answer's large entries pass, but an expected scalar near `1e-12` never
/// accepts 0. NaN never passes a numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tol {
    /// The absolute floor, as a fraction of the expected answer's scale.
    pub abs: f64,
    /// Largest allowed `|got - want| / max(|got|, |want|)`.
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

    /// A floor of `abs` (times the answer's scale) and `rel` elsewhere.
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
    /// must name every one of `mentions` (see [`names`]: shapes, say
    /// `(3, 2)`, may be written in any usual way).
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
    /// For a property: whether passing it proves the answers right on
    /// its own (an exercise whose right answers are not unique, checked
    /// by verifying each answer), so that it counts towards the
    /// exercise's [`Gate`] like a matched case.
    pub verifies: bool,
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
            verifies: false,
        }
    }

    /// The student's code must refuse `input` with an error that names
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
            verifies: false,
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
            verifies: false,
        }
    }

    /// A property that verifies the answers it gets completely (for an
    /// exercise with more than one right answer): passing it counts
    /// towards the exercise's [`Gate`] as a matched case does.
    pub fn verifying(
        exercise: &str,
        name: impl Into<String>,
        run: impl Fn(&mut dyn Oracle) -> Result<(), String> + Send + Sync + 'static,
    ) -> Check {
        Check {
            verifies: true,
            ..Check::property(exercise, name, run)
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

/// A number of a reply: a JSON number, or `"NaN"`, `"inf"` or `"-inf"`.
fn any_number(v: &Value) -> Option<f64> {
    to_f64(v).ok()
}

/// The finite number a reply should be.
pub fn number(v: &Value) -> Result<f64, String> {
    match any_number(v) {
        Some(x) if x.is_finite() => Ok(x),
        Some(_) => Err("the answer is not a finite number".into()),
        None => Err("the answer is not a number".into()),
    }
}

/// The finite numbers of a reply that should be a flat array of them.
pub fn numbers(v: &Value) -> Result<Vec<f64>, String> {
    let items = v
        .as_array()
        .ok_or("the answer is not an array of numbers")?;
    items
        .iter()
        .map(|x| match any_number(x) {
            Some(x) if x.is_finite() => Ok(x),
            Some(_) => {
                Err("the answer holds a number that is not finite".into())
            }
            None => Err("the answer holds a non-number".into()),
        })
        .collect()
}

/// The finite numbers of a reply that should be a flat array of exactly
/// `n` of them.
pub fn numbers_of(v: &Value, n: usize) -> Result<Vec<f64>, String> {
    let x = numbers(v)?;
    if x.len() != n {
        return Err(format!("the answer does not have shape ({n},)"));
    }
    Ok(x)
}

/// The rows of a reply that should be a matrix of finite numbers: an
/// array of arrays, all of one length (at least one row).
pub fn matrix(v: &Value) -> Result<Vec<Vec<f64>>, String> {
    let rows = v.as_array().ok_or("the answer is not a matrix")?;
    let rows = rows
        .iter()
        .map(numbers)
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| e.replace("an array of numbers", "a matrix"))?;
    if rows.windows(2).any(|p| p[0].len() != p[1].len()) {
        return Err("the answer's rows have different lengths".into());
    }
    Ok(rows)
}

/// The rows of a reply that should be a `(rows, cols)` matrix of finite
/// numbers.
pub fn matrix_of(
    v: &Value,
    rows: usize,
    cols: usize,
) -> Result<Vec<Vec<f64>>, String> {
    let m = matrix(v)?;
    if m.len() != rows || m.iter().any(|r| r.len() != cols) {
        return Err(format!("the answer does not have shape ({rows}, {cols})"));
    }
    Ok(m)
}

/// The whole number (`0, 1, 2, ...`) a reply should be.
pub fn index(v: &Value) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| "the answer is not a whole number".to_string())
}

/// The whole numbers of a reply that should be a flat array of them.
pub fn indices(v: &Value) -> Result<Vec<u64>, String> {
    v.as_array()
        .ok_or("the answer is not an array of whole numbers")?
        .iter()
        .map(index)
        .collect()
}

/// The rows of a reply that should be a `(rows, cols)` matrix of `true`
/// and `false`.
pub fn bool_matrix_of(
    v: &Value,
    rows: usize,
    cols: usize,
) -> Result<Vec<Vec<bool>>, String> {
    let bad = || {
        format!("the answer is not a ({rows}, {cols}) matrix of true and false")
    };
    let m = v
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|b| b.as_bool().ok_or_else(bad))
                .collect::<Result<Vec<bool>, String>>()
        })
        .collect::<Result<Vec<_>, String>>()?;
    if m.len() != rows || m.iter().any(|r| r.len() != cols) {
        return Err(bad());
    }
    Ok(m)
}

/// Field `key` of a reply that should be an object holding it.
pub fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key)
        .filter(|_| v.is_object())
        .ok_or_else(|| format!("the answer has no `{key}`"))
}

/// Whether two finite-or-not numbers agree within `tol`, for an expected
/// answer of magnitude `scale` (see [`Tol`]). NaN never agrees; infinities
/// agree only with themselves.
fn near_at(got: f64, want: f64, tol: Tol, scale: f64) -> bool {
    if !(got.is_finite() && want.is_finite()) {
        return !got.is_nan() && got == want;
    }
    let diff = (got - want).abs();
    let floor = tol.abs * if scale > 0.0 { scale } else { 1.0 };
    diff <= floor || diff <= tol.rel * got.abs().max(want.abs())
}

/// Whether the number `got` agrees with `want` within `tol`, the way
/// [`close`] compares one expected number. NaN is always wrong.
pub fn near(got: f64, want: f64, tol: Tol) -> bool {
    near_at(got, want, tol, want.abs())
}

/// Whether `x` (a difference, an error) is above `limit`, or NaN: the
/// test a property fails on, which NaN can never slip through.
pub fn exceeds(x: f64, limit: f64) -> bool {
    x.is_nan() || x > limit
}

/// The largest finite magnitude among the numbers of `v` (0 if none).
fn scale_of(v: &Value) -> f64 {
    match v {
        Value::Array(items) => items.iter().map(scale_of).fold(0.0, f64::max),
        Value::Object(map) => map.values().map(scale_of).fold(0.0, f64::max),
        Value::Number(n) => {
            n.as_f64().filter(|x| x.is_finite()).map_or(0.0, f64::abs)
        }
        _ => 0.0,
    }
}

/// Whether `got` equals `want` within `tol`, walking arrays and objects.
/// Non-finite numbers (written `"NaN"`, `"inf"`) must match exactly; a
/// NaN the reference did not give is always wrong.
pub fn close(got: &Value, want: &Value, tol: Tol) -> bool {
    close_at(got, want, tol, scale_of(want))
}

fn close_at(got: &Value, want: &Value, tol: Tol, scale: f64) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            match (a.as_f64(), b.as_f64()) {
                // Two integers compare as integers (no rounding above
                // 2^53); otherwise as floats.
                _ if tol == Tol::EXACT
                    && (a.is_u64() || a.is_i64())
                    && (b.is_u64() || b.is_i64()) =>
                {
                    a.as_u64() == b.as_u64() && a.as_i64() == b.as_i64()
                }
                (Some(a), Some(b)) => near_at(a, b, tol, scale),
                _ => false,
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| close_at(x, y, tol, scale))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter().all(|(k, x)| {
                    b.get(k).is_some_and(|y| close_at(x, y, tol, scale))
                })
        }
        _ => got == want,
    }
}

pub use attn_common::message::names;

/// Runs one check: `None` if it passed, or why not (safe to show).
pub fn run_check(
    check: &Check,
    student: &mut dyn Oracle,
    reference: &mut dyn Oracle,
) -> Result<Option<String>> {
    Gate::default().run(check, student, reference)
}

/// The rule that turns an exercise's passed checks into points: an
/// exercise earns its share of points only once the student's code has
/// matched the reference on at least two cases with different, non-trivial
/// right answers (or on every such case, if it has fewer; a
/// [`Check::verifying`] property counts as one such case). A right answer
/// is trivial when it is an array holding at most one number or flag,
/// when it has at least two that are all equal, when every row of it is
/// constant (uniform weights), or when it is the input, or one field of
/// the input, given back. So answers of
/// zeros, constants, uniform weights, echoes or NaN, however well they
/// refuse bad input or keep a property that trivial answers keep, earn
/// nothing.
#[derive(Debug, Default)]
pub struct Gate {
    /// Per exercise, the distinct non-trivial right answers seen (as JSON
    /// text) and those the student matched.
    seen: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
}

/// What a report says under an exercise whose [`Gate`] is closed but some
/// of whose checks passed.
pub const GATE_CLOSED: &str = "your answers do not yet match the reference \
    on two real cases with different answers, so the refusals and \
    properties passed below earn nothing yet";

impl Gate {
    /// Runs `check` like [`run_check`], and records what it shows about
    /// its exercise: `None` if it passed, or why not (safe to show).
    pub fn run(
        &mut self,
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
                let anchor =
                    (!trivial(&want, input, *tol)).then(|| want.to_string());
                let entry =
                    self.seen.entry(check.exercise.clone()).or_default();
                if let Some(a) = &anchor {
                    entry.0.insert(a.clone());
                }
                match student.ask(&check.exercise, input) {
                    Reply::Value(got) if close(&got, &want, *tol) => {
                        if let Some(a) = anchor {
                            entry.1.insert(a);
                        }
                        None
                    }
                    Reply::Value(_) => Some("wrong answer".into()),
                    Reply::Error(_) => {
                        Some("returned an error for a valid input".into())
                    }
                    Reply::Crashed(why) => Some(why),
                }
            }
            Kind::Fails { input, mentions } => {
                match student.ask(&check.exercise, input) {
                    Reply::Error(msg) => {
                        if mentions.iter().all(|m| names(&msg, m)) {
                            None
                        } else {
                            Some(
                                "the error does not name the shapes \
                                 (or values) involved"
                                    .into(),
                            )
                        }
                    }
                    Reply::Value(_) => {
                        Some("accepted an input it should refuse".into())
                    }
                    Reply::Crashed(why) => Some(why),
                }
            }
            Kind::Property(run) => {
                let failure = run(student).err();
                if check.verifies {
                    let anchor = format!("property: {}", check.name);
                    let entry =
                        self.seen.entry(check.exercise.clone()).or_default();
                    entry.0.insert(anchor.clone());
                    if failure.is_none() {
                        entry.1.insert(anchor);
                    }
                }
                failure
            }
        })
    }

    /// Whether exercise `exercise` has earned the right to its points.
    pub fn open(&self, exercise: &str) -> bool {
        self.seen.get(exercise).is_some_and(|(all, matched)| {
            !matched.is_empty() && matched.len() >= all.len().min(2)
        })
    }

    /// How many distinct non-trivial right answers `exercise`'s checks
    /// have (0 for an exercise not seen yet).
    pub fn anchors(&self, exercise: &str) -> usize {
        self.seen.get(exercise).map_or(0, |(all, _)| all.len())
    }
}

/// The leaves of a value (numbers, flags, strings, nulls), in order.
fn leaves<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| leaves(x, out)),
        Value::Object(map) => map.values().for_each(|x| leaves(x, out)),
        leaf => out.push(leaf),
    }
}

/// Whether all of `items` are equal leaves (numbers compared as numbers).
fn all_equal(items: &[&Value]) -> bool {
    let same = |a: &Value, b: &Value| match (any_number(a), any_number(b)) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    };
    items.windows(2).all(|p| same(p[0], p[1]))
}

/// Whether every innermost array of `v` is constant (uniform rows), with
/// at least one such array of two or more entries.
fn constant_rows(v: &Value) -> bool {
    fn walk(v: &Value, wide: &mut bool) -> bool {
        match v {
            Value::Array(items)
                if items.iter().all(|x| !x.is_array() && !x.is_object()) =>
            {
                if items.len() >= 2 {
                    *wide = true;
                }
                all_equal(&items.iter().collect::<Vec<_>>())
            }
            Value::Array(items) => items.iter().all(|x| walk(x, wide)),
            Value::Object(map) => map.values().all(|x| walk(x, wide)),
            _ => true,
        }
    }
    let mut wide = false;
    walk(v, &mut wide) && wide
}

/// Whether `want`, the right answer to `input`, is one that a trivial
/// answer (zeros, a constant, uniform rows, NaN, the input echoed) would
/// also give, so that matching it proves nothing.
pub fn trivial(want: &Value, input: &Value, tol: Tol) -> bool {
    let mut all = Vec::new();
    leaves(want, &mut all);
    // An array of at most one entry (`[]`, `[[true]]`) is all shape: a
    // constant answer of the right shape gives it.
    if (want.is_array() || want.is_object()) && all.len() < 2 {
        return true;
    }
    if all.len() >= 2 && all_equal(&all) {
        return true;
    }
    if all.iter().any(|x| any_number(x).is_some_and(f64::is_nan)) {
        return true;
    }
    if constant_rows(want) {
        return true;
    }
    if close(want, input, tol) {
        return true;
    }
    input
        .as_object()
        .is_some_and(|m| m.values().any(|field| close(want, field, tol)))
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

    #[test]
    fn the_absolute_floor_is_relative_to_the_answer_and_nan_is_wrong() {
        let t = Tol::new(1e-12, 1e-9);
        // A scalar near 1e-12 does not accept 0 ...
        assert!(!close(&json!(0.0), &json!(1.5e-12), t));
        assert!(!near(0.0, 1.5e-12, t));
        assert!(close(&json!(1.5e-12 * (1.0 + 1e-10)), &json!(1.5e-12), t));
        // ... but rounding noise next to a large entry passes.
        assert!(close(&json!([1.0, 0.0]), &json!([1.0, 1e-13]), t));
        assert!(close(&json!([0.0, 1e-13]), &json!([0.0, 0.0]), t));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(!near(bad, 1.0, Tol::F64));
            assert!(!near(1.0, bad, Tol::F64));
        }
        assert!(!near(f64::NAN, f64::NAN, Tol::F64));
        assert!(near(f64::INFINITY, f64::INFINITY, Tol::EXACT));
        assert!(!close(&json!("NaN"), &json!(0.0), t));
    }

    #[test]
    fn huge_integers_compare_exactly() {
        let big = u64::MAX;
        assert!(close(&json!(big), &json!(big), Tol::EXACT));
        assert!(!close(&json!(big - 1), &json!(big), Tol::EXACT));
        assert!(!close(&json!(-1), &json!(big), Tol::EXACT));
    }

    #[test]
    fn the_gate_opens_only_on_two_distinct_non_trivial_matches() {
        assert!(trivial(&json!([0.0, 0.0]), &json!({}), Tol::F64));
        assert!(trivial(
            &json!([[0.5, 0.5], [1.0, 1.0]]),
            &json!({}),
            Tol::F64
        ));
        assert!(trivial(&json!([true, true]), &json!({}), Tol::F64));
        assert!(trivial(
            &json!([1.0, 2.0]),
            &json!({"x": [1.0, 2.0]}),
            Tol::F64
        ));
        assert!(trivial(&json!(["NaN"]), &json!({}), Tol::F64));
        assert!(!trivial(&json!([1.0, 2.0]), &json!({"x": [2.0]}), Tol::F64));
        assert!(!trivial(&json!(3), &json!({"x": 2}), Tol::F64));
    }
}
