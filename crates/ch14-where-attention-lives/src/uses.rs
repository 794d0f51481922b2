//! Where attention shows up, as toy examples with hand-set features.
//!
//! No model learned these vectors: each feature is named, and every
//! vector was written by hand to make one idea visible. They show the
//! mechanism a real model uses, not what a real model has learned.

use anyhow::{Result, ensure};
use attn_common::check;
use ch03_queries_keys_values::attention::{Attended, Scale, attend};
use ch06_causal_attention::{causal_mask, masked_softmax};
use ch08_cross_attention::plain::cross_attention;
use ndarray::{Array1, Array2, ArrayView2, array};

/// A query, and keys that are labelled and share the query's features.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// What each feature stands for. Length `d_k`.
    pub features: Vec<&'static str>,
    /// What the query is, in words.
    pub query_text: &'static str,
    /// The query. Shape `(d_k,)`.
    pub query: Array1<f64>,
    /// What each key is, in words. Length `T`.
    pub key_texts: Vec<&'static str>,
    /// One key per row. Shape `(T, d_k)`.
    pub keys: Array2<f64>,
}

impl Lookup {
    /// Scaled dot-product attention of the query over the keys (the keys
    /// serve as values too).
    ///
    /// # Shapes
    /// - returns scores and weights `(T,)` and output `(d_k,)`
    ///
    /// # Errors
    /// As chapter 3's `attend`.
    pub fn attend(&self) -> Result<Attended> {
        attend(
            self.query.view(),
            self.keys.view(),
            self.keys.view(),
            Scale::InvSqrtDk,
        )
    }
}

// ANCHOR: faucet
/// A search engine reading "how to fix a leaky faucet" against four
/// document titles.
///
/// # Shapes
/// - query `(d_k,) = (4,)`, keys `(T, d_k) = (4, 4)`
pub fn faucet() -> Lookup {
    Lookup {
        features: vec!["tap", "leak", "repair", "cooking"],
        query_text: "how to fix a leaky faucet",
        query: array![2.0, 2.0, 2.0, 0.0],
        key_texts: vec![
            "Stop a dripping tap: replace the washer",
            "Choosing a new kitchen faucet",
            "Fixing a leaking roof",
            "Ten quick pasta recipes",
        ],
        keys: array![
            [2.0, 2.0, 1.5, 0.0],
            [2.0, 0.0, 0.0, 1.0],
            [0.0, 2.0, 2.0, 0.0],
            [0.0, 0.0, 0.0, 2.0],
        ],
    }
}
// ANCHOR_END: faucet

/// A chat model looking back over four earlier turns for "what did I say
/// about cats?".
///
/// # Shapes
/// - query `(d_k,) = (4,)`, keys `(T, d_k) = (4, 4)`
pub fn cats() -> Lookup {
    Lookup {
        features: vec!["cats", "pets", "weather", "books"],
        query_text: "what did I say about cats?",
        query: array![2.0, 1.0, 0.0, 0.0],
        key_texts: vec![
            "I adopted two cats last spring",
            "It has rained all week",
            "Any good mystery novels?",
            "My cat hides from the vacuum",
        ],
        keys: array![
            [2.0, 1.5, 0.0, 0.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 0.0, 0.0, 2.0],
            [1.5, 1.0, 0.0, 0.0],
        ],
    }
}

/// The tokens of `tax_rate = 0.2` followed by `def calculate_`.
pub const CODE_TOKENS: [&str; 5] =
    ["tax_rate", "=", "0.2", "def", "calculate_"];

/// The features of [`code_embeddings`].
pub const CODE_FEATURES: [&str; 4] = ["name", "number", "keyword", "assign"];

/// Hand-set embeddings of [`CODE_TOKENS`].
///
/// # Shapes
/// - returns `(T, d_in) = (5, 4)`
pub fn code_embeddings() -> Array2<f64> {
    array![
        [2.0, 0.0, 0.0, 0.5], // tax_rate
        [0.0, 0.0, 0.0, 2.0], // =
        [0.0, 2.0, 0.0, 0.5], // 0.2
        [0.5, 0.0, 2.0, 0.0], // def
        [2.0, 0.0, 1.0, 0.0], // calculate_
    ]
}

// ANCHOR: code_weights
/// Causal self-attention over the code tokens, without trained weights:
/// `softmax(mask(X X^T / sqrt(d_in))) `, chapter 6's mask.
///
/// # Shapes
/// - `x`: `(T, d_in)` -> weights `(T, T)`, zero above the diagonal
///
/// # Errors
/// An empty or non-finite `x`.
pub fn causal_weights(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    check::usable("x", &x)?;
    let scale = 1.0 / (x.ncols() as f64).sqrt();
    let scores = x.dot(&x.t()) * scale; // (T, d_in) x (d_in, T) -> (T, T)
    masked_softmax(scores.view(), causal_mask(x.nrows()).view())
}
// ANCHOR_END: code_weights

