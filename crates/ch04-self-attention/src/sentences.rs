//! The chapter's two sentences, stored once as the source of truth.
//!
//! Every number chapter 4 prints about these sentences starts from the
//! embeddings below; nothing is retyped in the text.

use ndarray::{Array2, array};

/// A tokenised sentence with one embedding per token.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The tokens, in order. Length `T`.
    pub tokens: Vec<&'static str>,
    /// One embedding per row. Shape `(T, d_in)`.
    pub x: Array2<f64>,
}

impl Sentence {
    /// The position of `token` (its first occurrence), if it occurs.
    pub fn index_of(&self, token: &str) -> Option<usize> {
        self.tokens.iter().position(|t| *t == token)
    }
}

// ANCHOR: journey
/// Example 3, "Your journey starts with one step": six tokens, each with a
/// 3-dimensional embedding.
///
/// These are the inputs of the common PyTorch walk-through of this
/// sentence, so readers can compare every number with it.
///
/// # Shapes
/// - returns `x` of shape `(T, d_in) = (6, 3)`
pub fn journey() -> Sentence {
    Sentence {
        tokens: vec!["Your", "journey", "starts", "with", "one", "step"],
        x: array![
            [0.43, 0.15, 0.89], // Your
            [0.55, 0.87, 0.66], // journey
            [0.57, 0.85, 0.64], // starts
            [0.22, 0.58, 0.33], // with
            [0.77, 0.25, 0.10], // one
            [0.05, 0.80, 0.55], // step
        ],
    }
}
// ANCHOR_END: journey

/// What each of the five hand-made features of [`animal`] stands for.
pub const ANIMAL_FEATURES: [&str; 5] =
    ["entity", "animate", "place", "action", "grammar"];

// ANCHOR: animal
/// Example 4, "The animal didn't cross the street because it was too
/// tired", with embeddings made by hand (no model learned them).
///
/// The five features are [`ANIMAL_FEATURES`]. They are chosen so that the
/// pronoun "it" shares two features with "animal" (an entity, and a living
/// one) but only one with "street" (an entity, but a place). "animal"
/// carries its features more strongly than the pronoun does, so its vector
/// is longer than the pronoun's.
///
/// # Shapes
/// - returns `x` of shape `(T, d_in) = (11, 5)`
pub fn animal() -> Sentence {
    Sentence {
        tokens: vec![
            "The", "animal", "didn't", "cross", "the", "street", "because",
            "it", "was", "too", "tired",
        ],
        // entity, animate, place, action, grammar
        x: array![
            [0.0, 0.0, 0.0, 0.0, 1.0], // The
            [1.5, 1.5, 0.0, 0.0, 0.0], // animal
            [0.0, 0.0, 0.0, 0.5, 0.8], // didn't
            [0.0, 0.0, 0.5, 1.2, 0.0], // cross
            [0.0, 0.0, 0.0, 0.0, 1.0], // the
            [1.5, 0.0, 1.5, 0.0, 0.0], // street
            [0.0, 0.0, 0.0, 0.0, 1.0], // because
            [1.0, 1.0, 0.0, 0.0, 0.5], // it
            [0.0, 0.0, 0.0, 0.6, 0.8], // was
            [0.0, 0.0, 0.0, 0.3, 0.8], // too
            [0.0, 0.8, 0.0, 1.2, 0.0], // tired
        ],
    }
}
// ANCHOR_END: animal

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_has_one_embedding() {
        for s in [journey(), animal()] {
            assert_eq!(s.tokens.len(), s.x.nrows());
        }
        assert_eq!(animal().x.ncols(), ANIMAL_FEATURES.len());
    }

    #[test]
    fn index_of_finds_the_first_occurrence() {
        let s = animal();
        assert_eq!(s.index_of("it"), Some(7));
        assert_eq!(s.index_of("the"), Some(4));
        assert_eq!(s.index_of("cat"), None);
    }
}
