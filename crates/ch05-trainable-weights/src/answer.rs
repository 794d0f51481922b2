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

/// The answer of exercise `exercise` (`"5.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "5.1" => {
            let query = a::vector(input, "query")?;
            let keys = a::matrix(input, "keys")?;
            let scores = exercises::scaled_scores(query.view(), keys.view())?;
            Ok(a::from_vector(scores.view()))
        }
        "5.2" => {
            let variance = exercises::dot_product_variance(
                a::count(input, "d_k")?,
                a::number(input, "std_dev")?,
                a::count(input, "pairs")?,
                a::seed(input, "seed")?,
            )?;
            Ok(a::from_f64(variance))
        }
        "5.3" => Ok(json!(exercises::parameter_count(
            a::count(input, "d_in")?,
            a::count(input, "d_out")?,
            a::flag(input, "bias")?,
        ))),
        _ => Err(unknown(exercise)),
    }
}
