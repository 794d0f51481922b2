//! Chapter 14: where attention lives.
//!
//! Attention alone cannot see word order, so this crate adds position:
//! sinusoidal encodings and rotary embeddings ([`position`]). It wraps
//! attention in a transformer block with layer norm, residual connections
//! and a feed-forward network, and counts GPT-2 small's parameters
//! ([`block`]). It draws the masks of BERT, GPT and T5 ([`families`]),
//! and computes small hand-set examples of where attention is used
//! ([`uses`]).

pub mod answer;
pub mod block;
pub mod exercises;
pub mod families;
pub mod position;
pub mod uses;
pub mod worked;

mod figures;
pub use figures::figures;
