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
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array2, Axis};

/// A mask as JSON: one array of `true`/`false` per row.
fn from_mask(m: &Array2<bool>) -> Value {
    json!(m.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>())
}

/// The answer of exercise `exercise` (`"6.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "6.1" => {
            let t = a::count(input, "t")?;
            let w = a::count(input, "w")?;
            Ok(from_mask(&exercises::sliding_window_mask(t, w)?))
        }
        "6.2" => {
            let lengths = a::counts(input, "lengths")?;
            let t = a::count(input, "t")?;
            let mask = exercises::padding_mask(&lengths, t)?;
            let per_sequence: Vec<Value> = mask
                .axis_iter(Axis(0))
                .map(|m| from_mask(&m.to_owned()))
                .collect();
            Ok(Value::Array(per_sequence))
        }
        "6.3" => {
            let layer = SelfAttention::new(
                a::matrix(input, "w_q")?,
                a::matrix(input, "w_k")?,
                a::matrix(input, "w_v")?,
            )?;
            let x = a::matrix(input, "x")?;
            let t = a::count(input, "t")?;
            let z = exercises::attend_prefix(&layer, x.view(), t)?;
            Ok(a::from_vector(z.view()))
        }
        _ => Err(unknown(exercise)),
    }
}
