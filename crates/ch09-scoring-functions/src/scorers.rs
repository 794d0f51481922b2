//! The five scoring functions, each turning `T_q` queries and `T_k` keys
//! into a `(T_q, T_k)` matrix of scores.
//!
//! Dot and scaled dot come from chapters 3 and 5; general (Luong) puts a
//! learned matrix between query and key; additive (Bahdanau) runs a small
//! one-layer network on every pair; cosine divides out both lengths. The
//! softmax that follows is chapter 3's, whatever the scorer.

use anyhow::{Result, bail, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::softmax_rows;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

// ANCHOR: dot
/// Checks that queries and keys are non-empty and finite, and, when
/// `same_width`, that they share one width. Errors name both shapes.
fn check_qk(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    same_width: bool,
) -> Result<()> {
    check::usable("q", &q)?;
    check::usable("k", &k)?;
    if same_width {
        check::same_len(
            "the widths of queries and keys",
            ("q", q.ncols(), &check::shape(&q)),
            ("k", k.ncols(), &check::shape(&k)),
        )?;
    }
    Ok(())
}

/// Dot-product scores: `s_ij = q_i . k_j`.
///
/// # Shapes
/// - `q`: `(T_q, d)`, `k`: `(T_k, d)` -> `(T_q, T_k)`
///
/// # Errors
/// Empty or non-finite inputs, or queries and keys of different widths.
pub fn dot(q: ArrayView2<f64>, k: ArrayView2<f64>) -> Result<Array2<f64>> {
    check_qk(q, k, true)?;
    Ok(q.dot(&k.t())) // (T_q, d) x (d, T_k) -> (T_q, T_k)
}

/// Scaled dot-product scores: `s_ij = q_i . k_j / sqrt(d)`.
///
/// # Shapes
/// - `q`: `(T_q, d)`, `k`: `(T_k, d)` -> `(T_q, T_k)`
///
/// # Errors
/// As [`dot`].
pub fn scaled_dot(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
) -> Result<Array2<f64>> {
    let scores = dot(q, k)?;
    Ok(scores * (1.0 / (q.ncols() as f64).sqrt()))
}
// ANCHOR_END: dot

// ANCHOR: cosine
/// Cosine-similarity scores: `s_ij = q_i . k_j / (|q_i| |k_j|)`, the dot
/// product of unit vectors, always in `[-1, 1]`.
///
/// # Shapes
/// - `q`: `(T_q, d)`, `k`: `(T_k, d)` -> `(T_q, T_k)`
///
/// # Errors
/// As [`dot`], and a query or key of length 0, whose direction (and so
/// whose cosine) is undefined.
pub fn cosine(q: ArrayView2<f64>, k: ArrayView2<f64>) -> Result<Array2<f64>> {
    check_qk(q, k, true)?;
    let q_hat = unit_rows("q", q)?; // (T_q, d), every row of length 1
    let k_hat = unit_rows("k", k)?; // (T_k, d)
    Ok(q_hat.dot(&k_hat.t())) // (T_q, d) x (d, T_k) -> (T_q, T_k)
}

/// Every row divided by its length.
fn unit_rows(name: &str, x: ArrayView2<f64>) -> Result<Array2<f64>> {
    let mut out = x.to_owned();
    for (r, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        let length = row.dot(&row).sqrt();
        if length == 0.0 {
            bail!(
                "row {r} of `{name}` with shape {} has length 0: a zero \
                 vector has no direction, so its cosine is undefined",
                check::shape(&x)
            );
        }
        row /= length;
    }
    Ok(out)
}
// ANCHOR_END: cosine

// ANCHOR: general
/// Luong's "general" scorer: `s_ij = q_i^T W k_j`, with a learned matrix
/// `W` between the query and the key.
#[derive(Debug, Clone, PartialEq)]
pub struct General {
    /// Shape `(d_q, d_k)`.
    w: Array2<f64>,
}

impl General {
    /// Scores every query against every key.
    ///
    /// # Shapes
    /// - `q`: `(T_q, d_q)`, `k`: `(T_k, d_k)` -> `(T_q, T_k)`
    ///
    /// # Errors
    /// Empty or non-finite inputs, or widths that do not fit `W`.
    pub fn scores(
        &self,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> Result<Array2<f64>> {
        check_qk(q, k, false)?;
        check::same_len(
            "the queries' width and the rows of W (d_q)",
            ("q", q.ncols(), &check::shape(&q)),
            ("w", self.w.nrows(), &check::shape(&self.w)),
        )?;
        check::same_len(
            "the keys' width and the columns of W (d_k)",
            ("k", k.ncols(), &check::shape(&k)),
            ("w", self.w.ncols(), &check::shape(&self.w)),
        )?;
        let qw = q.dot(&self.w); // (T_q, d_q) x (d_q, d_k) -> (T_q, d_k)
        Ok(qw.dot(&k.t())) // (T_q, d_k) x (d_k, T_k) -> (T_q, T_k)
    }
}
// ANCHOR_END: general

impl General {
    /// A general scorer with matrix `w`.
    ///
    /// # Shapes
    /// - `w`: `(d_q, d_k)`; queries may be `d_q` wide and keys `d_k` wide
    ///
    /// # Errors
    /// An empty or non-finite `w`.
    pub fn new(w: Array2<f64>) -> Result<Self> {
        check::usable("w", &w)?;
        Ok(Self { w })
    }

    /// A general scorer with every entry of `W` uniform in
    /// `[-1/sqrt(d_q), 1/sqrt(d_q))`, drawn row by row from `rng`.
    ///
    /// # Shapes
    /// - `W`: `(d_q, d_k)`
    ///
    /// # Errors
    /// A width of 0.
    pub fn random(
        d_q: usize,
        d_k: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        ensure!(
            d_q > 0 && d_k > 0,
            "W needs at least one row and column, but (d_q, d_k) = \
             ({d_q}, {d_k})"
        );
        let bound = 1.0 / (d_q as f64).sqrt();
        Self::new(rng.uniform_matrix(d_q, d_k, -bound, bound))
    }

    /// The matrix `W`. Shape `(d_q, d_k)`.
    pub fn w(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }
}

// ANCHOR: additive
/// Bahdanau's additive scorer: `s_ij = v^T tanh(W_q q_i + W_k k_j)`, a
/// network with one hidden layer of `d_a` units run on every pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Additive {
    /// Shape `(d_a, d_q)`.
    w_q: Array2<f64>,
    /// Shape `(d_a, d_k)`.
    w_k: Array2<f64>,
    /// Shape `(d_a,)`.
    v: Array1<f64>,
}

impl Additive {
    /// Scores every query against every key.
    ///
    /// # Shapes
    /// - `q`: `(T_q, d_q)`, `k`: `(T_k, d_k)` -> `(T_q, T_k)`
    ///
    /// # Errors
    /// Empty or non-finite inputs, or widths that do not fit `W_q`, `W_k`.
    pub fn scores(
        &self,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> Result<Array2<f64>> {
        self.check_widths(q, k)?;
        // Each query and each key is projected once...
        let pq = q.dot(&self.w_q.t()); // (T_q, d_q) x (d_q, d_a) -> (T_q, d_a)
        let pk = k.dot(&self.w_k.t()); // (T_k, d_k) x (d_k, d_a) -> (T_k, d_a)
        // ...but the tanh must run on every (query, key) pair: it is not a
        // matrix product, so this loop does T_q * T_k * d_a of them.
        let mut scores = Array2::zeros((q.nrows(), k.nrows()));
        for (i, a) in pq.rows().into_iter().enumerate() {
            for (j, b) in pk.rows().into_iter().enumerate() {
                scores[[i, j]] = pair_score(a, b, self.v.view());
            }
        }
        Ok(scores)
    }
}

/// `v . tanh(a + b)` for one pair of projected query `a` and key `b`.
fn pair_score(
    a: ArrayView1<f64>,
    b: ArrayView1<f64>,
    v: ArrayView1<f64>,
) -> f64 {
    let mut total = 0.0;
    for u in 0..v.len() {
        total += v[u] * (a[u] + b[u]).tanh();
    }
    total
}
// ANCHOR_END: additive

impl Additive {
    /// An additive scorer with matrices `w_q`, `w_k` and vector `v`.
    ///
    /// # Shapes
    /// - `w_q`: `(d_a, d_q)`, `w_k`: `(d_a, d_k)`, `v`: `(d_a,)`
    ///
    /// # Errors
    /// Empty or non-finite parameters, or a different `d_a` in any two.
    pub fn new(
        w_q: Array2<f64>,
        w_k: Array2<f64>,
        v: Array1<f64>,
    ) -> Result<Self> {
        check::usable("w_q", &w_q)?;
        check::usable("w_k", &w_k)?;
        check::usable("v", &v)?;
        check::same_len(
            "the hidden widths (d_a) of W_q and W_k",
            ("w_q", w_q.nrows(), &check::shape(&w_q)),
            ("w_k", w_k.nrows(), &check::shape(&w_k)),
        )?;
        check::same_len(
            "the hidden widths (d_a) of W_q and v",
            ("w_q", w_q.nrows(), &check::shape(&w_q)),
            ("v", v.len(), &check::shape(&v)),
        )?;
        Ok(Self { w_q, w_k, v })
    }

    /// An additive scorer with `W_q` uniform in `[-1/sqrt(d_q),
    /// 1/sqrt(d_q))`, `W_k` in `[-1/sqrt(d_k), 1/sqrt(d_k))` and `v` in
    /// `[-1/sqrt(d_a), 1/sqrt(d_a))`, drawn from `rng` in that order, each
    /// matrix row by row.
    ///
    /// # Shapes
    /// - `W_q`: `(d_a, d_q)`, `W_k`: `(d_a, d_k)`, `v`: `(d_a,)`
    ///
    /// # Errors
    /// A width of 0.
    pub fn random(
        d_q: usize,
        d_k: usize,
        d_a: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        ensure!(
            d_q > 0 && d_k > 0 && d_a > 0,
            "every width must be at least 1, but (d_q, d_k, d_a) = \
             ({d_q}, {d_k}, {d_a})"
        );
        let bound = |d: usize| 1.0 / (d as f64).sqrt();
        let w_q = rng.uniform_matrix(d_a, d_q, -bound(d_q), bound(d_q));
        let w_k = rng.uniform_matrix(d_a, d_k, -bound(d_k), bound(d_k));
        let v = rng.uniform_matrix(1, d_a, -bound(d_a), bound(d_a));
        Self::new(w_q, w_k, v.row(0).to_owned())
    }

    fn check_widths(
        &self,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> Result<()> {
        check_qk(q, k, false)?;
        check::same_len(
            "the queries' width and the columns of W_q (d_q)",
            ("q", q.ncols(), &check::shape(&q)),
            ("w_q", self.w_q.ncols(), &check::shape(&self.w_q)),
        )?;
        check::same_len(
            "the keys' width and the columns of W_k (d_k)",
            ("k", k.ncols(), &check::shape(&k)),
            ("w_k", self.w_k.ncols(), &check::shape(&self.w_k)),
        )
    }

    /// `W_q`. Shape `(d_a, d_q)`.
    pub fn w_q(&self) -> ArrayView2<'_, f64> {
        self.w_q.view()
    }

    /// `W_k`. Shape `(d_a, d_k)`.
    pub fn w_k(&self) -> ArrayView2<'_, f64> {
        self.w_k.view()
    }

    /// `v`. Shape `(d_a,)`.
    pub fn v(&self) -> ArrayView1<'_, f64> {
        self.v.view()
    }
}

