//! The worked examples chapter 3 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::attention::{Scale, attend};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{Array2, array};
use std::fmt::Write as _;

/// Example 1's catalogue: one key and one value per book.
pub fn library() -> (Array2<f64>, Array2<f64>) {
    let keys = array![[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]];
    let values = array![[10.0, 20.0, 30.0], [1.0, 2.0, 3.0], [5.0, 10.0, 15.0]];
    (keys, values)
}

/// The names of example 1's three keys, in order.
pub const LIBRARY_KEYS: [&str; 3] = ["exact match", "no match", "partial match"];

// ANCHOR: library_search
/// Example 1, the library search: one query against three catalogue
/// entries, without and with the `1/sqrt(d)` scaling.
pub fn library_search() -> Result<String> {
    let query = array![1.0, 0.0, 1.0];
    let (keys, values) = library();
    let mut out = String::new();
    writeln!(out, "query = {}", fmt::vector(query.view()))?;
    for scale in [Scale::None, Scale::InvSqrtDk] {
        let step = attend(query.view(), keys.view(), values.view(), scale)?;
        let label = match scale {
            Scale::None => "unscaled",
            Scale::InvSqrtDk => "scaled by 1/sqrt(3)",
        };
        writeln!(out, "\n{label}:")?;
        for (i, name) in LIBRARY_KEYS.iter().enumerate() {
            writeln!(
                out,
                "  {name:<13}  key {}  score {}  weight {}",
                fmt::vector(keys.row(i)),
                fmt::num(step.scores[i]),
                fmt::num(step.weights[i]),
            )?;
        }
        writeln!(out, "  output = {}", fmt::vector(step.output.view()))?;
    }
    Ok(out)
}
// ANCHOR_END: library_search
