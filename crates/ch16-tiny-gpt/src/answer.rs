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

/// The answer of exercise `exercise` (`"16.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "16.1" => {
            let x = a::vector(input, "x")?;
            let dy = a::vector(input, "dy")?;
            let dx = exercises::gelu_backward(x.view(), dy.view())?;
            Ok(a::from_vector(dx.view()))
        }
        "16.2" => {
            let x = a::vector(input, "x")?;
            let gamma = a::vector(input, "gamma")?;
            let dy = a::vector(input, "dy")?;
            let eps = a::number(input, "eps")?;
            let dx = exercises::layer_norm_backward(
                x.view(),
                gamma.view(),
                dy.view(),
                eps,
            )?;
            Ok(a::from_vector(dx.view()))
        }
        "16.3" => {
            let logits = a::vector(input, "logits")?;
            let temperature = a::number(input, "temperature")?;
            let k = a::count(input, "k")?;
            let u = a::number(input, "u")?;
            let token =
                exercises::sample_top_k(logits.view(), temperature, k, u)?;
            Ok(json!(token))
        }
        "16.4" => {
            let rate = exercises::learning_rate(
                a::count(input, "step")?,
                a::count(input, "warmup")?,
                a::count(input, "total")?,
                a::number(input, "peak")?,
                a::number(input, "floor")?,
            )?;
            Ok(a::from_f64(rate))
        }
        _ => Err(unknown(exercise)),
    }
}
