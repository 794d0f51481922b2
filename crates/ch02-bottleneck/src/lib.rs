//! Chapter 2: why attention, the bottleneck measured.
//!
//! A recurrent encoder squeezes a whole sentence into its final state. This
//! crate measures how much that state still feels the first token as the
//! sentence grows (the norm of `d h_T / d x_1`, exact by the chain rule and
//! checked against finite differences), for a contracting and an expanding
//! recurrent matrix, next to one attention step, where every token reaches
//! the output in one step.

pub mod answer;
pub mod attention_step;
pub mod encoder;
pub mod exercises;
pub mod paths;
pub mod worked;

pub use encoder::RecurrentEncoder;

mod figures;
pub use figures::figures;
