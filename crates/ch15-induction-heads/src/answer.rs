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

/// The answer of exercise `exercise` (`"15.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "15.1" => {
            let w = a::matrix(input, "weights")?;
            Ok(a::from_f64(exercises::previous_token_score(w.view())?))
        }
        "15.2" => {
            let w = a::matrix(input, "weights")?;
            let half = a::count(input, "half")?;
            Ok(a::from_f64(exercises::induction_score(w.view(), half)?))
        }
        "15.3" => {
            let logits = a::vector(input, "logits")?;
            let target = a::count(input, "target")?;
            let g = exercises::next_token_loss(logits.view(), target)?;
            Ok(json!({
                "loss": a::from_f64(g.loss),
                "d_logits": a::from_vector(g.d_logits.view()),
            }))
        }
        _ => Err(unknown(exercise)),
    }
}
