//! Chapter 15: induction heads.
//!
//! Chapter 12 trained one attention layer on tasks whose answer sat in
//! the attention weights. This crate trains a whole, if tiny, model: a
//! two-layer, attention-only transformer ([`model`]) that reads random
//! tokens whose second half repeats the first ([`data`]) and predicts
//! each next token. Its backward pass is derived by hand and checked
//! against central differences ([`gradcheck`]); training ([`train`]) is
//! seeded, in `f64`, on one thread. Two scores ([`scores`]) name what
//! each head learned: a previous-token head in layer 1 and an induction
//! head in layer 2, which together copy the token that followed the
//! current one last time. The trained weights and curves are committed
//! data ([`store`]), so the chapter's numbers come from the same model on
//! every machine.

pub mod answer;
pub mod data;
pub mod exercises;
pub mod gradcheck;
mod linalg;
pub mod model;
pub mod scores;
pub mod store;
pub mod train;
pub mod worked;

mod figures;
pub use figures::figures;
