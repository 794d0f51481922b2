//! The numbers of the worked answer to chapter 5's pen-and-paper
//! exercise. The function returns the exact text the answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::scaling::measured;
use anyhow::{Context, Result};
use attn_common::fmt;
use ch04_self_attention::normalise::softmax_jacobian;
use ndarray::array;
use std::fmt::Write as _;

/// Exercise 5.4: the softmax's derivatives `d w_i / d s_j` for a one-hot
/// and a flat row of three weights, and how many times smaller the
/// unscaled average slope is than the scaled one at `d_k = 512` in the
/// saturation table.
///
/// # Shapes
/// - each row of weights is `(3,)`; its derivatives `(3, 3)`
pub fn pen_and_paper() -> Result<String> {
    let mut out = String::new();
    let names = ["w_1", "w_2", "w_3"];
    let cols = ["s_1", "s_2", "s_3"];
    for (label, w) in [
        ("[1, 0, 0]", array![1.0, 0.0, 0.0]),
        ("[1/3, 1/3, 1/3]", array![1.0, 1.0, 1.0] / 3.0),
    ] {
        writeln!(out, "d w_i / d s_j for the weights {label}:")?;
        out += &fmt::matrix(softmax_jacobian(w.view())?.view(), &names, &cols);
        writeln!(out)?;
    }
    let row = measured()?
        .iter()
        .find(|r| r.d_k == 512)
        .context("the saturation table has a row for d_k = 512")?;
    writeln!(
        out,
        "d_k = 512: slope unscaled {}, scaled {}, scaled / unscaled = {}",
        fmt::num(row.unscaled.slope),
        fmt::num(row.scaled.slope),
        fmt::num(row.scaled.slope / row.unscaled.slope)
    )?;
    Ok(out)
}
