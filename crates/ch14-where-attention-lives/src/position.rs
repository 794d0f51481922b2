//! Position: sinusoidal encodings added to the embeddings, and rotary
//! embeddings (RoPE) that turn queries and keys by an angle that grows
//! with the position.

use anyhow::{Result, ensure};
use attn_common::check;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// The base of both encodings' wavelengths, as in the transformer paper
/// and in RoFormer.
pub const BASE: f64 = 10_000.0;

// ANCHOR: sinusoidal
/// The sinusoidal position encodings of positions `0..t`.
///
/// Column `c` belongs to the pair `i = c / 2` and has the frequency
/// `1 / BASE^(2i / d_model)`: even columns hold the sine of
/// `position * frequency`, odd columns its cosine. The first pair turns
/// fastest (one radian per position), the last one slowest.
///
/// # Shapes
/// - returns `(t, d_model)`: row `p` is the encoding of position `p`
///
/// # Errors
/// `t == 0` or `d_model == 0`.
pub fn sinusoidal(t: usize, d_model: usize) -> Result<Array2<f64>> {
    ensure!(
        t > 0 && d_model > 0,
        "position encodings need t >= 1 and d_model >= 1, got shape \
         ({t}, {d_model})"
    );
    Ok(Array2::from_shape_fn((t, d_model), |(p, c)| {
        let i = (c / 2) as f64;
        let frequency = BASE.powf(-2.0 * i / d_model as f64);
        let angle = p as f64 * frequency;
        if c % 2 == 0 { angle.sin() } else { angle.cos() }
    }))
}
// ANCHOR_END: sinusoidal

/// The embeddings with their positions' encodings added: `X + PE`.
///
/// # Shapes
/// - `x`: `(T, d_model)` -> `(T, d_model)`
///
/// # Errors
/// An empty or non-finite `x`.
pub fn with_positions(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    let pe = sinusoidal(x.nrows(), x.ncols())?;
    Ok(&x + &pe) // (T, d_model) + (T, d_model) -> (T, d_model)
}

// ANCHOR: rope
/// Rotary position embedding: the vector `x` of a token at `position`,
/// turned pair by pair.
///
/// The pair `(x[2i], x[2i+1])` is rotated by the angle
/// `position * theta_i`, with `theta_i = 1 / BASE^(2i / d)`. A rotation
/// keeps the vector's length; only its direction carries the position.
///
/// # Shapes
/// - `x`: `(d,)` with `d` even -> `(d,)`
///
/// # Errors
/// An empty, non-finite or odd-width `x` (the error names its shape).
pub fn rope(x: ArrayView1<f64>, position: usize) -> Result<Array1<f64>> {
    check::usable("x", &x)?;
    let d = x.len();
    ensure!(
        d.is_multiple_of(2),
        "RoPE turns pairs of features, so `x` needs an even width, but it \
         has shape {}",
        check::shape(&x)
    );
    let mut out = Array1::zeros(d);
    for i in 0..d / 2 {
        let theta = BASE.powf(-2.0 * i as f64 / d as f64);
        let (sin, cos) = (position as f64 * theta).sin_cos();
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        out[2 * i] = a * cos - b * sin;
        out[2 * i + 1] = a * sin + b * cos;
    }
    Ok(out)
}
// ANCHOR_END: rope

// ANCHOR: rope_score
/// The score of a query at position `m` against a key at position `n`,
/// both rotated by [`rope`]: `rope(q, m) . rope(k, n)`.
///
/// Turning `q` by `m * theta` and `k` by `n * theta` leaves the angle
/// between them changed by `(n - m) * theta` only, so the score depends
/// on the offset `n - m`, never on `m` and `n` themselves.
///
/// # Shapes
/// - `q`, `k`: `(d,)`, the same even width -> a number
///
/// # Errors
/// As [`rope`], or widths that differ (the error names both shapes).
pub fn rope_score(
    q: ArrayView1<f64>,
    m: usize,
    k: ArrayView1<f64>,
    n: usize,
) -> Result<f64> {
    check::usable("q", &q)?;
    check::usable("k", &k)?;
    check::same_len(
        "the widths of the query and the key",
        ("q", q.len(), &check::shape(&q)),
        ("k", k.len(), &check::shape(&k)),
    )?;
    Ok(rope(q, m)?.dot(&rope(k, n)?)) // (d,) . (d,) -> number
}
// ANCHOR_END: rope_score

/// Every row of `x` rotated by [`rope`] at its own position.
///
/// # Shapes
/// - `x`: `(T, d)` with `d` even -> `(T, d)`
///
/// # Errors
/// As [`rope`].
pub fn rope_rows(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    let mut out = Array2::zeros(x.dim());
    for (p, row) in x.rows().into_iter().enumerate() {
        out.row_mut(p).assign(&rope(row, p)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn position_zero_is_sin_0_cos_0() {
        let pe = sinusoidal(3, 4).unwrap();
        assert_eq!(pe.row(0).to_vec(), vec![0.0, 1.0, 0.0, 1.0]);
        // Python: sin(1) = 0.8414709848, cos(1) = 0.5403023059,
        // 10000 ** -0.5 = 0.01, sin(0.01) = 0.0099998333.
        assert!((pe[[1, 0]] - 0.841_470_984_8).abs() < 1e-10);
        assert!((pe[[1, 1]] - 0.540_302_305_9).abs() < 1e-10);
        assert!((pe[[1, 2]] - 0.009_999_833_3).abs() < 1e-10);
    }

    #[test]
    fn rope_at_position_zero_changes_nothing() {
        let x = array![1.0, 2.0, 3.0, 4.0];
        assert_eq!(rope(x.view(), 0).unwrap(), x);
    }

    #[test]
    fn rope_turns_the_first_pair_by_one_radian_per_position() {
        // [1, 0] turned by 1 radian: [cos 1, sin 1].
        let out = rope(array![1.0, 0.0].view(), 1).unwrap();
        assert!((out[0] - 1f64.cos()).abs() < 1e-15);
        assert!((out[1] - 1f64.sin()).abs() < 1e-15);
    }

    #[test]
    fn bad_inputs_name_their_shapes() {
        let err = rope(array![1.0, 2.0, 3.0].view(), 2).unwrap_err();
        assert!(err.to_string().contains("(3,)"), "{err}");
        let err = rope_score(
            array![1.0, 2.0].view(),
            0,
            array![1.0, 2.0, 3.0, 4.0].view(),
            1,
        )
        .unwrap_err();
        assert!(err.to_string().contains("(2,)"), "{err}");
        assert!(err.to_string().contains("(4,)"), "{err}");
        assert!(sinusoidal(0, 4).is_err());
        assert!(with_positions(Array2::zeros((0, 3)).view()).is_err());
    }
}
