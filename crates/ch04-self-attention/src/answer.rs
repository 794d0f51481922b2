//! How the judge asks this chapter's exercises for answers. Not an
//! exercise: leave it as it is.
//!
//! `cargo xtask grade` builds a small runner from your crate that reads an
//! exercise's input as JSON, calls your function through [`answer`] and
//! prints what it returns. The judge compares that with the reference
//! solution's answer to the same input; nothing else your program prints
//! or does counts.

use crate::exercises;
use anyhow::Result;
use attn_common::answer::{self as a, Value, json, unknown};

/// The answer of exercise `exercise` (`"4.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "4.1" => {
            let x = a::matrix(input, "x")?;
            let i = a::count(input, "i")?;
            let z = exercises::context_by_loops(x.view(), i)?;
            Ok(a::from_vector(z.view()))
        }
        "4.2" => {
            let weights = a::matrix(input, "weights")?;
            Ok(json!(exercises::most_attended(weights.view())?))
        }
        "4.3" => {
            let budget = a::seed(input, "budget_bytes")?;
            Ok(json!(exercises::max_tokens_for_budget(budget)))
        }
        _ => Err(unknown(exercise)),
    }
}
