//! Instructor-only tests: `cargo xtask assign` leaves this file out of the
//! student copy; `cargo xtask grade` puts it back.
//!
//! They check chapter 4's exercises on other inputs than the visible
//! tests: random sequences against the library's `self_attend_one`, a
//! single token, scores too large for a naive softmax, ties and negative
//! weights, the two-token case, and budgets where a floating-point square
//! root is off by one. Hand-computed values are worked out in each
//! comment (and were checked with Python).

use attn_common::rng::SplitMix64;
use ch04_self_attention::exercises::{
    context_by_loops, max_tokens_for_budget, most_attended,
};
use ch04_self_attention::self_attention::{self_attend_one, self_attention};
use ndarray::{Array2, ArrayView2, array};

/// For each row, the first column `j != i` with the largest entry,
/// computed here as the reference.
fn reference_most_attended(w: ArrayView2<f64>) -> Vec<usize> {
    let t = w.nrows();
    (0..t)
        .map(|i| {
            let mut best = None::<usize>;
            for j in (0..t).filter(|&j| j != i) {
                if best.is_none_or(|b| w[[i, j]] > w[[i, b]]) {
                    best = Some(j);
                }
            }
            best.unwrap()
        })
        .collect()
}

// Exercise 4.1: context_by_loops

#[test]
fn ex_4_1_matches_self_attend_one_on_random_sequences() {
    // The library's `self_attend_one` (not part of the exercise) is
    // softmax(x_i . x_j) over j, times x.
    let mut rng = SplitMix64::new(41);
    for (t, d_in) in [(1, 1), (2, 5), (4, 1), (7, 3), (10, 8)] {
        let x = rng.normal_matrix(t, d_in);
        for i in 0..t {
            let z = context_by_loops(x.view(), i).unwrap();
            let want = self_attend_one(x.view(), i).unwrap().output;
            assert_eq!(z.len(), d_in);
            for (a, b) in z.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "({t}, {d_in}) row {i}: {z}");
            }
        }
        // A transposed view is read by its logical rows, not its memory.
        let xt = x.t().to_owned();
        let z = context_by_loops(xt.t(), t - 1).unwrap();
        let want = self_attention(x.view()).unwrap().context;
        for (a, b) in z.iter().zip(want.row(t - 1)) {
            assert!((a - b).abs() < 1e-12, "transposed: {z}");
        }
    }
}

#[test]
fn ex_4_1_a_single_token_returns_itself() {
    // One token has one score, weight softmax([s]) = [1], context 1 * x_0.
    let x = array![[3.5, -2.0, 0.25]];
    let z = context_by_loops(x.view(), 0).unwrap();
    assert_eq!(z, array![3.5, -2.0, 0.25]);
}

#[test]
fn ex_4_1_large_scores_do_not_overflow() {
    // x = [[40, 0], [0, 40], [40, 1]], query 0: scores [1600, 0, 1600].
    // e^1600 overflows, so the softmax must subtract the max: weights
    // [1/2, e^-1600 / 2 = 0, 1/2], context [0.5 * 40 + 0.5 * 40,
    // 0.5 * 1] = [40, 0.5] exactly.
    let x = array![[40.0, 0.0], [0.0, 40.0], [40.0, 1.0]];
    let z = context_by_loops(x.view(), 0).unwrap();
    assert_eq!(z, array![40.0, 0.5]);
    // Query 1: scores [0, 1600, 40]: one-hot on itself, context x_1.
    let z = context_by_loops(x.view(), 1).unwrap();
    assert_eq!(z, array![0.0, 40.0]);
}

#[test]
fn ex_4_1_rejects_bad_inputs() {
    let one = array![[1.0, 2.0]];
    let err = context_by_loops(one.view(), 1).unwrap_err().to_string();
    assert!(err.contains("(1, 2)"), "{err}");
    assert!(context_by_loops(one.view(), usize::MAX).is_err());
    let nan = array![[1.0, 0.0], [f64::NAN, 1.0]];
    assert!(context_by_loops(nan.view(), 0).is_err());
    let no_features = Array2::<f64>::zeros((3, 0));
    assert!(context_by_loops(no_features.view(), 0).is_err());
}

// Exercise 4.2: most_attended

#[test]
fn ex_4_2_matches_the_arg_max_off_the_diagonal_on_random_matrices() {
    let mut rng = SplitMix64::new(42);
    for t in [2, 3, 5, 9] {
        // Attention weights, whose diagonal is often the largest entry.
        let x = rng.normal_matrix(t, 3);
        let w = self_attention(x.view()).unwrap().weights;
        assert_eq!(
            most_attended(w.view()).unwrap(),
            reference_most_attended(w.view())
        );
        // Any finite numbers, negative ones included.
        let m = rng.uniform_matrix(t, t, -5.0, 5.0);
        assert_eq!(
            most_attended(m.view()).unwrap(),
            reference_most_attended(m.view())
        );
    }
}

