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

/// A count that must fit in a `u64`.
fn big(input: &Value, key: &str) -> Result<u64> {
    Ok(a::count(input, key)? as u64)
}

/// The answer of exercise `exercise` (`"13.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "13.1" => Ok(json!(exercises::naive_multiply_adds(
            big(input, "t_q")?,
            big(input, "t_k")?,
            big(input, "d_k")?,
            big(input, "d_v")?,
        )?)),
        "13.2" => Ok(json!(exercises::kv_cache_bytes(
            big(input, "n_layers")?,
            big(input, "n_kv_heads")?,
            big(input, "d_head")?,
            big(input, "t")?,
            big(input, "bytes_per_number")?,
        )?)),
        "13.3" => {
            let scores = a::vector(input, "scores")?;
            let (max, sum) = exercises::online_softmax_step(
                a::number(input, "max")?,
                a::number(input, "sum")?,
                scores.view(),
            )?;
            Ok(json!({"max": a::from_f64(max), "sum": a::from_f64(sum)}))
        }
        "13.4" => {
            let q = a::matrix(input, "q")?;
            let k = a::matrix(input, "k")?;
            let v = a::matrix(input, "v")?;
            let out = exercises::tiled_attention(
                q.view(),
                k.view(),
                v.view(),
                a::count(input, "tile")?,
            )?;
            Ok(a::from_matrix(out.view()))
        }
        _ => Err(unknown(exercise)),
    }
}
