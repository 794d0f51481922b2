//! Chapter 10: hard vs. soft attention.
//!
//! Soft attention reads the *expected* value under its weights; hard
//! attention reads *one* value, picked by arg-max or drawn from the same
//! weights. This crate computes both, shows numerically why the hard one
//! gives no gradient (and how the soft one loses its gradient as the
//! temperature falls), estimates the hard one's gradient by REINFORCE
//! with and without a baseline, and computes the two in-between
//! choices: top-k attention and sparsemax.

pub mod answer;
pub mod answers;
pub mod choose;
pub mod exercises;
pub mod gradient;
pub mod reinforce;
pub mod sparse;
pub mod worked;

mod figures;
pub use figures::figures;
