//! Masks: which keys each query is allowed to see.

use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array2, ArrayView2, Zip};

// ANCHOR: causal_mask
/// The causal mask: query `i` may see key `j` exactly when `j <= i`.
///
/// Entry `(i, j)` is `true` where the key is allowed. The diagonal is
/// allowed (a token sees itself); everything above it, the future, is not.
///
/// # Shapes
/// - returns `(T, T)`: row = query position, column = key position.
pub fn causal_mask(t: usize) -> Array2<bool> {
    Array2::from_shape_fn((t, t), |(i, j)| j <= i)
}
// ANCHOR_END: causal_mask

/// Fails unless `allowed` has the same shape as `scores`, naming both.
fn check_mask_shape(
    scores: &ArrayView2<f64>,
    allowed: &ArrayView2<bool>,
) -> Result<()> {
    if scores.dim() != allowed.dim() {
        bail!(
            "the mask must match the scores: `scores` has shape {} but \
             `allowed` has shape {}",
            check::shape(scores),
            check::shape(allowed)
        );
    }
    Ok(())
}

// ANCHOR: fill_masked
/// The scores with every entry that is not allowed replaced by `-inf`.
///
/// This is what the softmax sees: `exp(-inf)` is exactly 0, so a hidden
/// key gets weight 0 whatever its score was.
///
/// # Shapes
/// - `scores`: `(T_q, T_k)`, `allowed`: `(T_q, T_k)` -> `(T_q, T_k)`
///
/// # Errors
/// Empty or non-finite scores, or a mask of a different shape.
pub fn fill_masked(
    scores: ArrayView2<f64>,
    allowed: ArrayView2<bool>,
) -> Result<Array2<f64>> {
    check::usable("scores", &scores)?;
    check_mask_shape(&scores, &allowed)?;
    let mut masked = scores.to_owned();
    Zip::from(&mut masked).and(&allowed).for_each(|s, &ok| {
        if !ok {
            *s = f64::NEG_INFINITY;
        }
    });
    Ok(masked)
}
// ANCHOR_END: fill_masked

// ANCHOR: masked_softmax
/// Row softmax over the allowed entries only: `-inf` where not allowed,
/// then the max-subtracted softmax of each row.
///
/// A row in which nothing is allowed has nothing to attend to. Its
/// softmax would be `0 / 0`, so this function defines its weights as all
/// zeros instead: the query then receives the zero vector as its context.
/// The result never holds a NaN.
///
/// # Shapes
/// - `scores`: `(T_q, T_k)`, `allowed`: `(T_q, T_k)`
/// - returns `(T_q, T_k)`: each row sums to 1, or is all zeros when the
///   row of `allowed` is all `false`.
///
/// # Errors
/// Empty or non-finite scores, or a mask whose shape differs from the
/// scores' (the error names both shapes).
pub fn masked_softmax(
    scores: ArrayView2<f64>,
    allowed: ArrayView2<bool>,
) -> Result<Array2<f64>> {
    let mut weights = fill_masked(scores, allowed)?;
    for mut row in weights.rows_mut() {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        if max == f64::NEG_INFINITY {
            // Nothing to attend to: define the weights as zero, not 0 / 0.
            row.fill(0.0);
            continue;
        }
        row.mapv_inplace(|x| (x - max).exp()); // exp(-inf) = 0 exactly
        let total = row.sum(); // at least 1: the max contributes exp(0)
        row /= total;
    }
    Ok(weights)
}
// ANCHOR_END: masked_softmax

