//! Five attention patterns built by hand, each with a cause we know,
//! all on example 4's sentence so they can be compared map by map.

use anyhow::Result;
use ch03_queries_keys_values::softmax::softmax_rows;
use ch04_self_attention::self_attention::self_attention;
use ch04_self_attention::sentences::Sentence;
use ndarray::Array2;

/// The score a rule gives its chosen key; every other key scores 0.
pub const STRENGTH: f64 = 4.0;

/// A pattern: its name, the rule that causes it, and its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// A short name, such as "previous token".
    pub name: &'static str,
    /// What produces it, in words.
    pub cause: &'static str,
    /// The weights, one row per query. Shape `(T, T)`.
    pub weights: Array2<f64>,
}

// ANCHOR: positional
/// Scores [`STRENGTH`] where `chosen(i)` names the key of query `i`, 0
/// elsewhere, then a softmax per row: a pattern caused by position
/// alone, whatever the words are.
///
/// # Shapes
/// - returns `(T, T)`
pub fn positional(
    t: usize,
    chosen: impl Fn(usize) -> usize,
) -> Result<Array2<f64>> {
    let scores = Array2::from_shape_fn((t, t), |(i, j)| {
        if j == chosen(i) { STRENGTH } else { 0.0 }
    });
    softmax_rows(scores.view()) // (T, T) -> (T, T)
}
// ANCHOR_END: positional

/// The five patterns on `sentence`: attend to self, previous token,
/// first token (a "sink"), broad averaging, and pronoun to noun (chapter
/// 4's self-attention of the hand-made embeddings).
///
/// # Shapes
/// - `sentence.x`: `(T, d_in)`; every pattern's weights are `(T, T)`
///
/// # Errors
/// An empty or non-finite sentence.
pub fn patterns(sentence: &Sentence) -> Result<Vec<Pattern>> {
    let t = sentence.x.nrows();
    attn_common::check::usable("x", &sentence.x)?;
    Ok(vec![
        Pattern {
            name: "attend to self",
            cause: "score 4 on the diagonal",
            weights: positional(t, |i| i)?,
        },
        Pattern {
            name: "previous token",
            cause: "score 4 on key i - 1",
            weights: positional(t, |i| i.saturating_sub(1))?,
        },
        Pattern {
            name: "first token (sink)",
            cause: "score 4 on key 0",
            weights: positional(t, |_| 0)?,
        },
        Pattern {
            name: "broad averaging",
            cause: "every score equal",
            weights: softmax_rows(Array2::zeros((t, t)).view())?,
        },
        Pattern {
            name: "pronoun to noun",
            cause: "shared features, X X^T",
            weights: self_attention(sentence.x.view())?.weights,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn every_pattern_is_a_map_of_distributions() {
        let s = ch04_self_attention::sentences::animal();
        for p in patterns(&s).unwrap() {
            crate::weights::check_rows(p.name, p.weights.view()).unwrap();
        }
    }

    #[test]
    fn an_empty_sentence_is_refused_with_its_shape() {
        let s = Sentence {
            tokens: vec![],
            x: Array2::zeros((0, 5)),
        };
        let err = patterns(&s).unwrap_err().to_string();
        assert!(err.contains("(0, 5)"), "{err}");
    }
}
