//! (work in progress: the chapter's helper fills this crate)

/// Every figure of this chapter.
pub fn figures() -> anyhow::Result<Vec<attn_common::plot::Figure>> {
    Ok(Vec::new())
}
