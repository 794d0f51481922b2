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

/// The answer of exercise `exercise` (`"9.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "9.1" => {
            let query = a::vector(input, "query")?;
            let keys = a::matrix(input, "keys")?;
            let w_q = a::matrix(input, "w_q")?;
            let w_k = a::matrix(input, "w_k")?;
            let v = a::vector(input, "v")?;
            let scores = exercises::additive_scores(
                query.view(),
                keys.view(),
                w_q.view(),
                w_k.view(),
                v.view(),
            )?;
            Ok(a::from_vector(scores.view()))
        }
        "9.2" => {
            let count = |key: &str| a::seed(input, key);
            Ok(json!(exercises::multiply_adds(
                &a::text(input, "scorer")?,
                count("t_q")?,
                count("t_k")?,
                count("d_q")?,
                count("d_k")?,
                count("d_a")?,
            )?))
        }
        "9.3" => {
            let query = a::vector(input, "query")?;
            let keys = a::matrix(input, "keys")?;
            let scores = exercises::cosine_scores(query.view(), keys.view())?;
            Ok(a::from_vector(scores.view()))
        }
        _ => Err(unknown(exercise)),
    }
}
