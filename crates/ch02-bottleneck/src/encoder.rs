//! A small recurrent encoder and its exact sensitivity to one token.
//!
//! The encoder reads a sentence one token at a time and keeps one state
//! vector: `h_t = tanh(h_{t-1} W_h + x_t W_x)`, starting from `h_0 = 0`.
//! Its final state `h_T` is all a decoder would get to see.

use anyhow::{Result, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The squashing function applied to each new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `tanh`, the classic choice: its slope `1 - h^2` is at most 1.
    Tanh,
    /// No squashing at all: what tanh looks like while states are small.
    Identity,
}

impl Activation {
    fn apply(self, a: f64) -> f64 {
        match self {
            Activation::Tanh => a.tanh(),
            Activation::Identity => a,
        }
    }

    /// The slope at the output `h`: `1 - h^2` for tanh, 1 for identity.
    fn slope(self, h: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - h * h,
            Activation::Identity => 1.0,
        }
    }
}

/// A recurrent encoder without bias: `h_t = f(h_{t-1} W_h + x_t W_x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrentEncoder {
    /// Input weights, shape `(d_in, d_h)`.
    pub w_x: Array2<f64>,
    /// Recurrent weights, shape `(d_h, d_h)`.
    pub w_h: Array2<f64>,
    /// `f`: tanh unless [`RecurrentEncoder::linear`] asked otherwise.
    pub activation: Activation,
}

/// An orthogonal `(n, n)` matrix: Gram-Schmidt on seeded normal rows.
///
/// Its rows are orthonormal, so `Q Q^T = Q^T Q = I` and every eigenvalue
/// and singular value has size 1.
///
/// # Shapes
/// - returns `(n, n)`
///
/// # Errors
/// `n = 0`.
pub fn orthogonal(n: usize, rng: &mut SplitMix64) -> Result<Array2<f64>> {
    ensure!(n > 0, "an orthogonal matrix needs at least one row, got 0");
    let mut q = rng.normal_matrix(n, n);
    for i in 0..n {
        for j in 0..i {
            let overlap = q.row(i).dot(&q.row(j));
            let earlier = q.row(j).to_owned();
            q.row_mut(i).scaled_add(-overlap, &earlier);
        }
        let norm = q.row(i).dot(&q.row(i)).sqrt();
        q.row_mut(i).mapv_inplace(|v| v / norm);
    }
    Ok(q)
}

/// The largest singular value of `w` by power iteration on `W^T W`.
///
/// The spectral radius (largest eigenvalue size) is never larger; for a
/// scaled orthogonal matrix `r Q` the two are equal, both exactly `r`.
///
/// # Shapes
/// - `w`: `(m, n)`
///
/// # Errors
/// An empty or non-finite `w`.
pub fn spectral_norm(w: ArrayView2<f64>, iterations: usize) -> Result<f64> {
    check::usable("w", &w)?;
    let mut v = Array1::from_elem(w.ncols(), 1.0 / (w.ncols() as f64).sqrt());
    for _ in 0..iterations {
        let wv = w.dot(&v); // (m, n) x (n,) -> (m,)
        let next = w.t().dot(&wv); // (n, m) x (m,) -> (n,)
        let norm = next.dot(&next).sqrt();
        if norm == 0.0 {
            return Ok(0.0);
        }
        v = next / norm;
    }
    let wv = w.dot(&v); // (m, n) x (n,) -> (m,)
    Ok(wv.dot(&wv).sqrt())
}

