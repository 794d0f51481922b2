//! One attention step over the same tokens, and its exact sensitivity.
//!
//! The last token asks one question of every token at once: chapter 3's
//! `attend` with the embeddings as queries, keys and values, scaled by
//! `1 / sqrt(d_in)`. Token `j` reaches the output `z_T` in one step,
//! however far back it sits.

use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::{Attended, Scale, attend};
use ndarray::{Array2, ArrayView2};

/// The last token's attention step: `z_T = softmax(x_T X^T / sqrt(d_in)) X`.
///
/// # Shapes
/// - `x`: `(T, d_in)` -> weights `(T,)` and output `(d_in,)`
///
/// # Errors
/// An empty or non-finite `x`.
pub fn last_token_step(x: ArrayView2<f64>) -> Result<Attended> {
    check::usable("x", &x)?;
    attend(x.row(x.nrows() - 1), x, x, Scale::InvSqrtDk)
}

// ANCHOR: jacobian
/// The exact Jacobian of `z_T` with respect to an earlier token `j`
/// (counted from 0, `j < T - 1`). Entry `[k, i]` is `d z_T[i] / d x_j[k]`.
///
/// Token `j` enters `z_T` as a value, with weight `w_j`, and as a key,
/// through its score `c x_T . x_j` with `c = 1 / sqrt(d_in)`. The chain
/// rule through the softmax gives
/// `J[k, i] = w_j (delta_ki + c x_T[k] (x_j[i] - z_T[i]))`:
/// one step, whatever the distance from `j` to `T`.
///
/// # Shapes
/// - `x`: `(T, d_in)` -> `(d_in, d_in)`
///
/// # Errors
/// An empty or non-finite `x`, or `j` not before the last token.
pub fn token_jacobian(x: ArrayView2<f64>, j: usize) -> Result<Array2<f64>> {
    let step = last_token_step(x)?;
    let t = x.nrows();
    ensure!(
        j + 1 < t,
        "token {j} must come before the last token of `x` with shape {}",
        check::shape(&x)
    );
    let c = Scale::InvSqrtDk.factor(x.ncols());
    let w_j = step.weights[j];
    let x_t = x.row(t - 1);
    let x_j = x.row(j);
    Ok(Array2::from_shape_fn((x.ncols(), x.ncols()), |(k, i)| {
        let delta = if k == i { 1.0 } else { 0.0 };
        w_j * (delta + c * x_t[k] * (x_j[i] - step.output[i]))
    }))
}
// ANCHOR_END: jacobian

/// The same Jacobian by central finite differences with step `step`.
///
/// # Shapes
/// - `x`: `(T, d_in)` -> `(d_in, d_in)`
///
/// # Errors
/// As [`token_jacobian`].
pub fn token_jacobian_numeric(
    x: ArrayView2<f64>,
    j: usize,
    step: f64,
) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    ensure!(
        j + 1 < x.nrows(),
        "token {j} must come before the last token of `x` with shape {}",
        check::shape(&x)
    );
    let d = x.ncols();
    let mut g = Array2::zeros((d, d));
    for k in 0..d {
        let mut up = x.to_owned();
        up[[j, k]] += step;
        let mut down = x.to_owned();
        down[[j, k]] -= step;
        let diff = last_token_step(up.view())?.output
            - last_token_step(down.view())?.output;
        g.row_mut(k).assign(&(diff / (2.0 * step)));
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;

    #[test]
    fn exact_agrees_with_finite_differences() {
        let x = SplitMix64::new(5).normal_matrix(9, 4);
        for j in [0, 4, 7] {
            let exact = token_jacobian(x.view(), j).unwrap();
            let numeric = token_jacobian_numeric(x.view(), j, 1e-6).unwrap();
            let worst = (&exact - &numeric)
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(worst < 1e-8, "token {j}: {worst}");
        }
    }

    #[test]
    fn the_last_token_is_refused() {
        let x = SplitMix64::new(5).normal_matrix(3, 2);
        let err = token_jacobian(x.view(), 2).unwrap_err().to_string();
        assert!(err.contains("(3, 2)"), "{err}");
    }
}
