//! Chapter 6, Level 3: causal attention.
//!
//! A decoder-style model such as GPT writes text one token at a time, so
//! while it reads a sentence no token may look at the tokens after it.
//! This crate builds the causal mask, a softmax that respects any mask
//! (and gives all-zero weights to a query with nothing to attend to),
//! dropout on attention weights, and `CausalAttention`, chapter 5's
//! self-attention with the mask and dropout added, for one sequence or a
//! batch of shape `(B, T, d_in)`.

pub mod answer;
pub mod answers;
pub mod causal;
pub mod dropout;
pub mod exercises;
pub mod mask;
pub mod worked;

mod figures;
pub use figures::figures;

pub use causal::{CausalAttention, batch, masked_attention};
pub use dropout::Dropout;
pub use mask::{causal_mask, masked_softmax};
