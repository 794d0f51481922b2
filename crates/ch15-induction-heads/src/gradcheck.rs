//! Checking the hand-derived gradient against central differences, on
//! every entry of every parameter (chapter 12's method, on this model).

use crate::model::{Params, loss, loss_and_grads};
use anyhow::Result;
use ndarray::Array2;

/// The step of the central differences.
pub const H: f64 = 1e-5;

/// How one parameter matrix's gradient compares with central
/// differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The matrix's name, as [`Params::named`] gives it.
    pub name: String,
    /// How many entries were compared.
    pub entries: usize,
    /// The largest `|analytic - numeric|`.
    pub worst_abs: f64,
    /// `|analytic - numeric| / max(|analytic|, |numeric|)` over the whole
    /// matrix, with `|.|` the Frobenius norm; 0 if both are zero.
    pub rel: f64,
}

// ANCHOR: gradient_check
/// Compares every entry of the gradient of the mean loss over `batch`
/// with `(L(w + h) - L(w - h)) / (2h)`, `h` = [`H`].
///
/// # Shapes
/// - one [`Comparison`] per matrix of `params`
///
/// # Errors
/// As [`loss_and_grads`].
pub fn gradient_check(
    params: &Params,
    batch: &[Vec<usize>],
) -> Result<Vec<Comparison>> {
    let (_, grads) = loss_and_grads(params, batch)?;
    let mut out = Vec::new();
    for (index, (name, g)) in grads.named().into_iter().enumerate() {
        let mut numerics = Array2::zeros(g.dim());
        let mut worst_abs = 0.0f64;
        for (pos, &analytic) in g.indexed_iter() {
            let mut nudged = params.clone();
            nudged.tensors_mut()[index][pos] += H;
            let up = loss(&nudged, batch)?;
            nudged.tensors_mut()[index][pos] -= 2.0 * H;
            let down = loss(&nudged, batch)?;
            let numeric = (up - down) / (2.0 * H);
            numerics[pos] = numeric;
            worst_abs = worst_abs.max((analytic - numeric).abs());
        }
        let norm =
            |m: &Array2<f64>| m.iter().map(|x| x * x).sum::<f64>().sqrt();
        let size = norm(g).max(norm(&numerics));
        let rel = if size > 0.0 {
            norm(&(g - &numerics)) / size
        } else {
            0.0
        };
        out.push(Comparison {
            name,
            entries: g.len(),
            worst_abs,
            rel,
        });
    }
    Ok(out)
}
// ANCHOR_END: gradient_check

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::batch;
    use crate::model::Config;
    use attn_common::rng::SplitMix64;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn every_gradient_matches_central_differences(
            vocab in 2usize..6, half in 1usize..4, d_model in 1usize..5,
            n_heads in 1usize..3, d_head in 1usize..3, seed in any::<u64>(),
        ) {
            let config = Config { vocab, half, d_model, n_heads, d_head };
            let mut rng = SplitMix64::new(seed);
            let p = Params::random(config, &mut rng).unwrap();
            let data = batch(vocab, (1, half), 2, &mut rng).unwrap();
            for c in gradient_check(&p, &data).unwrap() {
                prop_assert!(c.worst_abs < 1e-7, "{} {}", c.name, c.worst_abs);
            }
        }
    }
}
