//! The two tasks: associative recall, and chapter 4's pronoun.

use crate::model::{Example, Target};
use anyhow::{Context, Result};
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::{Sentence, animal};
use ndarray::Array2;

/// How many different keys the recall task knows (`a` to `d`).
pub const KEYS: usize = 4;
/// How many different values it knows (`0` to `3`).
pub const VALUES: usize = 4;
/// How many key=value pairs a sequence stores before its query.
pub const PAIRS: usize = 3;
/// The width of a recall token: one-hot key, one-hot value, query flag.
pub const D_IN: usize = KEYS + VALUES + 1;

const KEY_NAMES: [&str; KEYS] = ["a", "b", "c", "d"];

/// One recall sequence, as symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recall {
    /// The stored pairs `(key, value)`, keys all different.
    pub pairs: Vec<(usize, usize)>,
    /// Which stored pair the query asks for.
    pub asked: usize,
}

impl Recall {
    /// The tokens as text: `b=3` for a pair, `b?` for the query.
    pub fn tokens(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .pairs
            .iter()
            .map(|&(k, v)| format!("{}={v}", KEY_NAMES[k]))
            .collect();
        out.push(format!("{}?", KEY_NAMES[self.pairs[self.asked].0]));
        out
    }

    /// The value the query must recall.
    pub fn answer(&self) -> usize {
        self.pairs[self.asked].1
    }

    // ANCHOR: recall_example
    /// The sequence as a training example: a pair token is its key
    /// one-hot next to its value one-hot; the query token is its key
    /// one-hot and a 1 in the last feature, the query flag. The last row
    /// must name the stored value (a class of [`VALUES`]).
    ///
    /// # Shapes
    /// - `x`: `(T, d_in) = (PAIRS + 1, KEYS + VALUES + 1)`
    pub fn example(&self) -> Example {
        let t = self.pairs.len() + 1;
        let mut x = Array2::zeros((t, D_IN));
        for (row, &(k, v)) in self.pairs.iter().enumerate() {
            x[[row, k]] = 1.0;
            x[[row, KEYS + v]] = 1.0;
        }
        x[[t - 1, self.pairs[self.asked].0]] = 1.0;
        x[[t - 1, D_IN - 1]] = 1.0;
        Example {
            x,
            row: t - 1,
            target: Target::Class(self.answer()),
        }
    }
    // ANCHOR_END: recall_example
}

/// A random recall sequence: [`PAIRS`] different keys in random order,
/// each with a value drawn uniformly, and one of them asked for.
pub fn random_recall(rng: &mut SplitMix64) -> Recall {
    let mut keys: Vec<usize> = (0..KEYS).collect();
    for i in (1..KEYS).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        keys.swap(i, j);
    }
    let pairs = keys[..PAIRS]
        .iter()
        .map(|&k| (k, (rng.next_u64() % VALUES as u64) as usize))
        .collect();
    let asked = (rng.next_u64() % PAIRS as u64) as usize;
    Recall { pairs, asked }
}

/// `n` random recall sequences from `rng`.
pub fn recall_set(n: usize, rng: &mut SplitMix64) -> Vec<Recall> {
    (0..n).map(|_| random_recall(rng)).collect()
}

// ANCHOR: pronoun
/// Chapter 4's sentence as a training example: row "it" must attend to
/// "animal". The loss is `-ln a`, with `a` the weight "it" gives
/// "animal".
///
/// # Shapes
/// - `x`: `(T, d_in) = (11, 5)`, chapter 4's hand-made embeddings
pub fn pronoun() -> Result<(Sentence, Example)> {
    let s = animal();
    let row = s.index_of("it").context("\"it\" is in the sentence")?;
    let target = s.index_of("animal").context("\"animal\" is in it")?;
    let ex = Example {
        x: s.x.clone(),
        row,
        target: Target::Token(target),
    };
    Ok((s, ex))
}
// ANCHOR_END: pronoun

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recall_sequence_has_different_keys_and_a_flagged_query() {
        let mut rng = SplitMix64::new(5);
        for r in recall_set(50, &mut rng) {
            let mut keys: Vec<usize> = r.pairs.iter().map(|p| p.0).collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), PAIRS);
            let ex = r.example();
            assert_eq!(ex.x.dim(), (PAIRS + 1, D_IN));
            assert_eq!(ex.x[[PAIRS, D_IN - 1]], 1.0);
            assert_eq!(ex.x.row(PAIRS).sum(), 2.0);
            assert_eq!(ex.target, Target::Class(r.answer()));
        }
    }

    #[test]
    fn tokens_read_as_pairs_and_a_query() {
        let r = Recall {
            pairs: vec![(1, 3), (0, 0), (3, 2)],
            asked: 2,
        };
        assert_eq!(r.tokens(), ["b=3", "a=0", "d=2", "d?"]);
        assert_eq!(r.answer(), 2);
    }

    #[test]
    fn the_pronoun_example_points_it_at_animal() {
        let (s, ex) = pronoun().unwrap();
        assert_eq!(s.tokens[ex.row], "it");
        assert_eq!(ex.target, Target::Token(1));
    }
}
