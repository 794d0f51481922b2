//! Example 5, "Hello world" -> "Bonjour monde", with hand-made embeddings.
//!
//! Every number chapter 8 prints about the translation starts from the
//! embeddings below. No model learned them: they are chosen by hand so
//! that "Bonjour" lines up with "Hello" and "monde" with "world".

use ndarray::{Array2, array};

/// What each of the three hand-made features stands for.
pub const FEATURES: [&str; 3] = ["greeting", "world", "end"];

/// A source sentence for the encoder and a target sentence for the
/// decoder, each with one embedding per token.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    /// The encoder's tokens (the source language). Length `T_enc`.
    pub encoder_tokens: Vec<&'static str>,
    /// One embedding per encoder token. Shape `(T_enc, d_in)`.
    pub encoder: Array2<f64>,
    /// The decoder's tokens (the target language). Length `T_dec`.
    pub decoder_tokens: Vec<&'static str>,
    /// One embedding per decoder token. Shape `(T_dec, d_in)`.
    pub decoder: Array2<f64>,
}

// ANCHOR: hello_world
/// Example 5: the English "Hello world" (plus an end-of-sequence token
/// `</s>`) on the encoder side, the French "Bonjour monde" on the decoder
/// side, with 3 hand-made [`FEATURES`] per token.
///
/// "Bonjour" carries mostly the greeting feature, like "Hello"; "monde"
/// carries mostly the world feature, like "world". Each also holds a
/// little of the other features, so the alignment is clear but not
/// perfect. `</s>` carries only the end feature.
///
/// # Shapes
/// - returns `encoder` of shape `(T_enc, d_in) = (3, 3)` and `decoder` of
///   shape `(T_dec, d_in) = (2, 3)`
pub fn hello_world() -> Translation {
    Translation {
        encoder_tokens: vec!["Hello", "world", "</s>"],
        // greeting, world, end
        encoder: array![
            [2.0, 0.2, 0.0], // Hello
            [0.2, 2.0, 0.0], // world
            [0.0, 0.0, 1.0], // </s>
        ],
        decoder_tokens: vec!["Bonjour", "monde"],
        decoder: array![
            [1.8, 0.3, 0.2], // Bonjour
            [0.3, 1.6, 0.3], // monde
        ],
    }
}
// ANCHOR_END: hello_world

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_has_one_embedding_of_every_feature() {
        let t = hello_world();
        assert_eq!(t.encoder_tokens.len(), t.encoder.nrows());
        assert_eq!(t.decoder_tokens.len(), t.decoder.nrows());
        assert_eq!(t.encoder.ncols(), FEATURES.len());
        assert_eq!(t.decoder.ncols(), FEATURES.len());
    }
}
