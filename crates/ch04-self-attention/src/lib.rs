//! Chapter 4, Level 1: self-attention without trainable weights.
//!
//! Each token's embedding is used three times: as its query, as its key
//! and as its value. Every token scores every token (itself included) by a
//! dot product, softmax turns each row of scores into weights, and each
//! token's context vector is the weighted sum of all embeddings. This crate
//! holds the chapter's two sentences, the self-attention function built on
//! chapter 3's `attention`, the comparison of softmax with a plain division
//! by the sum, the size of the `T x T` score matrix, and the numbers
//! chapter 4 prints.

pub mod answer;
pub mod answers;
pub mod cost;
pub mod exercises;
pub mod normalise;
pub mod self_attention;
pub mod sentences;
pub mod worked;

mod figures;
pub use figures::figures;
