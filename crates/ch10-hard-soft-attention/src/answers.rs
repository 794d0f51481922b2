//! The numbers of the worked answer to chapter 10's exercise 10.4. The
//! function returns the exact text the answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::reinforce::{exact_gradient, reinforce};
use crate::sparse::sparsemax;
use anyhow::Result;
use attn_common::fmt;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::array;
use std::fmt::Write as _;

/// Exercise 10.4: sparsemax and softmax of two scores `[d, 0]` for a few
/// gaps `d`; then, for the scores `[1, 0]` and costs `[0, 1]`, the
/// one-sample REINFORCE estimate of each draw with three baselines.
///
/// # Shapes
/// - scores and costs `(2,)`; every estimate `(2,)`
pub fn two_tokens() -> Result<String> {
    let mut out = String::new();
    writeln!(out, "scores [d, 0]:")?;
    writeln!(out, "  gap d   sparsemax          softmax")?;
    for d in [0.0, 0.5, 1.0, 2.0] {
        let s = array![d, 0.0];
        writeln!(
            out,
            "  {}  {}  {}",
            fmt::num(d),
            fmt::vector(sparsemax(s.view())?.view()),
            fmt::vector(softmax(s.view())?.view())
        )?;
    }

    let scores = array![1.0, 0.0];
    let costs = array![0.0, 1.0];
    let p = softmax(scores.view())?;
    let (expected, gradient) = exact_gradient(scores.view(), costs.view())?;
    writeln!(out, "\nscores [1, 0], costs [0, 1]:")?;
    writeln!(out, "  p = {}", fmt::vector(p.view()))?;
    writeln!(out, "  expected cost J = p_2 = {}", fmt::num(expected))?;
    writeln!(out, "  exact gradient  {}", fmt::vector(gradient.view()))?;
    writeln!(out, "  one-sample estimates:")?;
    for (label, b) in [("b = 0  ", 0.0), ("b = p_2", p[1]), ("b = p_1", p[0])] {
        let one = reinforce(scores.view(), costs.view(), &[0], b)?;
        let two = reinforce(scores.view(), costs.view(), &[1], b)?;
        writeln!(
            out,
            "    {label}  draw 1 {}  draw 2 {}",
            fmt::vector(one.view()),
            fmt::vector(two.view())
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The answer's part (1): for two scores with gap `d`, sparsemax is
        /// `[(1 + d) / 2, (1 - d) / 2]` below a gap of 1 and one-hot above.
        #[test]
        fn two_token_sparsemax_follows_the_gap(
            a in -20.0f64..20.0,
            b in -20.0f64..20.0,
        ) {
            let w = sparsemax(array![a, b].view()).unwrap();
            let d = a - b;
            let first = if d.abs() < 1.0 {
                (1.0 + d) / 2.0
            } else if d > 0.0 {
                1.0
            } else {
                0.0
            };
            prop_assert!((w[0] - first).abs() < 1e-12);
            prop_assert!((w[1] - (1.0 - first)).abs() < 1e-12);
        }

        /// The answer's part (2): with costs `[0, 1]` the baseline `p_1`
        /// (not the expected cost `p_2`) makes both single draws give the
        /// exact gradient, so the estimate has no variance at all.
        #[test]
        fn baseline_p1_gives_zero_variance_with_two_tokens(
            a in -10.0f64..10.0,
            b in -10.0f64..10.0,
        ) {
            let scores = array![a, b];
            let costs = array![0.0, 1.0];
            let p = softmax(scores.view()).unwrap();
            let (_, exact) =
                exact_gradient(scores.view(), costs.view()).unwrap();
            for draw in [0, 1] {
                let est =
                    reinforce(scores.view(), costs.view(), &[draw], p[0])
                        .unwrap();
                for i in 0..2 {
                    prop_assert!((est[i] - exact[i]).abs() < 1e-12);
                }
            }
        }
    }
}
