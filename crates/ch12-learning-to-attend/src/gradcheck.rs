//! Checking the hand-derived gradient against central differences.

use crate::model::{Example, Params, loss, loss_and_grads};
use anyhow::Result;
use ndarray::Array2;

/// The step of the central differences.
pub const H: f64 = 1e-5;

/// How one parameter matrix's gradient compares with central
/// differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// `W_q`, `W_k`, `W_v` or `W_o`.
    pub name: &'static str,
    /// How many entries were compared.
    pub entries: usize,
    /// The largest `|analytic - numeric|`.
    pub worst_abs: f64,
    /// The relative error of the whole matrix,
    /// `|analytic - numeric| / max(|analytic|, |numeric|)` with `|.|` the
    /// Euclidean (Frobenius) norm; 0 if both are zero.
    pub rel: f64,
    /// The norm of the analytic gradient.
    pub norm: f64,
}

// ANCHOR: gradient_check
/// Compares every entry of the hand-derived gradient of the mean loss
/// over `data` with the central difference
/// `(L(w + h) - L(w - h)) / (2h)`, `h` = [`H`].
///
/// # Shapes
/// - one [`Comparison`] per matrix of `params`
///
/// # Errors
/// As [`loss_and_grads`].
pub fn gradient_check(
    params: &Params,
    data: &[Example],
) -> Result<Vec<Comparison>> {
    let (_, grads) = loss_and_grads(params, data)?;
    let mut out = Vec::new();
    for (index, (name, g)) in grads.named().into_iter().enumerate() {
        let mut cmp = Comparison {
            name,
            entries: g.len(),
            worst_abs: 0.0,
            rel: 0.0,
            norm: 0.0,
        };
        let mut numerics = g.clone();
        for (pos, &analytic) in g.indexed_iter() {
            let mut nudged = params.clone();
            let at = |p: &mut Params, by: f64| {
                p.tensors_mut()[index][pos] += by;
            };
            at(&mut nudged, H);
            let up = loss(&nudged, data)?;
            at(&mut nudged, -2.0 * H);
            let down = loss(&nudged, data)?;
            let numeric = (up - down) / (2.0 * H);
            numerics[pos] = numeric;
            cmp.worst_abs = cmp.worst_abs.max((analytic - numeric).abs());
        }
        let norm =
            |m: &Array2<f64>| m.iter().map(|x| x * x).sum::<f64>().sqrt();
        cmp.norm = norm(g);
        let size = norm(g).max(norm(&numerics));
        if size > 0.0 {
            cmp.rel = norm(&(g - &numerics)) / size;
        }
        out.push(cmp);
    }
    Ok(out)
}
// ANCHOR_END: gradient_check
