//! Chapter 5, Level 2: self-attention with trainable weights.
//!
//! Level 1 used each embedding as its own query, key and value. Level 2
//! projects every embedding three ways, through learned matrices `W_q`,
//! `W_k` and `W_v`, and divides the scores by `sqrt(d_k)` before the
//! softmax. This crate holds the layer ([`SelfAttention`]), example 3's
//! fixed projections, the measurement of why the scaling matters, and the
//! numbers chapter 5 prints.

pub mod answer;
pub mod answers;
pub mod exercises;
pub mod projections;
pub mod scaling;
pub mod self_attention;
pub mod worked;

pub use projections::journey_projections;
pub use self_attention::SelfAttention;

mod figures;
pub use figures::figures;
