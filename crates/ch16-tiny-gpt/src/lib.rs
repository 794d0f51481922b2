//! Chapter 16: a tiny GPT, end to end.
//!
//! The pieces of the earlier chapters put together into one small
//! decoder-only model: embeddings, causal multi-head attention, GELU
//! feed-forward layers and layer norms, trained in `f64` on one thread
//! with a warm-up and cosine learning-rate schedule, then sampled with a
//! temperature and top-k. The exercises ([`exercises`]) derive the
//! backward passes of GELU and layer norm and write the sampler and the
//! schedule.

pub mod answer;
pub mod exercises;
