//! The numbers of the worked answers to chapter 3's pen-and-paper
//! exercises. Each function returns the exact text an answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::softmax::softmax;
use crate::worked::{LIBRARY_KEYS, library};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{ArrayView1, array};
use std::fmt::Write as _;

/// The logistic function of a gap, `1 / (1 + exp(-d))`: the first of two
/// keys' softmax weight when its score is `d` above the second's.
pub fn logistic(d: f64) -> f64 {
    1.0 / (1.0 + (-d).exp())
}

/// The cosine of the angle between two vectors of one width.
fn cosine(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt())
}

/// Exercises 3.4 and 3.5: the gaps that give the first of two keys
/// nine tenths, 99 hundredths and 999 thousandths of the weight, checked
/// against the softmax; and example 1's keys under the dot product and
/// under cosine.
///
/// # Shapes
/// - two scores `(2,)`; example 1's query `(3,)` and keys `(3, 3)`
pub fn pen_and_paper() -> Result<String> {
    let mut out = String::new();
    writeln!(out, "exercise 3.4: the gap d = ln(p / (1 - p))")?;
    writeln!(out, "target p  gap d   softmax([d, 0])[0]")?;
    for nines in 1..=3 {
        let p = 1.0 - 10f64.powi(-nines);
        let d = (p / (1.0 - p)).ln();
        let w = softmax(array![d, 0.0].view())?;
        writeln!(
            out,
            "{}    {}  {}",
            fmt::num(p),
            fmt::num(d),
            fmt::num(w[0])
        )?;
    }
    writeln!(
        out,
        "each extra 9 adds about ln 10 = {}",
        fmt::num(10f64.ln())
    )?;

    writeln!(out, "\nexercise 3.5: example 1, q = [1, 0, 1]")?;
    let q = array![1.0, 0.0, 1.0];
    let (keys, _) = library();
    writeln!(out, "key            dot     cosine")?;
    for (name, k) in LIBRARY_KEYS.iter().zip(keys.rows()) {
        let cos = if k.dot(&k) == 0.0 {
            "undefined".to_string()
        } else {
            fmt::num(cosine(q.view(), k))
        };
        writeln!(out, "{name:<13}  {}  {cos}", fmt::num(q.dot(&k)))?;
    }
    for (name, k) in [
        ("[2, 0, 2]", array![2.0, 0.0, 2.0]),
        ("[2, 1, 2]", array![2.0, 1.0, 2.0]),
    ] {
        let (dot, cos) = (q.dot(&k), cosine(q.view(), k.view()));
        writeln!(out, "{name:<13}  {}  {}", fmt::num(dot), fmt::num(cos))?;
    }
    writeln!(out, "2 / sqrt(6) = {}", fmt::num(2.0 / 6f64.sqrt()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Exercise 3.4's claim: with two scores, the first key's softmax
        /// weight is the logistic function of the gap, whatever the scores.
        #[test]
        fn two_key_softmax_is_the_logistic_of_the_gap(
            a in -50.0f64..50.0,
            b in -50.0f64..50.0,
        ) {
            let w = softmax(array![a, b].view()).unwrap();
            prop_assert!((w[0] - logistic(a - b)).abs() < 1e-12);
            prop_assert!((w[1] - logistic(b - a)).abs() < 1e-12);
        }
    }
}
