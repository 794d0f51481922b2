//! Chapter 16: a tiny GPT, end to end.
//!
//! Everything the book built, in one model: token and position
//! embeddings, pre-norm blocks of causal multi-head attention and a GELU
//! MLP, a final layer norm and logits through the tied embedding
//! ([`model`], [`gpt`]). Its backward pass is written by hand, one
//! function per layer ([`layers`]), and checked against central
//! differences on every parameter ([`gradcheck`]). It learns to write
//! like this book from a frozen corpus of the book's own prose
//! ([`data`]), with Adam and a warm-up then cosine schedule ([`train`]),
//! seeded, in `f64`, on one thread; and it writes text with temperature
//! and top-k sampling through a key-value cache ([`sample`]). The
//! exercises ([`exercises`]) derive the backward passes of GELU and layer
//! norm and write the sampler and the schedule.

pub mod answer;
pub mod data;
pub mod exercises;
pub mod gpt;
pub mod gradcheck;
pub mod layers;
pub mod model;
pub mod sample;
pub mod store;
pub mod train;
pub mod worked;

mod figures;
pub use figures::figures;
