//! Chapter 8 (bonus): cross-attention.
//!
//! Self-attention lets a sequence look at itself. Cross-attention lets one
//! sequence, the decoder's, look at another, the encoder's: queries come
//! from the decoder, keys and values from the encoder, and the weight
//! matrix is `(T_dec, T_enc)`, square only by accident. This crate computes
//! it without projections, with chapter 5's trainable projections, and over
//! batches, and prints example 5, "Hello world" -> "Bonjour monde".

pub mod answer;
pub mod answers;
pub mod exercises;
pub mod layer;
pub mod plain;
pub mod translation;
pub mod worked;

pub use layer::CrossAttention;
pub use plain::cross_attention;

mod figures;
pub use figures::figures;
