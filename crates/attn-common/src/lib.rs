//! Shared pieces of *Attention, Verified*.
//!
//! Every chapter crate prints its numbers through [`fmt`], draws its
//! randomness from [`rng::SplitMix64`], checks its inputs with [`check`] and
//! draws its figures with [`plot`]. Keeping these in one place is what makes
//! the book's numbers agree to the digit on every machine.

pub mod check;
pub mod fmt;
pub mod grid;
pub mod plot;
pub mod rng;
