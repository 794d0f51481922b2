//! Properties that hold for every input, not just the chapter's: rollout
//! keeps rows summing to 1, a sparse twin keeps the output, and the
//! effective number of keys stays between 1 and `T_k`.

use ch11_seeing_attention::rollout::rollout;
use ch11_seeing_attention::twins::sparse_twin;
use ch11_seeing_attention::weights::effective_keys;
use ndarray::{Array1, Array2, Array3, Axis};
use proptest::prelude::*;

/// Rows of a softmax of `scores`, `(rows, cols)`.
fn softmax_rows(scores: &[f64], rows: usize, cols: usize) -> Array2<f64> {
    let mut w = Array2::from_shape_vec((rows, cols), scores.to_vec())
        .expect("the strategy makes rows * cols scores");
    for mut row in w.rows_mut() {
        let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rollout_rows_sum_to_one(
        (l, t, scores) in (1usize..4, 1usize..7).prop_flat_map(|(l, t)| {
            (Just(l), Just(t), prop::collection::vec(-4.0..4.0, l * t * t))
        })
    ) {
        let mut layers = Array3::zeros((l, t, t));
        for (k, mut layer) in layers.axis_iter_mut(Axis(0)).enumerate() {
            let chunk = &scores[k * t * t..(k + 1) * t * t];
            layer.assign(&softmax_rows(chunk, t, t));
        }
        let r = rollout(layers.view()).unwrap();
        for row in r.rows() {
            prop_assert!((row.sum() - 1.0).abs() < 1e-12);
            prop_assert!(row.iter().all(|&x| x >= 0.0));
        }
    }

    #[test]
    fn a_sparse_twin_keeps_the_output_with_few_keys(
        (t, d_v, scores, values) in (1usize..10, 1usize..4)
            .prop_flat_map(|(t, d_v)| {
                (
                    Just(t),
                    Just(d_v),
                    prop::collection::vec(-3.0..3.0, t),
                    prop::collection::vec(-2.0..2.0, t * d_v),
                )
            })
    ) {
        let w = softmax_rows(&scores, 1, t).row(0).to_owned();
        let v = Array2::from_shape_vec((t, d_v), values).unwrap();
        let u: Array1<f64> = sparse_twin(w.view(), v.view()).unwrap();
        prop_assert!(u.iter().all(|&x| x >= 0.0));
        prop_assert!((u.sum() - 1.0).abs() < 1e-9);
        let gap = (&u.dot(&v) - &w.dot(&v))
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        prop_assert!(gap < 1e-9, "gap {}", gap);
        prop_assert!(u.iter().filter(|&&x| x > 0.0).count() <= d_v + 1);
    }

    #[test]
    fn effective_keys_lie_between_one_and_the_number_of_keys(
        (rows, cols, scores) in (1usize..5, 1usize..9)
            .prop_flat_map(|(r, c)| {
                (Just(r), Just(c), prop::collection::vec(-5.0..5.0, r * c))
            })
    ) {
        let w = softmax_rows(&scores, rows, cols);
        for e in effective_keys(w.view()).unwrap() {
            prop_assert!(e >= 1.0 - 1e-12 && e <= cols as f64 + 1e-12);
        }
    }
}
