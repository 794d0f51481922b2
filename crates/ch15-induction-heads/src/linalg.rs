//! The three matrix products the model needs, written as plain loops.
//!
//! ndarray's `dot` hands `f64` products to a library that picks its
//! kernel when the program runs, and a kernel with fused multiply-adds
//! rounds differently from one without: the trained weights would then
//! depend on the processor. These loops round every product and every
//! sum the same way on every machine, so training reproduces to the bit.
//! At this model's sizes (at most 16 by 32) they are fast enough.

use ndarray::{Array2, ArrayView2};

/// `a b`.
///
/// # Shapes
/// - `a`: `(m, k)`, `b`: `(k, n)` -> `(m, n)`; the caller checks `k`.
pub fn mm(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let n = b.ncols();
    debug_assert_eq!(k, b.nrows());
    let mut out = Array2::zeros((m, n));
    for i in 0..m {
        let mut row = out.row_mut(i);
        for p in 0..k {
            let x = a[[i, p]];
            if x == 0.0 {
                continue;
            }
            for (o, &y) in row.iter_mut().zip(b.row(p)) {
                *o += x * y;
            }
        }
    }
    out
}

/// `a^T b`.
///
/// # Shapes
/// - `a`: `(k, m)`, `b`: `(k, n)` -> `(m, n)`
pub fn mm_tn(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    mm(a.t(), b)
}

/// `a b^T`.
///
/// # Shapes
/// - `a`: `(m, k)`, `b`: `(n, k)` -> `(m, n)`
pub fn mm_nt(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    let (m, k) = a.dim();
    let n = b.nrows();
    debug_assert_eq!(k, b.ncols());
    Array2::from_shape_fn((m, n), |(i, j)| {
        let mut s = 0.0;
        for (x, y) in a.row(i).iter().zip(b.row(j)) {
            s += x * y;
        }
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_loops_agree_with_ndarray() {
        let a = array![[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]];
        let b = array![[2.0, 1.0], [0.0, -1.0], [4.0, 0.25]];
        assert_eq!(mm(a.view(), b.view()), a.dot(&b));
        assert_eq!(mm_tn(a.view(), a.view()), a.t().dot(&a));
        assert_eq!(mm_nt(a.view(), a.view()), a.dot(&a.t()));
    }
}
