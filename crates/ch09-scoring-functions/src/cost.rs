//! What each scorer costs: learned parameters, multiply-adds and `tanh`
//! calls, counted by formula.
//!
//! One multiply-add is a multiplication and the addition that follows it,
//! the step of a dot product. A lone multiplication or division (scaling a
//! score, dividing by a length) counts as one too. Plain additions, square
//! roots and the softmax are left out: they are the same for every scorer
//! or too few to matter. The tests check every formula against loops that
//! count their own operations.

use anyhow::{Result, anyhow, bail};

/// The five scorers, by name only (for counting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `q . k`
    Dot,
    /// `q . k / sqrt(d)`
    ScaledDot,
    /// `q^T W k`
    General,
    /// `v^T tanh(W_q q + W_k k)`
    Additive,
    /// `q . k / (|q| |k|)`
    Cosine,
}

/// Every kind, in the order the chapter prints them.
pub const KINDS: [Kind; 5] = [
    Kind::Dot,
    Kind::ScaledDot,
    Kind::General,
    Kind::Additive,
    Kind::Cosine,
];

impl Kind {
    /// The name the chapter prints.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dot => "dot",
            Kind::ScaledDot => "scaled dot",
            Kind::General => "general",
            Kind::Additive => "additive",
            Kind::Cosine => "cosine",
        }
    }

    /// The kind called `name` (`"scaled dot"` or `"scaled_dot"` alike).
    ///
    /// # Errors
    /// A name that is none of the five.
    pub fn from_name(name: &str) -> Result<Kind> {
        KINDS
            .into_iter()
            .find(|k| k.name() == name.replace('_', " "))
            .ok_or_else(|| {
                anyhow!(
                    "unknown scorer `{name}`: expected dot, scaled_dot, \
                     general, additive or cosine"
                )
            })
    }

    /// Whether queries and keys must have the same width.
    pub fn same_width(self) -> bool {
        matches!(self, Kind::Dot | Kind::ScaledDot | Kind::Cosine)
    }

    /// The multiply-add formula, as the chapter prints it.
    pub fn formula(self) -> &'static str {
        match self {
            Kind::Dot => "T_q T_k d",
            Kind::ScaledDot => "T_q T_k (d + 1)",
            Kind::General => "T_q d_q d_k + T_q T_k d_k",
            Kind::Additive => "(T_q d_q + T_k d_k) d_a + T_q T_k d_a",
            Kind::Cosine => "T_q T_k d + 2 (T_q + T_k) d",
        }
    }
}

/// The sizes a cost depends on. `d_a` is the additive scorer's hidden
/// width; the others ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    /// Number of queries.
    pub t_q: u64,
    /// Number of keys.
    pub t_k: u64,
    /// Width of a query.
    pub d_q: u64,
    /// Width of a key.
    pub d_k: u64,
    /// Hidden width of the additive scorer.
    pub d_a: u64,
}

/// What one scorer costs for one [`Dims`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Numbers the scorer learns.
    pub parameters: u64,
    /// Multiply-adds to score all `T_q * T_k` pairs.
    pub multiply_adds: u64,
    /// Calls to `tanh` (only the additive scorer makes any).
    pub tanh: u64,
}

