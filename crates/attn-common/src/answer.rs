//! Exercise inputs and answers as JSON: the only thing a student's code
//! and the judge exchange.
//!
//! Grading never trusts a student's process to say whether it passed. The
//! judge (`cargo xtask grade`) sends each exercise an input as JSON, a
//! small runner built from the student's crate calls the exercise
//! function through the chapter's `answer` module and prints the result as
//! JSON, and the judge compares that with the reference solution's answer
//! to the same input. This module turns arrays and numbers into JSON and
//! back, the same way on both sides.
//!
//! Floats travel as JSON numbers; the non-finite ones, which JSON cannot
//! hold, travel as the strings `"NaN"`, `"inf"` and `"-inf"`, so an input
//! can carry a NaN to test that an exercise rejects it.

use anyhow::{Context, Result, bail};
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayView3};
pub use serde_json::{Map, Value, json};

/// A float as JSON: a number, or `"NaN"`, `"inf"`, `"-inf"`.
pub fn from_f64(x: f64) -> Value {
    if x.is_nan() {
        Value::from("NaN")
    } else if x == f64::INFINITY {
        Value::from("inf")
    } else if x == f64::NEG_INFINITY {
        Value::from("-inf")
    } else {
        Value::from(x)
    }
}

/// Reads a float written by [`from_f64`].
pub fn to_f64(v: &Value) -> Result<f64> {
    match v {
        Value::Number(n) => n.as_f64().context("a number out of f64 range"),
        Value::String(s) if s == "NaN" => Ok(f64::NAN),
        Value::String(s) if s == "inf" => Ok(f64::INFINITY),
        Value::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        other => bail!("expected a number, got {other}"),
    }
}

/// A vector as a JSON array of floats.
///
/// # Shapes
/// - `x`: `(n,)` -> an array of `n` numbers
pub fn from_vector(x: ArrayView1<f64>) -> Value {
    Value::Array(x.iter().map(|&v| from_f64(v)).collect())
}

/// A matrix as a JSON array of rows.
///
/// # Shapes
/// - `x`: `(rows, cols)` -> `rows` arrays of `cols` numbers
pub fn from_matrix(x: ArrayView2<f64>) -> Value {
    Value::Array(x.rows().into_iter().map(from_vector).collect())
}

/// A 3-D array (a batch of matrices) as a JSON array of matrices.
///
/// # Shapes
/// - `x`: `(B, rows, cols)` -> `B` matrices
pub fn from_array3(x: ArrayView3<f64>) -> Value {
    Value::Array(x.outer_iter().map(from_matrix).collect())
}

/// The field `key` of a JSON object, or an error naming it.
pub fn field<'a>(input: &'a Value, key: &str) -> Result<&'a Value> {
    input
        .get(key)
        .with_context(|| format!("the input has no field `{key}`"))
}

/// The float in field `key`.
pub fn number(input: &Value, key: &str) -> Result<f64> {
    to_f64(field(input, key)?).with_context(|| format!("field `{key}`"))
}

/// The whole number (`usize`) in field `key`.
pub fn count(input: &Value, key: &str) -> Result<usize> {
    let v = field(input, key)?;
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .with_context(|| format!("field `{key}` should be a count, got {v}"))
}

/// The `u64` (a seed, say) in field `key`.
pub fn seed(input: &Value, key: &str) -> Result<u64> {
    let v = field(input, key)?;
    v.as_u64()
        .with_context(|| format!("field `{key}` should be a u64, got {v}"))
}

/// The boolean in field `key`.
pub fn flag(input: &Value, key: &str) -> Result<bool> {
    let v = field(input, key)?;
    v.as_bool()
        .with_context(|| format!("field `{key}` should be true or false"))
}

/// The string in field `key`.
pub fn text(input: &Value, key: &str) -> Result<String> {
    let v = field(input, key)?;
    v.as_str()
        .map(String::from)
        .with_context(|| format!("field `{key}` should be a string"))
}

fn floats(v: &Value, what: &str) -> Result<Vec<f64>> {
    let items = v
        .as_array()
        .with_context(|| format!("{what} should be an array of numbers"))?;
    items
        .iter()
        .map(to_f64)
        .collect::<Result<_>>()
        .context(what.to_string())
}

/// The vector in field `key`.
///
/// # Shapes
/// - an array of `n` numbers -> `(n,)`
pub fn vector(input: &Value, key: &str) -> Result<Array1<f64>> {
    Ok(Array1::from(floats(
        field(input, key)?,
        &format!("field `{key}`"),
    )?))
}

