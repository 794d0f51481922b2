//! Two different weight maps, one output: why a heatmap alone is not an
//! explanation.
//!
//! An output `w V` only sees the weights through the values. When the
//! `T` value vectors span a space of fewer than `T - 1` dimensions, some
//! directions `d` change the weights without changing the output:
//! `d V = 0` and `sum d = 0`. Moving along one until a weight reaches
//! zero drops a key (Caratheodory's theorem says `d_v + 1` keys are
//! always enough).

use anyhow::{Result, bail};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Below this a weight or a pivot counts as zero.
const ZERO: f64 = 1e-12;

// ANCHOR: null_direction
/// A direction `d` over the keys in `support` that moves no output:
/// `sum_j d_j v_j = 0` and `sum_j d_j = 0`, or `None` if only `d = 0`
/// does. Gaussian elimination on the `(d_v + 1, n)` matrix whose
/// columns are the chosen values with a 1 below each.
///
/// # Shapes
/// - `values`: `(T, d_v)`; `support`: `n` key indices -> `(n,)`
pub fn null_direction(
    values: ArrayView2<f64>,
    support: &[usize],
) -> Option<Array1<f64>> {
    let (rows, n) = (values.ncols() + 1, support.len());
    // Column c is (v_{support[c]}, 1).
    let mut m = Array2::from_shape_fn((rows, n), |(r, c)| {
        if r < rows - 1 {
            values[[support[c], r]]
        } else {
            1.0
        }
    });
    let mut pivots = Vec::new(); // (row, column) of each pivot
    let mut free = None;
    for c in 0..n {
        let r = pivots.len();
        let best = (r..rows)
            .max_by(|&a, &b| m[[a, c]].abs().total_cmp(&m[[b, c]].abs()));
        match best {
            Some(p) if m[[p, c]].abs() > ZERO => {
                for k in 0..n {
                    m.swap([r, k], [p, k]);
                }
                let lead = m[[r, c]];
                m.row_mut(r).mapv_inplace(|x| x / lead);
                let pivot_row = m.row(r).to_owned();
                for other in (0..rows).filter(|&o| o != r) {
                    let f = m[[other, c]];
                    m.row_mut(other).scaled_add(-f, &pivot_row);
                }
                pivots.push((r, c));
            }
            _ => {
                free = Some(c);
                break;
            }
        }
    }
    let f = free?;
    let mut d = Array1::zeros(n);
    d[f] = 1.0;
    for &(r, c) in &pivots {
        d[c] = -m[[r, f]];
    }
    Some(d)
}
// ANCHOR_END: null_direction

/// A weight row with at most `d_v + 1` non-zero weights that gives the
/// same output `w V` as `w`.
///
/// While more keys carry weight than the values have dimensions plus
/// one, it finds a [`null_direction`] over them, turns it so that the
/// currently largest weight shrinks, and moves until one weight reaches
/// zero.
///
/// # Shapes
/// - `w`: `(T,)`, `values`: `(T, d_v)` -> `(T,)`
///
/// # Errors
/// Empty or non-finite inputs, a `w` that is not a distribution, or
/// lengths that disagree; the error names the shapes.
pub fn sparse_twin(
    w: ArrayView1<f64>,
    values: ArrayView2<f64>,
) -> Result<Array1<f64>> {
    check::usable("values", &values)?;
    check::same_len(
        "the number of weights and of values",
        ("w", w.len(), &check::shape(&w)),
        ("values", values.nrows(), &check::shape(&values)),
    )?;
    crate::weights::check_rows("w", w.insert_axis(Axis(0)))?;
    let mut twin = w.to_owned();
    loop {
        let support: Vec<usize> =
            (0..twin.len()).filter(|&j| twin[j] > ZERO).collect();
        let Some(mut d) = null_direction(values, &support) else {
            break;
        };
        let top = (0..support.len())
            .max_by(|&a, &b| twin[support[a]].total_cmp(&twin[support[b]]))
            .unwrap_or(0);
        if d[top] < 0.0 {
            d.mapv_inplace(|x| -x);
        }
        // Move by -step * d: the first weight with d > 0 to reach 0 stops.
        let Some((stop, step)) = (0..support.len())
            .filter(|&c| d[c] > ZERO)
            .map(|c| (c, twin[support[c]] / d[c]))
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            bail!("no null direction shrinks a weight; this cannot happen");
        };
        for (c, &j) in support.iter().enumerate() {
            twin[j] = (twin[j] - step * d[c]).max(0.0);
        }
        twin[support[stop]] = 0.0;
    }
    Ok(twin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_twin_gives_the_same_output_with_fewer_keys() {
        let values = array![[1.0], [2.0], [3.0], [4.0]];
        let w = array![0.25, 0.25, 0.25, 0.25];
        let twin = sparse_twin(w.view(), values.view()).unwrap();
        let kept = twin.iter().filter(|&&x| x > 0.0).count();
        assert!(kept <= 2, "{twin}");
        assert!((twin.sum() - 1.0).abs() < 1e-12);
        let gap = (twin.dot(&values) - w.dot(&values))[0].abs();
        assert!(gap < 1e-12, "{gap}");
    }

    #[test]
    fn lengths_must_agree() {
        let err = sparse_twin(array![0.5, 0.5].view(), array![[1.0]].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("(2,)") && err.contains("(1, 1)"), "{err}");
    }
}