// ANCHOR: cost
/// The cost of scoring `T_q` queries against `T_k` keys with `kind`.
///
/// # Shapes
/// - queries `(T_q, d_q)`, keys `(T_k, d_k)`; scores `(T_q, T_k)`
///
/// # Errors
/// Different widths for a scorer that needs one width (dot, scaled dot,
/// cosine), or a count too large for a `u64`.
pub fn cost(kind: Kind, dims: Dims) -> Result<Cost> {
    let Dims {
        t_q,
        t_k,
        d_q,
        d_k,
        d_a,
    } = dims;
    if kind.same_width() && d_q != d_k {
        bail!(
            "{} scores need queries and keys of one width, but d_q = {d_q} \
             and d_k = {d_k}",
            kind.name()
        );
    }
    let d = d_q;
    // Every product below goes through `mul` so an overflow is an error.
    let mul = |xs: &[u64]| -> Result<u64> {
        xs.iter().try_fold(1u64, |acc, &x| {
            acc.checked_mul(x)
                .ok_or_else(|| anyhow!("the count overflows a u64"))
        })
    };
    let add = |a: u64, b: u64| -> Result<u64> {
        a.checked_add(b)
            .ok_or_else(|| anyhow!("the count overflows a u64"))
    };
    let pairs = mul(&[t_q, t_k])?;
    let (parameters, multiply_adds, tanh) = match kind {
        Kind::Dot => (0, mul(&[pairs, d])?, 0),
        // One more multiplication per score, by 1/sqrt(d).
        Kind::ScaledDot => (0, add(mul(&[pairs, d])?, pairs)?, 0),
        // Project each query through W, then a dot product per pair.
        Kind::General => (
            mul(&[d_q, d_k])?,
            add(mul(&[t_q, d_q, d_k])?, mul(&[pairs, d_k])?)?,
            0,
        ),
        // Project queries and keys once, then d_a units on every pair.
        Kind::Additive => (
            add(mul(&[d_a, add(d_q, d_k)?])?, d_a)?,
            add(
                add(mul(&[t_q, d_q, d_a])?, mul(&[t_k, d_k, d_a])?)?,
                mul(&[pairs, d_a])?,
            )?,
            mul(&[pairs, d_a])?,
        ),
        // A squared length (d) and a division of d entries per vector,
        // then a dot product per pair.
        Kind::Cosine => {
            (0, add(mul(&[pairs, d])?, mul(&[2, add(t_q, t_k)?, d])?)?, 0)
        }
    };
    Ok(Cost {
        parameters,
        multiply_adds,
        tanh,
    })
}
// ANCHOR_END: cost

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorers::{Additive, General, Scorer};
    use attn_common::rng::SplitMix64;
    use ndarray::{Array2, ArrayView2};
    use proptest::prelude::*;

    /// Scores by plain loops that count their own multiply-adds and tanh
    /// calls, in the same order of work as `crate::scorers`.
    fn counted(
        scorer: &Scorer,
        q: ArrayView2<f64>,
        k: ArrayView2<f64>,
    ) -> (Array2<f64>, u64, u64) {
        let (t_q, t_k) = (q.nrows(), k.nrows());
        let mut s = Array2::zeros((t_q, t_k));
        let (mut macs, mut tanh) = (0u64, 0u64);
        let dot = |a: &[f64], b: &[f64], macs: &mut u64| -> f64 {
            *macs += a.len() as u64;
            a.iter().zip(b).map(|(x, y)| x * y).sum()
        };
        let rows = |x: ArrayView2<f64>| -> Vec<Vec<f64>> {
            x.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        let (qs, ks) = (rows(q), rows(k));
        match scorer {
            Scorer::Dot | Scorer::ScaledDot => {
                let scale = 1.0 / (q.ncols() as f64).sqrt();
                for i in 0..t_q {
                    for j in 0..t_k {
                        s[[i, j]] = dot(&qs[i], &ks[j], &mut macs);
                        if *scorer == Scorer::ScaledDot {
                            s[[i, j]] *= scale;
                            macs += 1;
                        }
                    }
                }
            }
            Scorer::Cosine => {
                let unit = |v: &Vec<f64>, macs: &mut u64| -> Vec<f64> {
                    let len = dot(v, v, macs).sqrt();
                    *macs += v.len() as u64;
                    v.iter().map(|x| x / len).collect()
                };
                let qh: Vec<_> =
                    qs.iter().map(|v| unit(v, &mut macs)).collect();
                let kh: Vec<_> =
                    ks.iter().map(|v| unit(v, &mut macs)).collect();
                for i in 0..t_q {
                    for j in 0..t_k {
                        s[[i, j]] = dot(&qh[i], &kh[j], &mut macs);
                    }
                }
            }
            Scorer::General(g) => {
                let wt = rows(g.w().t());
                let qw: Vec<Vec<f64>> = qs
                    .iter()
                    .map(|v| wt.iter().map(|c| dot(v, c, &mut macs)).collect())
                    .collect();
                for i in 0..t_q {
                    for j in 0..t_k {
                        s[[i, j]] = dot(&qw[i], &ks[j], &mut macs);
                    }
                }
            }
            Scorer::Additive(a) => {
                let (wq, wk) = (rows(a.w_q()), rows(a.w_k()));
                let mut project = |vs: &Vec<Vec<f64>>, w: &Vec<Vec<f64>>| {
                    vs.iter()
                        .map(|v| {
                            w.iter()
                                .map(|r| dot(r, v, &mut macs))
                                .collect::<Vec<f64>>()
                        })
                        .collect::<Vec<_>>()
                };
                let (pq, pk) = (project(&qs, &wq), project(&ks, &wk));
                for i in 0..t_q {
                    for j in 0..t_k {
                        for u in 0..a.v().len() {
                            let h = (pq[i][u] + pk[j][u]).tanh();
                            tanh += 1;
                            s[[i, j]] += a.v()[u] * h;
                            macs += 1;
                        }
                    }
                }
            }
        }
        (s, macs, tanh)
    }

    #[test]
    fn dot_needs_one_width_but_general_does_not() {
        let dims = Dims {
            t_q: 2,
            t_k: 3,
            d_q: 4,
            d_k: 5,
            d_a: 6,
        };
        let err = cost(Kind::Dot, dims).unwrap_err().to_string();
        assert!(err.contains("d_q = 4 and d_k = 5"), "{err}");
        // 4 * 5 = 20 parameters; 2*4*5 + 2*3*5 = 40 + 30 = 70.
        let g = cost(Kind::General, dims).unwrap();
        assert_eq!((g.parameters, g.multiply_adds, g.tanh), (20, 70, 0));
        // 6 * (4 + 5 + 1) = 60; (2*4 + 3*5) * 6 + 2*3*6 = 138 + 36 = 174.
        let a = cost(Kind::Additive, dims).unwrap();
        assert_eq!((a.parameters, a.multiply_adds, a.tanh), (60, 174, 36));
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Dims {
            t_q: u64::MAX,
            t_k: 2,
            d_q: 1,
            d_k: 1,
            d_a: 1,
        };
        assert!(cost(Kind::Dot, big).is_err());
    }

    #[test]
    fn names_round_trip() {
        for k in KINDS {
            assert_eq!(Kind::from_name(k.name()).unwrap(), k);
        }
        assert_eq!(Kind::from_name("scaled_dot").unwrap(), Kind::ScaledDot);
        assert!(Kind::from_name("bilinear").is_err());
    }

    proptest! {
        #[test]
        fn formulas_match_counting_loops(
            t_q in 1usize..5, t_k in 1usize..5, d_q in 1usize..5,
            d_k in 1usize..5, d_a in 1usize..5, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let q = rng.normal_matrix(t_q, d_q);
            let k = rng.normal_matrix(t_k, d_k);
            let k_same = rng.normal_matrix(t_k, d_q);
            let scorers = [
                (Kind::Dot, Scorer::Dot),
                (Kind::ScaledDot, Scorer::ScaledDot),
                (Kind::General,
                 Scorer::General(General::random(d_q, d_k, &mut rng).unwrap())),
                (Kind::Additive,
                 Scorer::Additive(
                     Additive::random(d_q, d_k, d_a, &mut rng).unwrap())),
                (Kind::Cosine, Scorer::Cosine),
            ];
            for (kind, scorer) in &scorers {
                let keys = if kind.same_width() { &k_same } else { &k };
                let dims = Dims {
                    t_q: t_q as u64,
                    t_k: t_k as u64,
                    d_q: d_q as u64,
                    d_k: keys.ncols() as u64,
                    d_a: d_a as u64,
                };
                let (s, macs, tanh) = counted(scorer, q.view(), keys.view());
                let want = scorer.scores(q.view(), keys.view()).unwrap();
                for (a, b) in s.iter().zip(&want) {
                    prop_assert!((a - b).abs() < 1e-9, "{}", kind.name());
                }
                let c = cost(*kind, dims).unwrap();
                prop_assert_eq!(c.multiply_adds, macs, "{}", kind.name());
                prop_assert_eq!(c.tanh, tanh, "{}", kind.name());
                prop_assert_eq!(
                    c.parameters, scorer.parameters() as u64, "{}", kind.name()
                );
            }
        }
    }
}
