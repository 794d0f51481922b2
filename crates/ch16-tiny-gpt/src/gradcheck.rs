//! Checking the hand-written backward pass against central differences,
//! on every parameter of a small model (chapter 12's method).

use crate::gpt::{loss, loss_and_grads};
use crate::model::{Config, Params};
use anyhow::Result;
use attn_common::rng::SplitMix64;

/// The step of the central differences.
pub const H: f64 = 1e-5;

/// How one parameter tensor's gradient compares with central
/// differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The tensor's name, as [`Config::layout`] gives it.
    pub name: String,
    /// How many entries were compared.
    pub entries: usize,
    /// The largest `|analytic - numeric|`.
    pub worst_abs: f64,
    /// `|analytic - numeric| / max(|analytic|, |numeric|)` over the
    /// whole tensor, with `|.|` the Euclidean norm; 0 if both are zero.
    pub rel: f64,
}

// ANCHOR: gradient_check
/// Compares every entry of the gradient of the mean loss with
/// `(L(w + h) - L(w - h)) / (2h)`, `h` = [`H`].
///
/// # Shapes
/// - `inputs`, `targets`: `(B t_len,)` -> one [`Comparison`] per tensor
///
/// # Errors
/// As [`loss_and_grads`].
pub fn gradient_check(
    params: &Params,
    inputs: &[usize],
    targets: &[usize],
    t_len: usize,
) -> Result<Vec<Comparison>> {
    let (_, grads) = loss_and_grads(params, inputs, targets, t_len)?;
    let mut nudged = params.clone();
    let mut out = Vec::new();
    let mut start = 0;
    for ((name, _), n) in params
        .config
        .layout()
        .into_iter()
        .zip(params.config.sizes())
    {
        let (mut worst_abs, mut diff2, mut a2, mut n2) =
            (0.0f64, 0.0, 0.0, 0.0);
        for i in start..start + n {
            let keep = nudged.flat[i];
            nudged.flat[i] = keep + H;
            let up = loss(&nudged, inputs, targets, t_len)?;
            nudged.flat[i] = keep - H;
            let down = loss(&nudged, inputs, targets, t_len)?;
            nudged.flat[i] = keep;
            let numeric = (up - down) / (2.0 * H);
            let analytic = grads.flat[i];
            worst_abs = worst_abs.max((analytic - numeric).abs());
            diff2 += (analytic - numeric) * (analytic - numeric);
            a2 += analytic * analytic;
            n2 += numeric * numeric;
        }
        let size = f64::max(a2, n2).sqrt();
        let rel = if size > 0.0 { diff2.sqrt() / size } else { 0.0 };
        out.push(Comparison {
            name,
            entries: n,
            worst_abs,
            rel,
        });
        start += n;
    }
    Ok(out)
}
// ANCHOR_END: gradient_check

/// A model for checking: GPT-2's initialisation, then every parameter
/// (gains and biases included) moved by a normal of deviation 0.3, so
/// that no gradient is zero by construction; and `batch` random
/// sequences of `t_len` tokens with random targets.
///
/// # Shapes
/// - inputs and targets `(batch t_len,)`
///
/// # Errors
/// Sizes that [`Params::random`] refuses.
pub fn random_case(
    config: Config,
    batch: usize,
    t_len: usize,
    seed: u64,
) -> Result<(Params, Vec<usize>, Vec<usize>)> {
    let mut rng = SplitMix64::new(seed);
    let mut p = Params::random(config, &mut rng)?;
    for w in &mut p.flat {
        *w += 0.3 * rng.normal();
    }
    let mut draw = || -> Vec<usize> {
        (0..batch * t_len)
            .map(|_| (rng.next_u64() % config.vocab as u64) as usize)
            .collect()
    };
    let inputs = draw();
    let targets = draw();
    Ok((p, inputs, targets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]
        #[test]
        // Widths of 4 and more: at 1 a layer norm's output is its shift
        // alone, at 2 it is +-1, and its input gradient nearly vanishes.
        fn every_gradient_matches_central_differences(
            vocab in 2usize..6, context in 1usize..5, n_heads in 1usize..3,
            d_head in 4usize..7, n_layers in 1usize..3, batch in 1usize..3,
            seed in any::<u64>(),
        ) {
            let config = Config {
                vocab, context, d_model: n_heads * d_head, n_layers, n_heads,
            };
            let (p, x, y) = random_case(config, batch, context, seed).unwrap();
            for c in gradient_check(&p, &x, &y, context).unwrap() {
                // Relative: a narrow model makes layer norm sharply curved,
                // and the differences then err by more (their error grows
                // with h^2 times the third derivative).
                prop_assert!(c.rel < 1e-5, "{} {}", c.name, c.rel);
            }
        }
    }
}
