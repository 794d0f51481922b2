//! Chapter 11: seeing attention.
//!
//! An attention map is a matrix of weights, one row per query. This
//! crate builds maps whose causes are known ([`patterns`]), summarises
//! what a heatmap's colours leave out ([`weights`]), exports maps as the
//! JSON behind the chapter's interactive head view ([`headview`]),
//! follows attention through a stack of layers ([`rollout`]), and builds
//! two different maps with the same output ([`twins`]): the reason a
//! heatmap alone is not an explanation.

pub mod answer;
pub mod exercises;
pub mod headview;
pub mod patterns;
pub mod rollout;
pub mod twins;
pub mod weights;
pub mod worked;

mod figures;
pub use figures::figures;
