//! Chapter 9: scoring functions. (Being written.)

pub mod answer;

/// This chapter's figures (none yet).
pub fn figures() -> anyhow::Result<Vec<attn_common::plot::Figure>> {
    Ok(Vec::new())
}
