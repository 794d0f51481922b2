//! Dropout on attention weights: a training-time regulariser.

use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;
use ndarray::{Array2, ArrayView2};

// ANCHOR: dropout
/// Dropout with probability `p`: during training, each attention weight
/// is set to zero with probability `p`, and every weight that survives is
/// multiplied by `1 / (1 - p)`.
///
/// The scaling keeps the expected value of every entry unchanged: a weight
/// `w` becomes `w / (1 - p)` with probability `1 - p` and `0` otherwise,
/// so on average it is `(1 - p) * w / (1 - p) = w`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    p: f64,
}

impl Dropout {
    /// A dropout layer that zeroes each entry with probability `p`.
    ///
    /// # Errors
    /// `p` outside `[0, 1)` or not a number; the error names the value.
    /// (`p = 1` would drop everything and divide by zero.)
    pub fn new(p: f64) -> Result<Self> {
        ensure!(
            (0.0..1.0).contains(&p),
            "dropout probability p must lie in [0, 1), got {p}"
        );
        Ok(Self { p })
    }

    /// The probability of zeroing an entry.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Applies dropout to a matrix of weights.
    ///
    /// Draws exactly one uniform number `u` per entry from `rng`, row by
    /// row; the entry is dropped when `u < p`. So the same seed drops the
    /// same positions whatever the weights are, and `p = 0` keeps
    /// everything (while still drawing, so the generator advances alike).
    ///
    /// # Shapes
    /// - `weights`: `(T_q, T_k)` -> `(T_q, T_k)`
    pub fn apply(
        &self,
        weights: ArrayView2<f64>,
        rng: &mut SplitMix64,
    ) -> Array2<f64> {
        let scale = 1.0 / (1.0 - self.p);
        let mut out = weights.to_owned();
        // Row-major iteration fixes the order in which numbers are drawn.
        for w in out.iter_mut() {
            if rng.uniform() < self.p {
                *w = 0.0;
            } else {
                *w *= scale;
            }
        }
        out
    }
}
// ANCHOR_END: dropout

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use proptest::prelude::*;

    #[test]
    fn p_outside_zero_to_one_is_rejected_and_named() {
        for p in [-0.1, 1.0, 1.5, f64::NAN] {
            let err = Dropout::new(p).unwrap_err().to_string();
            assert!(err.contains(&format!("got {p}")), "{err}");
        }
        assert!(Dropout::new(0.0).is_ok());
        assert!(Dropout::new(0.999).is_ok());
    }

    #[test]
    fn p_zero_changes_nothing() {
        let w = array![[0.25, 0.75], [1.0, 0.0]];
        let mut rng = SplitMix64::new(1);
        assert_eq!(Dropout::new(0.0).unwrap().apply(w.view(), &mut rng), w);
    }

    #[test]
    fn half_dropout_turns_ones_into_zeros_and_twos() {
        let ones = Array2::<f64>::ones((6, 6));
        let mut rng = SplitMix64::new(7);
        let out = Dropout::new(0.5).unwrap().apply(ones.view(), &mut rng);
        assert!(out.iter().all(|&x| x == 0.0 || x == 2.0), "{out}");
    }

    #[test]
    fn the_same_seed_drops_the_same_positions() {
        let d = Dropout::new(0.3).unwrap();
        let a = d.apply(Array2::ones((5, 5)).view(), &mut SplitMix64::new(9));
        let w = Array2::from_elem((5, 5), 0.2);
        let b = d.apply(w.view(), &mut SplitMix64::new(9));
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(*x == 0.0, *y == 0.0);
        }
    }

    #[test]
    fn averaging_many_masks_recovers_the_weights() {
        // Each entry of the average is w / (1 - p) times the fraction of
        // the n = 20 000 draws that kept it, so its relative standard
        // deviation is sqrt(p / ((1 - p) n)) = 0.0071 at p = 0.5: a 5%
        // tolerance is seven standard deviations.
        let w = array![[1.0, 0.0, 0.0], [0.4, 0.6, 0.0], [0.2, 0.3, 0.5]];
        let d = Dropout::new(0.5).unwrap();
        let mut rng = SplitMix64::new(2024);
        let n = 20_000;
        let mut sum = Array2::<f64>::zeros(w.dim());
        for _ in 0..n {
            sum += &d.apply(w.view(), &mut rng);
        }
        let mean = sum / n as f64;
        for (m, x) in mean.iter().zip(&w) {
            assert!((m - x).abs() <= 0.05 * x, "{m} vs {x}");
        }
    }

    proptest! {
        #[test]
        fn survivors_are_scaled_by_exactly_one_over_one_minus_p(
            rows in 1usize..7, cols in 1usize..7, p in 0.0f64..0.95,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let w = rng.uniform_matrix(rows, cols, 0.01, 1.0);
            let out = Dropout::new(p).unwrap().apply(w.view(), &mut rng);
            let scale = 1.0 / (1.0 - p);
            for (o, x) in out.iter().zip(&w) {
                prop_assert!(*o == 0.0 || *o == x * scale, "{o} from {x}");
            }
        }

        #[test]
        fn about_a_fraction_p_is_dropped(
            p in 0.05f64..0.95, seed in any::<u64>(),
        ) {
            // 10 000 entries: the dropped fraction has standard deviation
            // at most 0.005, so 0.03 is six standard deviations.
            let mut rng = SplitMix64::new(seed);
            let ones = Array2::<f64>::ones((100, 100));
            let out = Dropout::new(p).unwrap().apply(ones.view(), &mut rng);
            let dropped =
                out.iter().filter(|&&x| x == 0.0).count() as f64 / 1e4;
            prop_assert!((dropped - p).abs() < 0.03, "{dropped} vs {p}");
        }
    }
}
