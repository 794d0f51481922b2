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

/// The answer of exercise `exercise` (`"7.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "7.1" => {
            let x = a::matrix(input, "x")?;
            let n_heads = a::count(input, "n_heads")?;
            let heads = exercises::split_heads(x.view(), n_heads)?;
            Ok(a::from_array3(heads.view()))
        }
        "7.2" => {
            let heads = a::array3(input, "heads")?;
            let merged = exercises::merge_heads(heads.view())?;
            Ok(a::from_matrix(merged.view()))
        }
        "7.3" => {
            let weights = a::array3(input, "weights")?;
            let average = exercises::average_heads(weights.view())?;
            Ok(a::from_matrix(average.view()))
        }
        "7.4" => Ok(json!(exercises::grouped_query_parameter_count(
            a::count(input, "d_model")?,
            a::count(input, "n_heads")?,
            a::count(input, "n_kv_heads")?,
            a::flag(input, "bias")?,
        )?)),
        _ => Err(unknown(exercise)),
    }
}
