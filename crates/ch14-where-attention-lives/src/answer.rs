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

/// The answer of exercise `exercise` (`"14.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "14.1" => {
            let pe = exercises::sinusoidal_encoding(
                a::count(input, "t")?,
                a::count(input, "d_model")?,
            )?;
            Ok(a::from_matrix(pe.view()))
        }
        "14.2" => {
            let x = a::vector(input, "x")?;
            let out =
                exercises::rotate(x.view(), a::count(input, "position")?)?;
            Ok(a::from_vector(out.view()))
        }
        "14.3" => {
            let x = a::vector(input, "x")?;
            let out = exercises::normalise(x.view(), a::number(input, "eps")?)?;
            Ok(a::from_vector(out.view()))
        }
        "14.4" => Ok(json!(exercises::block_parameters(
            a::count(input, "d_model")?,
            a::count(input, "d_ff")?,
        ))),
        _ => Err(unknown(exercise)),
    }
}
