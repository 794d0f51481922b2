//! Example 3's fixed projection matrices, stored once as the source of
//! truth.

use ndarray::{Array2, array};

// ANCHOR: journey_projections
/// The fixed `W_q`, `W_k` and `W_v` used with example 3, "Your journey
/// starts with one step".
///
/// Row `r` of each matrix belongs to input feature `r`; column `c` builds
/// output feature `c`. They stand in for weights a trained model would
/// have learned; with them, every number in chapter 5 can be compared one
/// for one with the common PyTorch walk-through of this sentence.
///
/// # Shapes
/// - returns `(W_q, W_k, W_v)`, each `(d_in, d_out) = (3, 2)`
pub fn journey_projections() -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let w_q = array![[0.2961, 0.5166], [0.2517, 0.6886], [0.0740, 0.8665]];
    let w_k = array![[0.1366, 0.1025], [0.1841, 0.7264], [0.3153, 0.6871]];
    let w_v = array![[0.0756, 0.1966], [0.3164, 0.4017], [0.1186, 0.8274]];
    (w_q, w_k, w_v)
}
// ANCHOR_END: journey_projections

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_projection_maps_three_features_to_two() {
        let (w_q, w_k, w_v) = journey_projections();
        for w in [w_q, w_k, w_v] {
            assert_eq!(w.dim(), (3, 2));
        }
    }
}
