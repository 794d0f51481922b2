//! Chapter 12: learning to attend.
//!
//! Chapters 3 to 8 never learn anything: every weight is set by hand or
//! drawn at random. This crate trains chapter 5's attention layer by
//! gradient descent. It derives the backward pass by hand
//! ([`backward`]), checks it against central differences
//! ([`gradcheck`]), writes out two optimisers ([`optim`]) and trains on
//! two tasks where attention is the whole point ([`tasks`]): associative
//! recall, and chapter 4's pronoun "it", which must find "animal".

pub mod answer;
pub mod backward;
pub mod exercises;
pub mod gradcheck;
pub mod model;
pub mod optim;
pub mod tasks;
pub mod train;
pub mod worked;

mod figures;
pub use figures::figures;
