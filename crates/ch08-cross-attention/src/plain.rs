//! Cross-attention without projections: queries are the decoder's
//! embeddings, keys and values are the encoder's.

use anyhow::Result;
use attn_common::check;
use ch03_queries_keys_values::attention::{AttentionOutput, Scale, attention};
use ndarray::ArrayView2;

// ANCHOR: cross_attention
/// Every decoder token attends over the encoder's tokens:
/// `softmax(D E^T / sqrt(d_in)) E`.
///
/// The queries come from one sequence and the keys and values from
/// another, so the weight matrix has one row per decoder token and one
/// column per encoder token: it is square only when the two lengths happen
/// to agree.
///
/// # Shapes
/// - `decoder`: `(T_dec, d_in)`, `encoder`: `(T_enc, d_in)`
/// - returns scores and weights `(T_dec, T_enc)` (row = decoder token,
///   column = encoder token) and context `(T_dec, d_in)`
///
/// # Errors
/// An empty or non-finite sequence (either side), or a decoder and an
/// encoder of different widths; the error names both shapes.
pub fn cross_attention(
    decoder: ArrayView2<f64>,
    encoder: ArrayView2<f64>,
) -> Result<AttentionOutput> {
    check::usable("decoder", &decoder)?;
    check::usable("encoder", &encoder)?;
    check::same_len(
        "the widths of the decoder and the encoder (d_in)",
        ("decoder", decoder.ncols(), &check::shape(&decoder)),
        ("encoder", encoder.ncols(), &check::shape(&encoder)),
    )?;
    // Q = decoder, K = V = encoder:
    // scores  (T_dec, d_in) x (d_in, T_enc) -> (T_dec, T_enc)
    // context (T_dec, T_enc) x (T_enc, d_in) -> (T_dec, d_in)
    attention(decoder, encoder, encoder, Scale::InvSqrtDk)
}
// ANCHOR_END: cross_attention

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translation::hello_world;
    use ndarray::{Array2, array};

    #[test]
    fn bonjour_scores_hello_by_their_scaled_dot_product() {
        // (1.8 * 2.0 + 0.3 * 0.2 + 0.2 * 0.0) / sqrt(3)
        //   = 3.66 / 1.7320508 = 2.1131121...
        let t = hello_world();
        let out = cross_attention(t.decoder.view(), t.encoder.view()).unwrap();
        assert_eq!(out.weights.dim(), (2, 3));
        assert!((out.scores[[0, 0]] - 3.66 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn one_encoder_token_takes_all_the_weight() {
        // A single key gets weight 1 whatever the query, so every context
        // vector is that key's value.
        let out = cross_attention(
            array![[1.0, 0.0], [-3.0, 2.0]].view(),
            array![[0.5, 4.0]].view(),
        )
        .unwrap();
        assert_eq!(out.weights, array![[1.0], [1.0]]);
        assert_eq!(out.context, array![[0.5, 4.0], [0.5, 4.0]]);
    }

    #[test]
    fn mismatched_widths_name_both_shapes() {
        let err = cross_attention(
            Array2::zeros((2, 3)).view(),
            Array2::zeros((4, 5)).view(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`decoder` has shape (2, 3)"), "{err}");
        assert!(err.contains("`encoder` has shape (4, 5)"), "{err}");
    }

    #[test]
    fn an_empty_decoder_is_an_error() {
        let err = cross_attention(
            Array2::zeros((0, 3)).view(),
            Array2::zeros((4, 3)).view(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`decoder` with shape (0, 3) is empty"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_encoder_is_an_error() {
        let err = cross_attention(
            Array2::zeros((2, 3)).view(),
            Array2::zeros((0, 3)).view(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`encoder` with shape (0, 3) is empty"),
            "{err}"
        );
    }

    #[test]
    fn non_finite_values_are_rejected_on_either_side() {
        let good = array![[1.0, 2.0]];
        let bad = array![[1.0, f64::NAN]];
        let err = cross_attention(bad.view(), good.view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`decoder` with shape (1, 2)"), "{err}");
        let err = cross_attention(good.view(), bad.view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`encoder` with shape (1, 2)"), "{err}");
    }
}
