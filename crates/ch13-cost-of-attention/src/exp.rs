//! The weights `exp(s - m)` of a block of scores, computed four at a time.
//!
//! Outside its two matrix products, tiled attention spends most of its
//! time in `exp`, once per score. The C library's `exp` takes one number
//! per call, and its last bit may differ between systems. [`exp_shifted`]
//! instead evaluates a short polynomial with fused multiply-adds, which
//! agrees with `f64::exp` to a unit or two in the last place and gives the
//! very same bits on every machine (a fused multiply-add is rounded once,
//! by the IEEE 754 rule, in hardware or not). On an x86-64 processor with
//! AVX2 and FMA (most made since 2015, checked when the program runs) the
//! compiler runs it on four numbers at once, several times faster than the
//! C library; elsewhere the same arithmetic runs one number at a time.

use ndarray::ArrayViewMut1;

/// Replaces every score `s` by its weight `exp(s - max)`.
///
/// # Shapes
/// - `scores`: `(b,)`, each at most `max` or `-inf` (whose weight is 0)
pub fn exp_shifted(mut scores: ArrayViewMut1<f64>, max: f64) {
    #[cfg(target_arch = "x86_64")]
    if let Some(xs) = scores.as_slice_mut()
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        // SAFETY: the processor was just found to have AVX2 and FMA.
        unsafe { exp_shifted_avx2(xs, max) };
        return;
    }
    scores.mapv_inplace(|s| exp_nonpositive(s - max));
}

/// [`exp_nonpositive`] of `s - max` for every `s`, compiled for AVX2 and
/// FMA so that the loop runs four numbers at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn exp_shifted_avx2(xs: &mut [f64], max: f64) {
    for s in xs {
        *s = exp_nonpositive(*s - max);
    }
}

/// ln 2 in two parts, `LN2_HI + LN2_LO`: `LN2_HI` ends in 21 zero bits,
/// so `k * LN2_HI` is exact for every `k` here and `r` keeps its precision.
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// `1 / n!` for `n = 0..=13`.
const INV_FACTORIAL: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut n = 1;
    while n < c.len() {
        c[n] = c[n - 1] / n as f64;
        n += 1;
    }
    c
};

/// `exp(x)` for `x <= 0` (and `-inf`), within two units in the last place,
/// with no branch and no table, so that a loop over it can be vectorised.
///
/// Write `x = k ln 2 + r` with `k` a whole number and `|r| <= ln(2) / 2`;
/// then `exp(x) = 2^k exp(r)`, where `exp(r)` is its Taylor series to
/// `r^13` (the next term is below `5e-18`) and `2^k` is built from its
/// bits. Below `x = -708`, `exp(x)` is under `3.4e-308` and counts as 0.
/// Uses fused multiply-adds: fast where the processor has them.
#[inline(always)]
pub fn exp_nonpositive(x: f64) -> f64 {
    // 1.5 * 2^52: adding it rounds to a whole number, held in the low bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let xc = if x < -708.0 { -708.0 } else { x };
    let shifted = xc.mul_add(std::f64::consts::LOG2_E, SHIFT);
    let k = shifted - SHIFT;
    let r = k.mul_add(-LN2_LO, k.mul_add(-LN2_HI, xc));
    let taylor = INV_FACTORIAL
        .iter()
        .rev()
        .fold(0.0_f64, |p, &c| p.mul_add(r, c));
    // The low 12 bits of `shifted` are k (two's complement); k + 1023 in
    // the exponent field is the number 2^k.
    let two_to_k =
        f64::from_bits((shifted.to_bits() << 52).wrapping_add(1023 << 52));
    if x < -708.0 { 0.0 } else { taylor * two_to_k }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `|a - b|` in units in the last place of `b`.
    fn ulps(a: f64, b: f64) -> f64 {
        (a - b).abs() / (b * f64::EPSILON)
    }

    #[test]
    fn ln2_in_two_parts() {
        assert_eq!(LN2_HI + LN2_LO, std::f64::consts::LN_2);
        assert!(LN2_HI.to_bits().trailing_zeros() >= 21);
    }

    #[test]
    fn the_edges() {
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_nonpositive(-708.5), 0.0);
        assert!(exp_nonpositive(f64::NAN).is_nan());
        let e = exp_nonpositive(-708.0);
        assert!(ulps(e, (-708.0f64).exp()) <= 2.0, "{e:e}");
        assert!(ulps(exp_nonpositive(-1.0), (-1.0f64).exp()) <= 1.0);
    }

    #[test]
    fn a_column_is_not_contiguous_and_gets_the_same_bits() {
        let mut m = ndarray::array![[-1.0, 0.0], [f64::NEG_INFINITY, 0.0]];
        exp_shifted(m.column_mut(0), 0.0);
        assert_eq!(m.column(0), ndarray::array![exp_nonpositive(-1.0), 0.0]);
    }

    #[test]
    fn the_fast_path_and_the_plain_one_agree_bit_for_bit() {
        // Contiguous (the vectorised path where the processor has it)
        // against one number at a time: the same bits.
        let scores: Vec<f64> = (0..1000).map(|i| -0.37 * i as f64).collect();
        let mut fast = ndarray::Array1::from(scores.clone());
        exp_shifted(fast.view_mut(), 0.5);
        for (&s, &got) in scores.iter().zip(&fast) {
            assert_eq!(got.to_bits(), exp_nonpositive(s - 0.5).to_bits());
        }
    }

    proptest! {
        #[test]
        fn within_two_ulps_of_the_standard_exp(x in -708.0f64..=0.0) {
            let (got, want) = (exp_nonpositive(x), x.exp());
            prop_assert!(ulps(got, want) <= 2.0, "exp({x}) = {got:e}, not {want:e}");
        }

        #[test]
        fn a_block_of_weights_equals_the_standard_exp(
            scores in proptest::collection::vec(-800.0f64..=0.0, 1..300),
            hidden in any::<u64>(), max in -5.0f64..5.0,
        ) {
            // Some scores are hidden (-inf); all are shifted below `max`.
            let scores: Vec<f64> = scores.iter().enumerate().map(|(i, &s)| {
                if hidden >> (i % 64) & 1 == 1 { f64::NEG_INFINITY } else { s + max }
            }).collect();
            let mut got = ndarray::Array1::from(scores.clone());
            exp_shifted(got.view_mut(), max);
            for (&s, &got) in scores.iter().zip(&got) {
                let want = (s - max).exp();
                let ok = if s - max < -708.0 {
                    got == 0.0 && want < 3.4e-308
                } else {
                    ulps(got, want) <= 2.0
                };
                prop_assert!(ok, "exp({s} - {max}) = {got:e}, not {want:e}");
            }
        }

        #[test]
        fn within_two_ulps_near_zero(x in -1e-6f64..=0.0) {
            let (got, want) = (exp_nonpositive(x), x.exp());
            prop_assert!(ulps(got, want) <= 2.0, "exp({x}) = {got:e}, not {want:e}");
        }
    }
}
