//! The task: random tokens whose second half repeats the first.
//!
//! A sequence of length `T = 2n` draws `n` tokens uniformly from a
//! vocabulary of `V`, then writes them again. Nothing predicts a token of
//! the first half, so there the best possible loss is `ln V`. In the
//! second half every next token is the one that followed the current
//! token last time: a model that can look that up predicts it exactly.

use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;

// ANCHOR: sequence
/// One training sequence: `half` random tokens below `vocab`, twice.
///
/// # Shapes
/// - returns `(2 * half,)` token ids
///
/// # Errors
/// `vocab` or `half` of 0.
pub fn repeated_sequence(
    vocab: usize,
    half: usize,
    rng: &mut SplitMix64,
) -> Result<Vec<usize>> {
    ensure!(vocab > 0 && half > 0, "vocab {vocab} and half {half} must be > 0");
    let first: Vec<usize> = (0..half)
        .map(|_| (rng.next_u64() % vocab as u64) as usize)
        .collect();
    Ok([first.as_slice(), first.as_slice()].concat())
}
// ANCHOR_END: sequence

/// `count` sequences drawn one after the other from `rng`.
///
/// # Shapes
/// - returns `count` sequences of shape `(2 * half,)`
///
/// # Errors
/// As [`repeated_sequence`].
pub fn batch(
    vocab: usize,
    half: usize,
    count: usize,
    rng: &mut SplitMix64,
) -> Result<Vec<Vec<usize>>> {
    (0..count)
        .map(|_| repeated_sequence(vocab, half, rng))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_second_half_repeats_the_first(
            vocab in 1usize..50, half in 1usize..20, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let s = repeated_sequence(vocab, half, &mut rng).unwrap();
            prop_assert_eq!(s.len(), 2 * half);
            prop_assert_eq!(&s[..half], &s[half..]);
            prop_assert!(s.iter().all(|&t| t < vocab));
        }
    }

    #[test]
    fn an_empty_vocabulary_is_an_error() {
        let mut rng = SplitMix64::new(1);
        assert!(repeated_sequence(0, 4, &mut rng).is_err());
        assert!(repeated_sequence(4, 0, &mut rng).is_err());
    }
}
