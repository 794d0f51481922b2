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

/// The answer of exercise `exercise` (`"10.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "10.1" => {
            let scores = a::vector(input, "scores")?;
            let w = exercises::sparsemax_at(
                scores.view(),
                a::number(input, "temperature")?,
            )?;
            Ok(a::from_vector(w.view()))
        }
        "10.2" => {
            let scores = a::vector(input, "scores")?;
            let w =
                exercises::top_k_weights(scores.view(), a::count(input, "k")?)?;
            Ok(a::from_vector(w.view()))
        }
        "10.3" => {
            let scores = a::vector(input, "scores")?;
            let costs = a::vector(input, "costs")?;
            let g = exercises::reinforce_estimate(
                scores.view(),
                costs.view(),
                &a::counts(input, "samples")?,
                a::number(input, "baseline")?,
            )?;
            Ok(a::from_vector(g.view()))
        }
        _ => Err(unknown(exercise)),
    }
}
