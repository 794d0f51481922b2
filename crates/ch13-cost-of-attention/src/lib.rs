//! Chapter 13: the cost of attention.
//!
//! Naive attention builds a `T x T` score matrix, so its time and memory
//! grow as `T^2`. This crate counts that cost before anything runs
//! ([`cost`]), generates text token by token with and without a key-value
//! cache and shows the two agree ([`kv_cache`]), and computes exact
//! attention in tiles with an online softmax, so that memory grows only
//! like `T` ([`tiled`]). The benchmark that measures all three is the
//! example `measure`, run in release mode; it writes
//! `src/data/measured.csv`, from which [`figures`] draws.

pub mod answer;
pub mod cost;
pub mod exercises;
pub mod exp;
pub mod kv_cache;
pub mod tiled;
pub mod worked;

mod figures;
pub use figures::figures;

pub use cost::{GPT2_SMALL, LLAMA2_70B, ModelSize};
pub use kv_cache::{KvCache, TinyDecoder};
pub use tiled::{Mask, OnlineSoftmax, naive_attention, tiled_attention};
