//! Chapter 3: queries, keys and values.
//!
//! A query is compared with every key by a dot product; softmax turns the
//! scores into weights that sum to 1; the output is the weighted sum of the
//! values. This crate computes each step, including a softmax that cannot
//! overflow, and the numbers chapter 3 prints.

pub mod answer;
pub mod answers;
pub mod attention;
pub mod exercises;
pub mod softmax;
pub mod worked;

mod figures;
pub use figures::figures;
