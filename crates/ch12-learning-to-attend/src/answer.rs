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

/// The answer of exercise `exercise` (`"12.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "12.1" => {
            let weights = a::vector(input, "weights")?;
            let upstream = a::vector(input, "upstream")?;
            let d_s = exercises::softmax_vjp(weights.view(), upstream.view())?;
            Ok(a::from_vector(d_s.view()))
        }
        "12.2" => {
            let weights = a::vector(input, "weights")?;
            let values = a::matrix(input, "values")?;
            let upstream = a::vector(input, "upstream")?;
            let g = exercises::weighted_sum_backward(
                weights.view(),
                values.view(),
                upstream.view(),
            )?;
            Ok(json!({
                "d_weights": a::from_vector(g.d_weights.view()),
                "d_values": a::from_matrix(g.d_values.view()),
            }))
        }
        "12.3" => {
            let w = a::vector(input, "w")?;
            let g = a::vector(input, "g")?;
            let m = a::vector(input, "m")?;
            let v = a::vector(input, "v")?;
            let s = exercises::adam_step(
                w.view(),
                g.view(),
                m.view(),
                v.view(),
                a::count(input, "t")?,
                a::number(input, "lr")?,
            )?;
            Ok(json!({
                "w": a::from_vector(s.w.view()),
                "m": a::from_vector(s.m.view()),
                "v": a::from_vector(s.v.view()),
            }))
        }
        _ => Err(unknown(exercise)),
    }
}
