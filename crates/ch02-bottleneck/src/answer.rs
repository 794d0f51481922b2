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

/// The answer of exercise `exercise` (`"2.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "2.1" => {
            let w_x = a::matrix(input, "w_x")?;
            let w_h = a::matrix(input, "w_h")?;
            let x = a::matrix(input, "x")?;
            let h = exercises::encode(w_x.view(), w_h.view(), x.view())?;
            Ok(a::from_vector(h.view()))
        }
        "2.2" => {
            let w_x = a::matrix(input, "w_x")?;
            let w_h = a::matrix(input, "w_h")?;
            let x = a::matrix(input, "x")?;
            let norm = exercises::first_token_sensitivity(
                w_x.view(),
                w_h.view(),
                x.view(),
            )?;
            Ok(a::from_f64(norm))
        }
        "2.3" => Ok(json!(exercises::steps_to_fade(
            a::number(input, "radius")?,
            a::number(input, "threshold")?,
        )?)),
        _ => Err(unknown(exercise)),
    }
}