/// The five scorers behind one type, so the chapter can run them side by
/// side on the same inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum Scorer {
    /// [`dot`].
    Dot,
    /// [`scaled_dot`].
    ScaledDot,
    /// [`General`].
    General(General),
    /// [`Additive`].
    Additive(Additive),
    /// [`cosine`].
    Cosine,
}

impl Scorer {
    /// The scorer's name as the chapter prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Scorer::Dot => "dot",
            Scorer::ScaledDot => "scaled dot",
            Scorer::General(_) => "general",
            Scorer::Additive(_) => "additive",
            Scorer::Cosine => "cosine",
        }
    }

    /// Scores every query against every key.
    ///
    /// # Shapes
    /// - `q`: `(T_q, d_q)`, `k`: `(T_k, d_k)` -> `(T_q, T_k)`
    ///
    /// # Errors
    /// Those of the scorer inside.
    pub fn scores(
        &self,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> Result<Array2<f64>> {
        match self {
            Scorer::Dot => dot(q, k),
            Scorer::ScaledDot => scaled_dot(q, k),
            Scorer::General(g) => g.scores(q, k),
            Scorer::Additive(a) => a.scores(q, k),
            Scorer::Cosine => cosine(q, k),
        }
    }

    /// The softmax of every row of the scores: the attention weights.
    ///
    /// # Shapes
    /// - `q`: `(T_q, d_q)`, `k`: `(T_k, d_k)` -> `(T_q, T_k)`, rows summing
    ///   to 1
    ///
    /// # Errors
    /// Those of [`Scorer::scores`].
    pub fn weights(
        &self,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> Result<Array2<f64>> {
        softmax_rows(self.scores(q, k)?.view())
    }

    /// How many numbers the scorer learns.
    pub fn parameters(&self) -> usize {
        match self {
            Scorer::Dot | Scorer::ScaledDot | Scorer::Cosine => 0,
            Scorer::General(g) => g.w.len(),
            Scorer::Additive(a) => a.w_q.len() + a.w_k.len() + a.v.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn dot_names_both_shapes_when_widths_differ() {
        let err = dot(Array2::ones((2, 3)).view(), Array2::ones((4, 2)).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`q` has shape (2, 3)"), "{err}");
        assert!(err.contains("`k` has shape (4, 2)"), "{err}");
    }

    #[test]
    fn general_and_additive_accept_different_widths() {
        let mut rng = SplitMix64::new(1);
        let (q, k) = (rng.normal_matrix(2, 3), rng.normal_matrix(4, 5));
        let g = General::random(3, 5, &mut rng).unwrap();
        assert_eq!(g.scores(q.view(), k.view()).unwrap().dim(), (2, 4));
        let a = Additive::random(3, 5, 7, &mut rng).unwrap();
        assert_eq!(a.scores(q.view(), k.view()).unwrap().dim(), (2, 4));
        let err = g.scores(k.view(), q.view()).unwrap_err().to_string();
        assert!(err.contains("`w` has shape (3, 5)"), "{err}");
        let err = a.scores(k.view(), q.view()).unwrap_err().to_string();
        assert!(err.contains("`w_q` has shape (7, 3)"), "{err}");
    }

    #[test]
    fn cosine_rejects_a_zero_key() {
        let err = cosine(array![[1.0, 0.0]].view(), array![[0.0, 0.0]].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 0 of `k` with shape (1, 2)"), "{err}");
    }

    #[test]
    fn additive_parameters_must_share_d_a() {
        let err = Additive::new(
            Array2::ones((2, 3)),
            Array2::ones((3, 3)),
            Array1::ones(2),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(2, 3)") && err.contains("(3, 3)"), "{err}");
    }

    #[test]
    fn one_additive_pair_by_hand() {
        // W_q q = [1], W_k k = [1], v = [2]: 2 tanh(2) = 1.928055...
        let a =
            Additive::new(array![[1.0, 0.0]], array![[0.0, 1.0]], array![2.0])
                .unwrap();
        let s = a
            .scores(array![[1.0, 0.0]].view(), array![[0.0, 1.0]].view())
            .unwrap();
        assert!((s[[0, 0]] - 2.0 * 2.0_f64.tanh()).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn general_with_the_identity_is_the_dot_product(
            t_q in 1usize..5, t_k in 1usize..5, d in 1usize..6,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let (q, k) = (rng.normal_matrix(t_q, d), rng.normal_matrix(t_k, d));
            let g = General::new(Array2::eye(d)).unwrap();
            let a = g.scores(q.view(), k.view()).unwrap();
            let b = dot(q.view(), k.view()).unwrap();
            for (x, y) in a.iter().zip(&b) {
                prop_assert!((x - y).abs() < 1e-12);
            }
        }

        #[test]
        fn a_middle_key_scores_the_mean_under_any_bilinear_scorer(
            d_q in 1usize..5, d_k in 1usize..5, seed in any::<u64>(),
        ) {
            // q^T W k is linear in k: the key halfway between two others
            // scores exactly halfway, so it can never beat both.
            let mut rng = SplitMix64::new(seed);
            let g = General::random(d_q, d_k, &mut rng).unwrap();
            let q = rng.normal_matrix(1, d_q);
            let ends = rng.normal_matrix(2, d_k);
            let mut k = Array2::zeros((3, d_k));
            k.row_mut(0).assign(&ends.row(0));
            k.row_mut(1).assign(&((&ends.row(0) + &ends.row(1)) / 2.0));
            k.row_mut(2).assign(&ends.row(1));
            let s = g.scores(q.view(), k.view()).unwrap();
            let mean = (s[[0, 0]] + s[[0, 2]]) / 2.0;
            prop_assert!((s[[0, 1]] - mean).abs() < 1e-9);
        }

        #[test]
        fn cosine_ignores_positive_lengths_and_stays_in_range(
            t_q in 1usize..4, t_k in 1usize..4, d in 1usize..6,
            a in 0.01f64..100.0, b in 0.01f64..100.0, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let (q, k) = (rng.normal_matrix(t_q, d), rng.normal_matrix(t_k, d));
            let s = cosine(q.view(), k.view()).unwrap();
            let t = cosine((&q * a).view(), (&k * b).view()).unwrap();
            for (x, y) in s.iter().zip(&t) {
                prop_assert!((x - y).abs() < 1e-12);
                prop_assert!(x.abs() <= 1.0 + 1e-12);
            }
        }

        #[test]
        fn every_scorer_gives_weights_that_sum_to_one(
            t_q in 1usize..4, t_k in 1usize..6, d in 1usize..5,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let (q, k) = (rng.normal_matrix(t_q, d), rng.normal_matrix(t_k, d));
            let scorers = [
                Scorer::Dot,
                Scorer::ScaledDot,
                Scorer::General(General::random(d, d, &mut rng).unwrap()),
                Scorer::Additive(Additive::random(d, d, 3, &mut rng).unwrap()),
                Scorer::Cosine,
            ];
            for s in &scorers {
                let w = s.weights(q.view(), k.view()).unwrap();
                for row in w.rows() {
                    prop_assert!((row.sum() - 1.0).abs() < 1e-12);
                }
            }
        }
    }
}