/// The Frobenius norm: the square root of the sum of squared entries.
///
/// # Shapes
/// - `m`: any `(rows, cols)`
pub fn frobenius(m: ArrayView2<f64>) -> f64 {
    m.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Fails unless `w_h` is square and `w_x` is as wide as it: the shapes a
/// recurrent encoder's weights must have.
///
/// # Shapes
/// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`
pub fn weight_shapes(w_x: ArrayView2<f64>, w_h: ArrayView2<f64>) -> Result<()> {
    ensure!(
        w_h.nrows() == w_h.ncols(),
        "`w_h` must be square, (d_h, d_h), but has shape {}",
        check::shape(&w_h)
    );
    check::same_len(
        "the width of `w_x` and of `w_h` (d_h)",
        ("w_x", w_x.ncols(), &check::shape(&w_x)),
        ("w_h", w_h.nrows(), &check::shape(&w_h)),
    )
}

/// Fails unless each token of `x` has as many features as `w_x` has rows.
///
/// # Shapes
/// - `w_x`: `(d_in, d_h)`, `x`: `(T, d_in)`
pub fn input_width(w_x: ArrayView2<f64>, x: ArrayView2<f64>) -> Result<()> {
    check::same_len(
        "the width of `x` and the rows of `w_x` (d_in)",
        ("x", x.ncols(), &check::shape(&x)),
        ("w_x", w_x.nrows(), &check::shape(&w_x)),
    )
}

impl RecurrentEncoder {
    /// An encoder from given weights.
    ///
    /// # Shapes
    /// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`
    ///
    /// # Errors
    /// Empty or non-finite weights, a `w_h` that is not square, or a `w_x`
    /// whose width is not `d_h`; the error names the shapes.
    pub fn new(w_x: Array2<f64>, w_h: Array2<f64>) -> Result<Self> {
        check::usable("w_x", &w_x)?;
        check::usable("w_h", &w_h)?;
        weight_shapes(w_x.view(), w_h.view())?;
        Ok(Self {
            w_x,
            w_h,
            activation: Activation::Tanh,
        })
    }

    // ANCHOR: seeded
    /// A seeded encoder whose recurrent matrix has spectral radius exactly
    /// `radius`: `W_h = radius * Q` with `Q` orthogonal, and
    /// `W_x = N(0, 1) / sqrt(d_in)` entries.
    ///
    /// # Shapes
    /// - `w_x`: `(d_in, d_h)`, `w_h`: `(d_h, d_h)`
    ///
    /// # Errors
    /// A zero width, or a radius that is not a finite positive number.
    pub fn seeded(
        d_in: usize,
        d_h: usize,
        radius: f64,
        seed: u64,
    ) -> Result<Self> {
        ensure!(
            d_in > 0 && d_h > 0,
            "widths must be positive: d_in = {d_in}, d_h = {d_h}"
        );
        ensure!(
            radius.is_finite() && radius > 0.0,
            "the spectral radius must be finite and positive, got {radius}"
        );
        let mut rng = SplitMix64::new(seed);
        let w_x = rng.normal_matrix(d_in, d_h) / (d_in as f64).sqrt();
        let w_h = orthogonal(d_h, &mut rng)? * radius;
        Self::new(w_x, w_h)
    }
    // ANCHOR_END: seeded

    /// The same encoder without the tanh: `h_t = h_{t-1} W_h + x_t W_x`.
    pub fn linear(self) -> Self {
        Self {
            activation: Activation::Identity,
            ..self
        }
    }

    /// `d_in`, the width of a token embedding.
    pub fn d_in(&self) -> usize {
        self.w_x.nrows()
    }

    /// `d_h`, the width of the state.
    pub fn d_h(&self) -> usize {
        self.w_h.nrows()
    }

    fn check_input(&self, x: ArrayView2<f64>) -> Result<()> {
        check::usable("x", &x)?;
        input_width(self.w_x.view(), x)
    }

    // ANCHOR: states
    /// Every state `h_1 .. h_T`, one per row.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)` -> `(T, d_h)`
    ///
    /// # Errors
    /// An empty or non-finite `x`, or one whose width is not `d_in`.
    pub fn states(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        self.check_input(x)?;
        let mut states = Array2::zeros((x.nrows(), self.d_h()));
        let mut h = Array1::zeros(self.d_h()); // h_0 = 0
        for (t, x_t) in x.rows().into_iter().enumerate() {
            // (d_h,) x (d_h, d_h) + (d_in,) x (d_in, d_h) -> (d_h,)
            let a = h.dot(&self.w_h) + x_t.dot(&self.w_x);
            h = a.mapv(|a| self.activation.apply(a));
            states.row_mut(t).assign(&h);
        }
        Ok(states)
    }
    // ANCHOR_END: states

    /// The final state `h_T`: all a plain decoder would see.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)` -> `(d_h,)`
    ///
    /// # Errors
    /// As [`RecurrentEncoder::states`].
    pub fn final_state(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        let states = self.states(x)?;
        Ok(states.row(states.nrows() - 1).to_owned())
    }

    // ANCHOR: jacobian
    /// The exact Jacobian of the final state with respect to token `j`
    /// (counted from 0), by the chain rule. Entry `[k, i]` is
    /// `d h_T[i] / d x_j[k]`.
    ///
    /// `h_j` feels `x_j` through `W_x` and the slope of tanh,
    /// `1 - h_j^2`; every later step multiplies by `W_h` and by the slope
    /// again. So the Jacobian is a product of `T - 1 - j` such factors.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`, `j < T` -> `(d_in, d_h)`
    ///
    /// # Errors
    /// As [`RecurrentEncoder::states`], or `j` outside `0..T`.
    pub fn token_jacobian(
        &self,
        x: ArrayView2<f64>,
        j: usize,
    ) -> Result<Array2<f64>> {
        let states = self.states(x)?;
        ensure!(
            j < x.nrows(),
            "token {j} is out of range for `x` with shape {}",
            check::shape(&x)
        );
        let f = self.activation;
        let slope = |t: usize| states.row(t).mapv(|h| f.slope(h));
        // d h_j / d x_j = W_x diag(slope at h_j): (d_in, d_h)
        let mut g = &self.w_x * &slope(j).insert_axis(Axis(0));
        for t in j + 1..x.nrows() {
            // (d_in, d_h) x (d_h, d_h) -> (d_in, d_h), then each column
            // times the slope of tanh at step t
            g = g.dot(&self.w_h) * &slope(t).insert_axis(Axis(0));
        }
        Ok(g)
    }
    // ANCHOR_END: jacobian

    /// The same Jacobian by central finite differences with step `step`:
    /// nudge each feature of token `j` up and down and watch `h_T`.
    ///
    /// # Shapes
    /// - `x`: `(T, d_in)`, `j < T` -> `(d_in, d_h)`
    ///
    /// # Errors
    /// As [`RecurrentEncoder::token_jacobian`].
    pub fn token_jacobian_numeric(
        &self,
        x: ArrayView2<f64>,
        j: usize,
        step: f64,
    ) -> Result<Array2<f64>> {
        self.check_input(x)?;
        ensure!(
            j < x.nrows(),
            "token {j} is out of range for `x` with shape {}",
            check::shape(&x)
        );
        let mut g = Array2::zeros((self.d_in(), self.d_h()));
        for k in 0..self.d_in() {
            let mut up = x.to_owned();
            up[[j, k]] += step;
            let mut down = x.to_owned();
            down[[j, k]] -= step;
            let diff =
                self.final_state(up.view())? - self.final_state(down.view())?;
            g.row_mut(k).assign(&(diff / (2.0 * step)));
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn orthogonal_rows_are_orthonormal() {
        let q = orthogonal(6, &mut SplitMix64::new(3)).unwrap();
        let eye = q.dot(&q.t());
        for ((i, j), v) in eye.indexed_iter() {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-12, "{i} {j} {v}");
        }
    }

    #[test]
    fn scaled_orthogonal_has_exactly_the_stated_norm() {
        let enc = RecurrentEncoder::seeded(4, 8, 0.8, 1).unwrap();
        let s = spectral_norm(enc.w_h.view(), 20).unwrap();
        assert!((s - 0.8).abs() < 1e-12, "{s}");
    }

    #[test]
    fn one_step_by_hand() {
        // h_1 = tanh(x_1 W_x) = tanh([1, 2] . [[0.5], [0.25]]) = tanh(1)
        let enc = RecurrentEncoder::new(array![[0.5], [0.25]], array![[0.9]])
            .unwrap();
        let h = enc.final_state(array![[1.0, 2.0]].view()).unwrap();
        assert!((h[0] - 1f64.tanh()).abs() < 1e-15);
    }

    #[test]
    fn chain_rule_agrees_with_finite_differences() {
        let enc = RecurrentEncoder::seeded(3, 5, 1.5, 9).unwrap();
        let x = SplitMix64::new(4).normal_matrix(7, 3);
        for j in [0, 3, 6] {
            let exact = enc.token_jacobian(x.view(), j).unwrap();
            let numeric =
                enc.token_jacobian_numeric(x.view(), j, 1e-6).unwrap();
            let worst = (&exact - &numeric)
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(worst < 1e-8, "token {j}: {worst}");
        }
    }

    #[test]
    fn a_linear_encoder_scales_the_norm_by_exactly_the_radius_per_step() {
        // J = W_x (r Q)^(T-1) and Q keeps Frobenius norms: r^(T-1) |W_x|.
        let enc = RecurrentEncoder::seeded(3, 5, 1.5, 2).unwrap().linear();
        let x = SplitMix64::new(4).normal_matrix(6, 3);
        let j = enc.token_jacobian(x.view(), 0).unwrap();
        let want = 1.5f64.powi(5) * frobenius(enc.w_x.view());
        assert!((frobenius(j.view()) - want).abs() < 1e-12);
    }

    #[test]
    fn errors_name_the_shapes() {
        let enc = RecurrentEncoder::seeded(3, 5, 0.5, 1).unwrap();
        let err = enc.states(Array2::zeros((2, 4)).view()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("(2, 4)") && msg.contains("(3, 5)"), "{msg}");
        let err =
            RecurrentEncoder::new(Array2::zeros((2, 3)), Array2::zeros((3, 2)))
                .unwrap_err();
        assert!(err.to_string().contains("(3, 2)"), "{err}");
    }
}