// ANCHOR: zero_and_renormalise
/// The other road to causal weights: take the ordinary softmax weights,
/// zero the ones that are not allowed, and divide each row by what is
/// left of its sum.
///
/// It gives the same weights as [`masked_softmax`] (a property test checks
/// this), but it computes exponentials only to throw them away.
///
/// # Shapes
/// - `weights`: `(T_q, T_k)`, `allowed`: `(T_q, T_k)` -> `(T_q, T_k)`
///
/// # Errors
/// Empty or non-finite weights, or a mask of a different shape. A row
/// with nothing allowed becomes all zeros, as in [`masked_softmax`].
pub fn zero_and_renormalise(
    weights: ArrayView2<f64>,
    allowed: ArrayView2<bool>,
) -> Result<Array2<f64>> {
    check::usable("weights", &weights)?;
    check_mask_shape(&weights, &allowed)?;
    let mut out = weights.to_owned();
    Zip::from(&mut out).and(&allowed).for_each(|w, &ok| {
        if !ok {
            *w = 0.0;
        }
    });
    for mut row in out.rows_mut() {
        let kept = row.sum();
        if kept > 0.0 {
            row /= kept;
        }
    }
    Ok(out)
}
// ANCHOR_END: zero_and_renormalise

/// The entries allowed by both masks: `a AND b`.
///
/// # Shapes
/// - `a`: `(T_q, T_k)`, `b`: `(T_q, T_k)` -> `(T_q, T_k)`
///
/// # Errors
/// Masks of different shapes; the error names both.
pub fn both(a: ArrayView2<bool>, b: ArrayView2<bool>) -> Result<Array2<bool>> {
    if a.dim() != b.dim() {
        bail!(
            "masks must have the same shape to be combined: `a` has shape \
             {} but `b` has shape {}",
            check::shape(&a),
            check::shape(&b)
        );
    }
    Ok(Zip::from(&a).and(&b).map_collect(|&x, &y| x && y))
}

