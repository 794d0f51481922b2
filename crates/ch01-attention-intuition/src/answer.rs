//! How the judge asks this chapter's exercises for answers. Not an
//! exercise: leave it as it is.
//!
//! `cargo xtask grade` builds a small runner from your crate that reads an
//! exercise's input as JSON, calls your function through [`answer`] and
//! prints what it returns. The judge compares that with the reference
//! solution's answer to the same input; nothing else your program prints
//! or does counts.

use crate::exercises;
use crate::memory::Memory;
use anyhow::Result;
use attn_common::answer::{self as a, Value, json, unknown};

/// The memory in the input's `keys` and `values`, its entries named
/// `m0`, `m1`, ...
fn memory(input: &Value) -> Result<Memory> {
    let keys = a::matrix(input, "keys")?;
    let values = a::matrix(input, "values")?;
    let names: Vec<String> =
        (0..keys.nrows()).map(|i| format!("m{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Memory::new(&names, keys, values)
}

/// The answer of exercise `exercise` (`"1.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "1.1" => {
            let memory = memory(input)?;
            let query = a::vector(input, "query")?;
            Ok(json!(exercises::nearest_lookup(&memory, query.view())?))
        }
        "1.2" => {
            let memory = memory(input)?;
            let query = a::vector(input, "query")?;
            let temperature = a::number(input, "temperature")?;
            let read = exercises::soft_read_with_temperature(
                &memory,
                query.view(),
                temperature,
            )?;
            Ok(json!({
                "scores": a::from_vector(read.scores.view()),
                "weights": a::from_vector(read.weights.view()),
                "output": a::from_vector(read.output.view()),
            }))
        }
        _ => Err(unknown(exercise)),
    }
}
