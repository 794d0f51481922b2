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
    ensure!(
        vocab > 0 && half > 0,
        "vocab {vocab} and half {half} must be > 0"
    );
    let first: Vec<usize> = (0..half)
        .map(|_| (rng.next_u64() % vocab as u64) as usize)
        .collect();
    Ok([first.as_slice(), first.as_slice()].concat())
}
// ANCHOR_END: sequence

// ANCHOR: batch
/// `count` sequences drawn one after the other from `rng`, each with its
/// own `half` drawn uniformly from `min_half..=max_half`. The repeat
/// starts at a different position in different sequences, so no head can
/// find the earlier copy by position alone: it must look at the tokens.
///
/// # Shapes
/// - returns `count` sequences of shape `(2 * half,)`
///
/// # Errors
/// `min_half` of 0 or above `max_half`, or `vocab` of 0.
pub fn batch(
    vocab: usize,
    (min_half, max_half): (usize, usize),
    count: usize,
    rng: &mut SplitMix64,
) -> Result<Vec<Vec<usize>>> {
    ensure!(
        min_half > 0 && min_half <= max_half,
        "half lengths {min_half}..={max_half} must be a non-empty range above 0"
    );
    let spread = (max_half - min_half + 1) as u64;
    (0..count)
        .map(|_| {
            let half = min_half + (rng.next_u64() % spread) as usize;
            repeated_sequence(vocab, half, rng)
        })
        .collect()
}
// ANCHOR_END: batch

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
        assert!(batch(4, (3, 2), 1, &mut rng).is_err());
    }
}
