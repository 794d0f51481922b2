//! The numbers of the worked answer to chapter 9's exercise 9.4. The
//! function returns the exact text the answer quotes;
//! `examples/answers.rs` prints it and `tests/outputs.rs` locks it.

use crate::scorers::{Additive, cosine};
use crate::worked::{band_keys, band_query, band_scorer};
use anyhow::Result;
use attn_common::fmt;
use ndarray::{Array1, array};
use std::fmt::Write as _;

/// The hand-built band scorer moved to sit around `c = 2`: only `W_q`
/// changes, so that with the query `[1, 1]` the hidden units see
/// `2c - 3` and `2c - 5`.
///
/// # Shapes
/// - `W_q` `(d_a, d_q)` = `(2, 2)`, `W_k` `(d_a, d_k)` = `(2, 2)`,
///   `v` `(d_a,)` = `(2,)`
pub fn band_at_two() -> Result<Additive> {
    Additive::new(
        array![[-1.5, -1.5], [-2.5, -2.5]], // W_q: (d_a, d_q) = (2, 2)
        array![[1.0, 1.0], [1.0, 1.0]],     // W_k: (d_a, d_k) = (2, 2)
        array![1.0, -1.0],                  // v: (d_a,) = (2,)
    )
}

/// Exercise 9.4: three keys whose middle one cosine prefers, and the band
/// scorer before and after moving its band from `c = 1` to `c = 2`.
///
/// # Shapes
/// - one query `(1, 2)` against keys `(T_k, 2)`; scores `(1, T_k)`
pub fn middle_key() -> Result<String> {
    let mut out = String::new();
    let q = array![[1.0, 0.0]];
    let k = array![[1.0, 2.0], [1.0, 0.0], [1.0, -2.0]];
    let cos = cosine(q.view(), k.view())?;
    writeln!(out, "cosine, query [1, 0], keys [1, 2], [1, 0], [1, -2]:")?;
    writeln!(out, "  scores {}", fmt::vector(cos.row(0)))?;
    writeln!(out, "  1 / sqrt(5) = {}", fmt::num(1.0 / 5f64.sqrt()))?;

    let strengths = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0];
    let keys = band_keys(&strengths);
    writeln!(out, "\nadditive scores, query [1, 1], key c [1, 1]:")?;
    writeln!(out, "  c          {}", fmt::list(strengths))?;
    for (label, scorer) in [
        ("band at 1 ", band_scorer()?),
        ("band at 2 ", band_at_two()?),
    ] {
        let s: Array1<f64> = scorer
            .scores(band_query().view(), keys.view())?
            .row(0)
            .to_owned();
        writeln!(out, "  {label} {}", fmt::vector(s.view()))?;
    }
    Ok(out)
}
