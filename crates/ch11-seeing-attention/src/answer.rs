//! How the judge asks this chapter's exercises for answers. Not an
//! exercise: leave it as it is.
//!
//! `cargo xtask grade` builds a small runner from your crate that reads an
//! exercise's input as JSON, calls your function through [`answer`] and
//! prints what it returns. The judge compares that with the reference
//! solution's answer to the same input (or, for exercise 11.3, checks
//! its properties); nothing else your program prints or does counts.

use crate::exercises;
use anyhow::Result;
use attn_common::answer::{self as a, Value, unknown};

/// The answer of exercise `exercise` (`"11.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "11.1" => {
            let layers = a::array3(input, "layers")?;
            let alpha = a::number(input, "alpha")?;
            let r = exercises::rollout_with_residual(layers.view(), alpha)?;
            Ok(a::from_matrix(r.view()))
        }
        "11.2" => {
            let weights = a::matrix(input, "weights")?;
            let e = exercises::effective_keys(weights.view())?;
            Ok(a::from_vector(e.view()))
        }
        "11.3" => {
            let w = a::vector(input, "w")?;
            let values = a::matrix(input, "values")?;
            let u = exercises::sparse_twin(w.view(), values.view())?;
            Ok(a::from_vector(u.view()))
        }
        _ => Err(unknown(exercise)),
    }
}
