//! Self-attention without positions cannot see word order: shuffling the
//! tokens shuffles the outputs in the same way and changes nothing else.

use attn_common::rng::SplitMix64;
use ch04_self_attention::self_attention::self_attention;
use ndarray::Axis;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// A random permutation of `0..n` (Fisher-Yates).
fn permutation(rng: &mut SplitMix64, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

// ANCHOR: permutation
/// Shuffles `T` random tokens and checks that every output follows them:
/// the context of shuffled row `r` is the context of token `p[r]`, and
/// the weight from `r` to `c` is the weight from `p[r]` to `p[c]`.
fn shuffling_permutes_the_outputs(
    t: usize,
    d_in: usize,
    seed: u64,
) -> Result<(), TestCaseError> {
    let mut rng = SplitMix64::new(seed);
    let x = rng.normal_matrix(t, d_in);
    let p = permutation(&mut rng, t);
    let shuffled = x.select(Axis(0), &p); // row r is token p[r]
    let a = self_attention(x.view()).unwrap();
    let b = self_attention(shuffled.view()).unwrap();
    for r in 0..t {
        for c in 0..d_in {
            let (got, want) = (b.context[[r, c]], a.context[[p[r], c]]);
            prop_assert!((got - want).abs() < 1e-12);
        }
        for c in 0..t {
            let (got, want) = (b.weights[[r, c]], a.weights[[p[r], p[c]]]);
            prop_assert!((got - want).abs() < 1e-12);
        }
    }
    Ok(())
}
// ANCHOR_END: permutation

#[test]
fn reversing_the_journey_sentence_reverses_its_outputs() {
    let s = ch04_self_attention::sentences::journey();
    let reversed = s.x.slice(ndarray::s![..;-1, ..]).to_owned();
    let a = self_attention(s.x.view()).unwrap();
    let b = self_attention(reversed.view()).unwrap();
    for r in 0..6 {
        for c in 0..3 {
            let (got, want) = (b.context[[r, c]], a.context[[5 - r, c]]);
            assert!((got - want).abs() < 1e-12);
        }
    }
}

#[test]
fn the_permutation_helper_is_a_permutation() {
    let mut rng = SplitMix64::new(3);
    let mut p = permutation(&mut rng, 10);
    p.sort_unstable();
    assert_eq!(p, (0..10).collect::<Vec<_>>());
}

proptest! {
    #[test]
    fn permuting_the_tokens_permutes_the_outputs(
        t in 1usize..9, d_in in 1usize..6, seed in any::<u64>(),
    ) {
        shuffling_permutes_the_outputs(t, d_in, seed)?;
    }
}
