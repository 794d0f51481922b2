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
use attn_common::answer::{self as a, Value, unknown};

/// The answer of exercise `exercise` (`"3.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "3.1" => {
            let scores = a::vector(input, "scores")?;
            let logs = exercises::log_softmax(scores.view())?;
            Ok(a::from_vector(logs.view()))
        }
        "3.2" => {
            let weights = a::vector(input, "weights")?;
            Ok(a::from_f64(exercises::entropy(weights.view())?))
        }
        "3.3" => {
            let scores = a::vector(input, "scores")?;
            let target = a::number(input, "target")?;
            let tau =
                exercises::temperature_for_top_weight(scores.view(), target)?;
            Ok(a::from_f64(tau))
        }
        _ => Err(unknown(exercise)),
    }
}