#[test]
fn ex_4_2_two_tokens_always_pick_each_other() {
    // With two tokens the only other token is the answer, whatever the
    // weights (here the diagonal is larger each time).
    let w = array![[0.9, 0.1], [0.3, 0.7]];
    assert_eq!(most_attended(w.view()).unwrap(), vec![1, 0]);
}

#[test]
fn ex_4_2_ties_and_negative_weights() {
    // All off-diagonal weights equal: the smallest other index, which is
    // 1 for row 0 (not the diagonal 0) and 0 for the others.
    let uniform = Array2::from_elem((4, 4), 0.25);
    assert_eq!(most_attended(uniform.view()).unwrap(), vec![1, 0, 0, 0]);
    // Negative entries, so a search starting from a best weight of 0 finds
    // nothing: row 0 compares -3 (col 1) and -2 (col 2) -> 2; row 1
    // compares -5 and -4 -> 2; row 2 compares -2 and -1 -> 1.
    let w = array![[-1.0, -3.0, -2.0], [-5.0, 0.0, -4.0], [-2.0, -1.0, -9.0]];
    assert_eq!(most_attended(w.view()).unwrap(), vec![2, 2, 1]);
    // A tie between the last two columns of row 0: column 2 wins over 3.
    let w = array![
        [0.1, 0.2, 0.35, 0.35],
        [0.4, 0.3, 0.2, 0.1],
        [0.1, 0.1, 0.7, 0.1],
        [0.3, 0.3, 0.1, 0.3],
    ];
    assert_eq!(most_attended(w.view()).unwrap(), vec![2, 0, 0, 0]);
}

#[test]
fn ex_4_2_rejects_other_shapes_and_values() {
    let tall = Array2::<f64>::zeros((3, 2));
    let err = most_attended(tall.view()).unwrap_err().to_string();
    assert!(err.contains("(3, 2)"), "{err}");
    assert!(most_attended(Array2::<f64>::zeros((2, 3)).view()).is_err());
    assert!(most_attended(Array2::<f64>::zeros((0, 0)).view()).is_err());
    let inf = array![[0.5, 0.5], [f64::NEG_INFINITY, 0.5]];
    assert!(most_attended(inf.view()).is_err());
}

// Exercise 4.3: max_tokens_for_budget

#[test]
fn ex_4_3_other_small_budgets() {
    // 4 * 1^2 = 4 and 4 * 2^2 = 16: budgets 4..=15 give 1, 16 gives 2.
    for b in 4..16 {
        assert_eq!(max_tokens_for_budget(b), 1, "{b}");
    }
    assert_eq!(max_tokens_for_budget(16), 2);
    assert_eq!(max_tokens_for_budget(35), 2); // 4 * 3^2 = 36
    assert_eq!(max_tokens_for_budget(36), 3);
    assert_eq!(max_tokens_for_budget(1_000_000), 500); // 4 * 500^2
    assert_eq!(max_tokens_for_budget(1_000_003), 500);
}

#[test]
fn ex_4_3_exact_squares_and_one_byte_short_beyond_2_pow_53() {
    // For T^2 above 2^53 an f64 cannot hold T^2 - 1: Python says
    // float(94906267**2 - 1) == float(94906267**2), so a float square
    // root of floor((4 T^2 - 1) / 4) = T^2 - 1 gives T instead of T - 1.
    for t in [
        94_906_267u64,
        1_000_000_007,
        1_500_000_009,
        (1 << 31) - 2,
        (1 << 31) - 1,
    ] {
        let exact = 4 * t * t; // fits: 4 (2^31 - 1)^2 < 2^64
        assert_eq!(max_tokens_for_budget(exact), t, "4 * {t}^2");
        assert_eq!(max_tokens_for_budget(exact - 1), t - 1, "4 * {t}^2 - 1");
        assert_eq!(max_tokens_for_budget(exact + 3), t, "4 * {t}^2 + 3");
    }
}

#[test]
fn ex_4_3_brackets_random_budgets() {
    // The answer r must satisfy 4 r^2 <= B < 4 (r + 1)^2, checked in u128
    // so that nothing overflows.
    let mut rng = SplitMix64::new(43);
    for k in 0..2000 {
        // Budgets of every size: shift a random u64 right by 0..64 bits.
        let b = rng.next_u64() >> (k % 64);
        let r = max_tokens_for_budget(b) as u128;
        let b = b as u128;
        assert!(4 * r * r <= b, "{b}: {r}");
        assert!(b < 4 * (r + 1) * (r + 1), "{b}: {r}");
    }
}