// ANCHOR: patches
/// Cuts an image into square patches of side `p`, left to right and top
/// to bottom, and flattens each into one token, as a vision transformer
/// (ViT) does before its learned projection.
///
/// # Shapes
/// - `image`: `(H, W)`, both multiples of `p`
///   -> `(H / p * W / p, p * p)`: one row per patch
///
/// # Errors
/// An empty or non-finite image, `p == 0`, or sides that `p` does not
/// divide (the error names the image's shape).
pub fn patches(image: ArrayView2<f64>, p: usize) -> Result<Array2<f64>> {
    check::usable("image", &image)?;
    let (h, w) = image.dim();
    ensure!(
        p > 0 && h % p == 0 && w % p == 0,
        "patches of side {p} must tile `image` with shape {} exactly",
        check::shape(&image)
    );
    let (rows, cols) = (h / p, w / p);
    let mut out = Array2::zeros((rows * cols, p * p));
    for r in 0..rows {
        for c in 0..cols {
            for i in 0..p {
                for j in 0..p {
                    out[[r * cols + c, i * p + j]] =
                        image[[r * p + i, c * p + j]];
                }
            }
        }
    }
    Ok(out)
}
// ANCHOR_END: patches

/// How many tokens an `h` by `w` image makes with patches of side `p`
/// (partial patches dropped).
///
/// # Shapes
/// - an `(h, w)` image -> `(h / p) * (w / p)` tokens; 0 when `p == 0`
pub fn patch_count(h: usize, w: usize, p: usize) -> usize {
    match (h.checked_div(p), w.checked_div(p)) {
        (Some(rows), Some(cols)) => rows * cols,
        _ => 0,
    }
}

/// The toy image: pixel `(r, c)` of a 4 x 4 image holds `4 r + c`.
///
/// # Shapes
/// - returns `(4, 4)`
pub fn toy_image() -> Array2<f64> {
    Array2::from_shape_fn((4, 4), |(r, c)| (4 * r + c) as f64)
}

/// The regions of a toy image and the prompt they attend to.
#[derive(Debug, Clone, PartialEq)]
pub struct TextToImage {
    /// What each feature stands for.
    pub features: Vec<&'static str>,
    /// The image regions, in words.
    pub regions: Vec<&'static str>,
    /// One query per region. Shape `(T_img, d)`.
    pub image: Array2<f64>,
    /// The prompt's tokens.
    pub prompt: Vec<&'static str>,
    /// One key (and value) per prompt token. Shape `(T_txt, d)`.
    pub text: Array2<f64>,
}

// ANCHOR: red_ball
/// Four regions of an image being drawn for the prompt "a red ball on
/// grass". Nothing in the prompt speaks of the sky.
///
/// # Shapes
/// - image `(T_img, d) = (4, 4)`, text `(T_txt, d) = (5, 4)`
pub fn red_ball() -> TextToImage {
    TextToImage {
        features: vec!["red", "round", "sky", "green"],
        regions: vec!["sky (left)", "sky (right)", "ball", "ground"],
        image: array![
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 0.5, 2.0, 0.0],
            [2.0, 2.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 2.0],
        ],
        prompt: vec!["a", "red", "ball", "on", "grass"],
        text: array![
            [0.0, 0.0, 0.0, 0.0],
            [2.0, 0.0, 0.0, 0.0],
            [0.5, 2.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 2.0],
        ],
    }
}
// ANCHOR_END: red_ball

/// Cross-attention from the image's regions (queries) to the prompt
/// (keys and values): chapter 8's layer without projections.
///
/// # Shapes
/// - returns weights `(T_img, T_txt)`
///
/// # Errors
/// As chapter 8's `cross_attention`.
pub fn red_ball_weights() -> Result<Array2<f64>> {
    let t = red_ball();
    Ok(cross_attention(t.image.view(), t.text.view())?.weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toy_image_cuts_into_four_tokens() {
        let p = patches(toy_image().view(), 2).unwrap();
        assert_eq!(p.dim(), (4, 4));
        assert_eq!(p.row(0).to_vec(), vec![0.0, 1.0, 4.0, 5.0]);
        assert_eq!(p.row(3).to_vec(), vec![10.0, 11.0, 14.0, 15.0]);
        assert_eq!(patch_count(224, 224, 16), 196);
        let err = patches(toy_image().view(), 3).unwrap_err();
        assert!(err.to_string().contains("(4, 4)"), "{err}");
    }

    #[test]
    fn the_best_matches_win() {
        let w = faucet().attend().unwrap().weights;
        assert!(w[0] > w[1] && w[0] > w[2] && w[0] > w[3]);
        let w = cats().attend().unwrap().weights;
        assert!(w[0] + w[3] > 0.9);
        let w = causal_weights(code_embeddings().view()).unwrap();
        assert_eq!(w[[0, 1]], 0.0);
        assert!(causal_weights(Array2::zeros((0, 4)).view()).is_err());
        let w = red_ball_weights().unwrap();
        assert!(w[[2, 2]] > 0.5 && w[[3, 4]] > 0.5);
    }
}