/// A mask as numbers, 1.0 where allowed and 0.0 where hidden, for printing
/// and plotting.
///
/// # Shapes
/// - `allowed`: `(T_q, T_k)` -> `(T_q, T_k)`
pub fn as_numbers(allowed: ArrayView2<bool>) -> Array2<f64> {
    allowed.mapv(|ok| if ok { 1.0 } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;
    use ch03_queries_keys_values::softmax::softmax_rows;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn causal_mask_of_three_is_lower_triangular() {
        let expected = array![
            [true, false, false],
            [true, true, false],
            [true, true, true]
        ];
        assert_eq!(causal_mask(3), expected);
        assert_eq!(causal_mask(0).dim(), (0, 0));
    }

    #[test]
    fn first_query_puts_all_its_weight_on_itself() {
        // Row 0 allows only key 0: exp(0) / exp(0) = 1, whatever the score.
        let scores = array![[5.0, 9.0], [1.0, 1.0]];
        let w = masked_softmax(scores.view(), causal_mask(2).view()).unwrap();
        assert_eq!(w, array![[1.0, 0.0], [0.5, 0.5]]);
    }

    #[test]
    fn a_row_with_nothing_allowed_gets_zero_weights_not_nan() {
        let scores = array![[1.0, 2.0], [3.0, 4.0]];
        let allowed = array![[false, false], [true, false]];
        let w = masked_softmax(scores.view(), allowed.view()).unwrap();
        assert_eq!(w, array![[0.0, 0.0], [1.0, 0.0]]);
        let z = zero_and_renormalise(w.view(), allowed.view()).unwrap();
        assert_eq!(z, w);
    }

    #[test]
    fn masked_entries_become_minus_infinity() {
        let scores = array![[1.0, 2.0]];
        let allowed = array![[true, false]];
        let m = fill_masked(scores.view(), allowed.view()).unwrap();
        assert_eq!(m, array![[1.0, f64::NEG_INFINITY]]);
    }

    #[test]
    fn a_mask_of_the_wrong_shape_names_both_shapes() {
        let scores = Array2::<f64>::zeros((3, 3));
        let err = masked_softmax(scores.view(), causal_mask(4).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`scores` has shape (3, 3)"), "{err}");
        assert!(err.contains("`allowed` has shape (4, 4)"), "{err}");
        let err = zero_and_renormalise(scores.view(), causal_mask(2).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`allowed` has shape (2, 2)"), "{err}");
    }

    #[test]
    fn empty_scores_are_an_error() {
        let scores = Array2::<f64>::zeros((0, 0));
        let err = masked_softmax(scores.view(), causal_mask(0).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`scores` with shape (0, 0) is empty"), "{err}");
    }

    #[test]
    fn non_finite_scores_are_an_error() {
        let scores = array![[0.0, f64::NAN], [1.0, 2.0]];
        let err = masked_softmax(scores.view(), causal_mask(2).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("NaN at (0, 1)"), "{err}");
    }

    #[test]
    fn combining_masks_of_different_shapes_names_both() {
        let err = both(causal_mask(2).view(), causal_mask(3).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`a` has shape (2, 2)"), "{err}");
        assert!(err.contains("`b` has shape (3, 3)"), "{err}");
    }

    /// A random mask in which roughly `density` of the entries are allowed.
    fn random_mask(
        rows: usize,
        cols: usize,
        density: f64,
        rng: &mut SplitMix64,
    ) -> Array2<bool> {
        Array2::from_shape_simple_fn((rows, cols), || rng.uniform() < density)
    }

    proptest! {
        #[test]
        fn masking_before_equals_zeroing_and_renormalising_after(
            t in 1usize..10, seed in any::<u64>(), spread in 0.1f64..20.0,
        ) {
            let mut rng = SplitMix64::new(seed);
            let scores = rng.uniform_matrix(t, t, -spread, spread);
            let allowed = causal_mask(t);
            let before = masked_softmax(scores.view(), allowed.view()).unwrap();
            let plain = softmax_rows(scores.view()).unwrap();
            let after =
                zero_and_renormalise(plain.view(), allowed.view()).unwrap();
            for (a, b) in before.iter().zip(&after) {
                prop_assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }

        #[test]
        fn the_two_roads_agree_for_any_mask_and_shape(
            rows in 1usize..8, cols in 1usize..8, density in 0.0f64..1.0,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let scores = rng.uniform_matrix(rows, cols, -10.0, 10.0);
            let allowed = random_mask(rows, cols, density, &mut rng);
            let before = masked_softmax(scores.view(), allowed.view()).unwrap();
            let plain = softmax_rows(scores.view()).unwrap();
            let after =
                zero_and_renormalise(plain.view(), allowed.view()).unwrap();
            for (a, b) in before.iter().zip(&after) {
                prop_assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }

        #[test]
        fn any_mask_gives_rows_that_sum_to_one_or_are_zero(
            rows in 1usize..8, cols in 1usize..8, density in 0.0f64..1.0,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let scores = rng.uniform_matrix(rows, cols, -50.0, 50.0);
            let allowed = random_mask(rows, cols, density, &mut rng);
            let w = masked_softmax(scores.view(), allowed.view()).unwrap();
            for (row, ok) in w.rows().into_iter().zip(allowed.rows()) {
                prop_assert!(row.iter().all(|x| x.is_finite() && *x >= 0.0));
                for (x, a) in row.iter().zip(ok) {
                    if !a {
                        prop_assert_eq!(*x, 0.0);
                    }
                }
                if ok.iter().any(|&a| a) {
                    prop_assert!((row.sum() - 1.0).abs() < 1e-12);
                } else {
                    prop_assert!(row.iter().all(|&x| x == 0.0));
                }
            }
        }

        #[test]
        fn a_mask_that_allows_everything_is_the_plain_softmax(
            rows in 1usize..8, cols in 1usize..8, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let scores = rng.normal_matrix(rows, cols);
            let all = Array2::from_elem((rows, cols), true);
            let masked = masked_softmax(scores.view(), all.view()).unwrap();
            prop_assert_eq!(masked, softmax_rows(scores.view()).unwrap());
        }
    }
}
