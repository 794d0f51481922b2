//! Chapter 9: scoring functions.
//!
//! Attention needs one number per (query, key) pair before the softmax.
//! Chapters 3 to 8 used the (scaled) dot product; this crate puts it side
//! by side with Luong's general scorer `q^T W k`, Bahdanau's additive
//! scorer `v^T tanh(W_q q + W_k k)` and cosine similarity: their scores
//! and weights on the same inputs, what each can express, and what each
//! costs, counted ([`cost`]) and measured (`examples/bench_scorers.rs`,
//! which writes its table with [`bench_table`]).

pub mod answer;
pub mod answers;
pub mod bench_table;
pub mod cost;
pub mod exercises;
pub mod scorers;
pub mod worked;

pub use scorers::{Additive, General, Scorer};

mod figures;
pub use figures::figures;
