//! How the judge asks this chapter's exercises for answers. Not an
//! exercise: leave it as it is.
//!
//! `cargo xtask grade` builds a small runner from your crate that reads an
//! exercise's input as JSON, calls your function through [`answer`] and
//! prints what it returns. The judge compares that with the reference
//! solution's answer to the same input; nothing else your program prints
//! or does counts.

use crate::exercises;
use crate::layer::CrossAttention;
use anyhow::Result;
use attn_common::answer::{self as a, Value, json, unknown};
use ch05_trainable_weights::SelfAttention;

/// The answer of exercise `exercise` (`"8.1"`) to `input`, as JSON.
pub fn answer(exercise: &str, input: &Value) -> Result<Value> {
    match exercise {
        "8.1" => {
            let weights = a::matrix(input, "weights")?;
            let threshold = a::number(input, "threshold")?;
            let alignment =
                exercises::hard_alignment(weights.view(), threshold)?;
            Ok(json!(alignment))
        }
        "8.2" => {
            let layer = CrossAttention::new(SelfAttention::new(
                a::matrix(input, "w_q")?,
                a::matrix(input, "w_k")?,
                a::matrix(input, "w_v")?,
            )?);
            let decoder = a::array3(input, "decoder")?;
            let encoder = a::array3(input, "encoder")?;
            let lengths = a::counts(input, "encoder_lengths")?;
            let outputs = exercises::padded_cross_attention(
                &layer,
                decoder.view(),
                encoder.view(),
                &lengths,
            )?;
            Ok(Value::Array(
                outputs
                    .iter()
                    .map(|o| {
                        json!({
                            "scores": a::from_matrix(o.scores.view()),
                            "weights": a::from_matrix(o.weights.view()),
                            "context": a::from_matrix(o.context.view()),
                        })
                    })
                    .collect(),
            ))
        }
        _ => Err(unknown(exercise)),
    }
}