fn matrix_of(v: &Value, what: &str) -> Result<Array2<f64>> {
    let rows = v
        .as_array()
        .with_context(|| format!("{what} should be an array of rows"))?;
    let rows: Vec<Vec<f64>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| floats(r, &format!("row {i} of {what}")))
        .collect::<Result<_>>()?;
    let cols = rows.first().map_or(0, Vec::len);
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols)
    {
        bail!(
            "{what}: row {i} has {} numbers but row 0 has {cols}",
            r.len()
        );
    }
    let flat: Vec<f64> = rows.concat();
    Array2::from_shape_vec((rows.len(), cols), flat)
        .with_context(|| format!("{what}: not a matrix"))
}

/// The matrix in field `key`, written as an array of rows.
///
/// # Shapes
/// - `rows` arrays of `cols` numbers -> `(rows, cols)`; an empty array
///   gives `(0, 0)`
pub fn matrix(input: &Value, key: &str) -> Result<Array2<f64>> {
    matrix_of(field(input, key)?, &format!("field `{key}`"))
}

/// The 3-D array in field `key`, written as an array of matrices.
///
/// # Shapes
/// - `B` matrices of `(rows, cols)` -> `(B, rows, cols)`
pub fn array3(input: &Value, key: &str) -> Result<Array3<f64>> {
    let what = format!("field `{key}`");
    let mats = field(input, key)?
        .as_array()
        .with_context(|| format!("{what} should be an array of matrices"))?;
    let mats: Vec<Array2<f64>> = mats
        .iter()
        .enumerate()
        .map(|(b, m)| matrix_of(m, &format!("matrix {b} of {what}")))
        .collect::<Result<_>>()?;
    let (rows, cols) = mats.first().map_or((0, 0), Array2::dim);
    if mats.iter().any(|m| m.dim() != (rows, cols)) {
        bail!("{what}: the matrices have different shapes");
    }
    let flat: Vec<f64> = mats.iter().flat_map(|m| m.iter().copied()).collect();
    Array3::from_shape_vec((mats.len(), rows, cols), flat)
        .with_context(|| format!("{what}: not a 3-D array"))
}

/// The vector of whole numbers (token ids, positions) in field `key`.
pub fn counts(input: &Value, key: &str) -> Result<Vec<usize>> {
    let v = field(input, key)?;
    v.as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|x| x.as_u64().and_then(|n| usize::try_from(n).ok()))
                .collect::<Option<Vec<usize>>>()
        })
        .with_context(|| {
            format!("field `{key}` should be an array of counts, got {v}")
        })
}

/// Reads JSON text (the judge's request, in the runner).
pub fn parse(text: &str) -> Result<Value> {
    serde_json::from_str(text).context("the request is not valid JSON")
}

/// The exercise id a runner was asked for did not match any exercise.
pub fn unknown(exercise: &str) -> anyhow::Error {
    anyhow::anyhow!("this chapter has no exercise `{exercise}`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn matrices_and_non_finite_numbers_survive_a_round_trip() {
        let m = array![[1.5, f64::NAN], [f64::INFINITY, f64::NEG_INFINITY]];
        let text = json!({ "m": from_matrix(m.view()) }).to_string();
        let back = matrix(&serde_json::from_str(&text).unwrap(), "m").unwrap();
        assert_eq!(back[[0, 0]], 1.5);
        assert!(back[[0, 1]].is_nan());
        assert_eq!(back[[1, 0]], f64::INFINITY);
        assert_eq!(back[[1, 1]], f64::NEG_INFINITY);
    }

    #[test]
    fn a_ragged_matrix_is_an_error_not_a_panic() {
        let v = json!({ "m": [[1.0, 2.0], [3.0]] });
        let err = matrix(&v, "m").unwrap_err().to_string();
        assert!(err.contains("row 1 has 1 numbers"), "{err}");
    }

    #[test]
    fn batches_keep_their_shape() {
        let b =
            Array3::from_shape_fn((2, 3, 1), |(i, j, _)| (i * 3 + j) as f64);
        let v = json!({ "b": from_array3(b.view()) });
        assert_eq!(array3(&v, "b").unwrap(), b);
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = number(&json!({}), "tau").unwrap_err().to_string();
        assert!(err.contains("`tau`"), "{err}");
    }
}
