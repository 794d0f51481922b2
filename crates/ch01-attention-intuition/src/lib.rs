//! Chapter 1: attention on attention.
//!
//! A reader keeps a few facts of a story in mind and recalls them as the
//! page calls for them. This crate models that as a tiny key-value memory
//! of facts from The Lord of the Rings and reads it two ways: softly, with
//! attention weights computed from the query (every fact contributes in
//! proportion to how well it matches), and exactly, like a dictionary
//! (one fact or nothing). The worked examples print both reads side by
//! side.

pub mod answer;
pub mod answers;
pub mod exercises;
pub mod memory;
pub mod worked;

mod figures;
pub use figures::figures;
