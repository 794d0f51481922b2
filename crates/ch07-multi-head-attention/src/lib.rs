//! Chapter 7, Level 4: multi-head attention.
//!
//! One attention head gives each token one blend of the others. Several
//! heads, each with its own projections and a share of the width, give it
//! several blends at once; their outputs are laid side by side and mixed by
//! an output projection `W_o`. This crate builds the layer two ways, as a
//! stack of chapter 5 heads ([`HeadStack`]) and as one wide projection
//! split by reshaping ([`MultiHeadAttention`]), shows they agree, counts
//! the layer's weights, runs the head-count experiment, and prints the
//! numbers chapter 7 shows.

pub mod answer;
pub mod exercises;
pub mod fused;
pub mod heads;
pub mod narrow;
pub mod params;
pub mod stack;
pub mod worked;

mod figures;
pub use figures::figures;

pub use fused::{MultiHeadAttention, merge_heads, split_heads};
pub use heads::{BatchOutput, Mask, MultiHeadOutput, head_width};
pub use params::{full_width_heads_count, parameter_count};
pub use stack::HeadStack;
