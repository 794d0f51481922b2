//! Cross-attention with trainable projections: the decoder is projected
//! into queries, the encoder into keys and values.

use anyhow::Result;
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{AttentionOutput, Scale, attention};
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array3, ArrayView2, ArrayView3, Axis};

// ANCHOR: struct
/// Scaled dot-product cross-attention with three trainable matrices.
///
/// A cross-attention layer has exactly the weights of a self-attention
/// layer, `W_q`, `W_k` and `W_v`, so it wraps chapter 5's
/// [`SelfAttention`] for them. What changes is which sequence feeds which
/// projection: the decoder feeds `W_q`, the encoder feeds `W_k` and `W_v`.
///
/// # Shapes
/// - the projections are `(d_in, d_out)` each
#[derive(Debug, Clone, PartialEq)]
pub struct CrossAttention {
    projections: SelfAttention,
}
// ANCHOR_END: struct

impl CrossAttention {
    /// Uses the three projections of `projections` for cross-attention.
    ///
    /// # Shapes
    /// - `projections`: `W_q`, `W_k`, `W_v` of `(d_in, d_out)` each
    pub fn new(projections: SelfAttention) -> Self {
        Self { projections }
    }

    /// Builds the layer with random weights, exactly as
    /// [`SelfAttention::random`] does (uniform in
    /// `[-1/sqrt(d_in), 1/sqrt(d_in))`; `W_q`, then `W_k`, then `W_v`).
    ///
    /// # Shapes
    /// - returns a layer with projections of `(d_in, d_out)` each
    ///
    /// # Errors
    /// `d_in` or `d_out` equal to 0.
    pub fn random(
        d_in: usize,
        d_out: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        Ok(Self::new(SelfAttention::random(d_in, d_out, rng)?))
    }

    /// The three projections, as a chapter 5 layer.
    pub fn projections(&self) -> &SelfAttention {
        &self.projections
    }

    /// The width of an input token, on either side.
    pub fn d_in(&self) -> usize {
        self.projections.d_in()
    }

    /// The width of a query, key, value and context vector.
    pub fn d_out(&self) -> usize {
        self.projections.d_out()
    }

    // ANCHOR: forward
    /// Cross-attention: `softmax(Q K^T / sqrt(d_out)) V` with
    /// `Q = D W_q` from the decoder and `K = E W_k`, `V = E W_v` from the
    /// encoder.
    ///
    /// # Shapes
    /// - `decoder`: `(T_dec, d_in)`, `encoder`: `(T_enc, d_in)`
    /// - returns scores and weights `(T_dec, T_enc)` (row = decoder token,
    ///   column = encoder token) and context `(T_dec, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite sequence (either side), a decoder and an
    /// encoder of different widths, or a width other than `d_in`.
    pub fn forward(
        &self,
        decoder: ArrayView2<f64>,
        encoder: ArrayView2<f64>,
    ) -> Result<AttentionOutput> {
        self.check_widths(decoder, encoder)?;
        let p = &self.projections;
        // Each projection is X W with W of shape (d_in, d_out):
        let q = p.queries(decoder)?; // (T_dec, d_in) -> (T_dec, d_out)
        let k = p.keys(encoder)?; // (T_enc, d_in) -> (T_enc, d_out)
        let v = p.values(encoder)?; // (T_enc, d_in) -> (T_enc, d_out)
        // scores  (T_dec, d_out) x (d_out, T_enc) -> (T_dec, T_enc)
        // context (T_dec, T_enc) x (T_enc, d_out) -> (T_dec, d_out)
        attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)
    }
    // ANCHOR_END: forward

    // ANCHOR: forward_batch
    /// Cross-attention over a batch: example `b` of the decoder batch
    /// attends over example `b` of the encoder batch.
    ///
    /// Every example in a batch has the same `T_dec` and the same `T_enc`
    /// (an `Array3` is a box); sentences of different lengths need padding
    /// and a mask (exercise 8.2).
    ///
    /// # Shapes
    /// - `decoder`: `(B, T_dec, d_in)`, `encoder`: `(B, T_enc, d_in)`
    /// - returns the context `(B, T_dec, d_out)`
    ///
    /// # Errors
    /// An empty or non-finite batch (either side), different batch sizes
    /// `B`, or widths that differ from each other or from `d_in`; the
    /// error names the shapes.
    pub fn forward_batch(
        &self,
        decoder: ArrayView3<f64>,
        encoder: ArrayView3<f64>,
    ) -> Result<Array3<f64>> {
        check::usable("decoder", &decoder)?;
        check::usable("encoder", &encoder)?;
        let (b, t_dec, d_dec) = decoder.dim();
        let (b_enc, _, d_enc) = encoder.dim();
        let (dec, enc) = (check::shape(&decoder), check::shape(&encoder));
        check::same_len(
            "the batch sizes of the decoder and the encoder (B)",
            ("decoder", b, &dec),
            ("encoder", b_enc, &enc),
        )?;
        self.check_d_in((d_dec, &dec), (d_enc, &enc))?;
        let mut context = Array3::zeros((b, t_dec, self.d_out()));
        for (i, mut out) in context.outer_iter_mut().enumerate() {
            // (T_dec, d_in) and (T_enc, d_in) -> (T_dec, d_out)
            let one = self.forward(
                decoder.index_axis(Axis(0), i),
                encoder.index_axis(Axis(0), i),
            )?;
            out.assign(&one.context);
        }
        Ok(context)
    }
    // ANCHOR_END: forward_batch

    /// Fails unless both sequences are usable and `d_in` wide.
    fn check_widths(
        &self,
        decoder: ArrayView2<f64>,
        encoder: ArrayView2<f64>,
    ) -> Result<()> {
        check::usable("decoder", &decoder)?;
        check::usable("encoder", &encoder)?;
        self.check_d_in(
            (decoder.ncols(), &check::shape(&decoder)),
            (encoder.ncols(), &check::shape(&encoder)),
        )
    }

    /// Fails unless the decoder's width and the encoder's width agree
    /// (naming both shapes), and then agree with the projections' `d_in`.
    fn check_d_in(
        &self,
        decoder: (usize, &str),
        encoder: (usize, &str),
    ) -> Result<()> {
        check::same_len(
            "the widths of the decoder and the encoder (d_in)",
            ("decoder", decoder.0, decoder.1),
            ("encoder", encoder.0, encoder.1),
        )?;
        let w_q = self.projections.w_q();
        check::same_len(
            "the width of the tokens and the rows of the projections (d_in)",
            ("decoder", decoder.0, decoder.1),
            ("w_q", w_q.nrows(), &check::shape(&w_q)),
        )
    }
}
