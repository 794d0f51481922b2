//! The numbers of the worked answers to chapter 6's pen-and-paper
//! exercises. Each function returns the exact text an answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::mask::{masked_softmax, zero_and_renormalise};
use anyhow::Result;
use attn_common::fmt;
use ch03_queries_keys_values::softmax::softmax_rows;
use ndarray::{Array2, ArrayView2, Zip, array};
use std::fmt::Write as _;

/// What many implementations do instead of `-inf`: hidden scores become
/// `-1e9`, then an ordinary softmax runs over every row.
///
/// # Shapes
/// - `scores` and `allowed`: `(T_q, T_k)`; returns `(T_q, T_k)`
///
/// # Errors
/// Scores and a mask of different shapes, or scores that are empty or not
/// finite; the error names the shapes.
pub fn minus_a_billion(
    scores: ArrayView2<f64>,
    allowed: ArrayView2<bool>,
) -> Result<Array2<f64>> {
    use attn_common::check::shape;
    anyhow::ensure!(
        scores.dim() == allowed.dim(),
        "the mask must match the scores: `scores` has shape {} but \
         `allowed` has shape {}",
        shape(&scores),
        shape(&allowed)
    );
    let mut filled = scores.to_owned();
    Zip::from(&mut filled).and(&allowed).for_each(|s, &ok| {
        if !ok {
            *s = -1e9;
        }
    });
    softmax_rows(filled.view())
}

/// Exercises 6.4 and 6.5: a row whose only allowed key scores 800 below
/// the hidden ones, through both roads; and rows through the `-1e9`
/// mask, one with an allowed key and one with none.
///
/// # Shapes
/// - each example is one row of three scores, `(1, 3)`
pub fn pen_and_paper() -> Result<String> {
    let mut out = String::new();
    let first_only = array![[true, false, false]];
    let far = array![[0.0, 800.0, 800.0]];
    writeln!(
        out,
        "exercise 6.4: scores {}, only the first key allowed",
        { fmt::vector(far.row(0)) }
    )?;
    let plain = softmax_rows(far.view())?;
    let second = zero_and_renormalise(plain.view(), first_only.view())?;
    let masked = masked_softmax(far.view(), first_only.view())?;
    writeln!(
        out,
        "  plain softmax            {}",
        fmt::vector(plain.row(0))
    )?;
    writeln!(
        out,
        "  zeroed and renormalised  {}",
        fmt::vector(second.row(0))
    )?;
    writeln!(
        out,
        "  masked_softmax           {}",
        fmt::vector(masked.row(0))
    )?;
    writeln!(out, "  exp(-800) is 0 in f64: {}", (-800f64).exp() == 0.0)?;

    writeln!(out, "\nexercise 6.5: hidden scores set to -1e9")?;
    let scores = array![[0.3, 1.2, -0.5]];
    for (label, allowed) in [
        ("first key allowed", array![[true, false, false]]),
        ("first two allowed", array![[true, true, false]]),
        ("every key hidden", array![[false, false, false]]),
    ] {
        let billion = minus_a_billion(scores.view(), allowed.view())?;
        let exact = masked_softmax(scores.view(), allowed.view())?;
        writeln!(out, "  {label}:")?;
        writeln!(out, "    -1e9            {}", fmt::vector(billion.row(0)))?;
        writeln!(out, "    masked_softmax  {}", fmt::vector(exact.row(0)))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Exercise 6.5's claim: for any row with at least one allowed
        /// key and scores of ordinary size, `-1e9` gives exactly the
        /// weights of `masked_softmax` in f64.
        #[test]
        fn minus_a_billion_matches_the_mask_when_a_key_is_allowed(
            row in prop::collection::vec((-1e3f64..1e3, any::<bool>()), 1..12),
            keep in any::<prop::sample::Index>(),
        ) {
            let t = row.len();
            let scores = Array2::from_shape_fn((1, t), |(_, j)| row[j].0);
            let mut allowed = Array2::from_shape_fn((1, t), |(_, j)| row[j].1);
            allowed[(0, keep.index(t))] = true;
            let (s, a) = (scores.view(), allowed.view());
            let billion = minus_a_billion(s, a).unwrap();
            let exact = masked_softmax(s, a).unwrap();
            prop_assert_eq!(billion, exact);
        }
    }

    #[test]
    fn a_mask_of_another_shape_is_an_error_naming_both() {
        let err = minus_a_billion(
            array![[0.0, 1.0]].view(),
            array![[true, true, true]].view(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(1, 3)") && err.contains("(1, 2)"), "{err}");
    }
}
