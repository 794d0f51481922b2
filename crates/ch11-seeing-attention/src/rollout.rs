//! Attention rollout (Abnar and Zuidema, 2020): following attention
//! through a stack of layers, residual connection included.

use crate::weights::check_rows;
use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array2, ArrayView3, Axis};

// ANCHOR: rollout
/// Rolls attention out through a stack of layers.
///
/// Each layer adds its attention output to its input (the residual
/// connection), so a token's new state is half "itself" and half "what
/// it read": layer `l`'s map becomes `0.5 I + 0.5 A_l`. Multiplying
/// those maps from the first layer up says how much of each input token
/// flows into each position at the top.
///
/// # Shapes
/// - `layers`: `(L, T, T)`, layer 1 first -> `(T, T)`
///
/// # Errors
/// No layers, maps that are not square, or rows that are not
/// distributions; the error names the shape.
pub fn rollout(layers: ArrayView3<f64>) -> Result<Array2<f64>> {
    let (l, t, t2) = layers.dim();
    if l == 0 || t == 0 || t != t2 {
        bail!(
            "`layers` with shape {} must hold at least one square (T, T) \
             map",
            check::shape(&layers)
        );
    }
    let identity = Array2::<f64>::eye(t);
    let mut flow = identity.clone();
    for a in layers.axis_iter(Axis(0)) {
        check_rows("a layer's weights", a)?;
        let with_residual = 0.5 * &identity + 0.5 * &a;
        flow = with_residual.dot(&flow); // (T, T) x (T, T) -> (T, T)
    }
    Ok(flow)
}
// ANCHOR_END: rollout

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, array};

    #[test]
    fn one_uniform_layer_keeps_half_on_the_token_itself() {
        let layers = Array3::from_elem((1, 2, 2), 0.5);
        let r = rollout(layers.view()).unwrap();
        assert_eq!(r, array![[0.75, 0.25], [0.25, 0.75]]);
    }

    #[test]
    fn rejects_maps_that_are_not_square() {
        let layers = Array3::from_elem((2, 3, 4), 0.25);
        let err = rollout(layers.view()).unwrap_err().to_string();
        assert!(err.contains("(2, 3, 4)"), "{err}");
    }
}
