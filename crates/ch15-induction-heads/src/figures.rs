pub fn figures() -> anyhow::Result<Vec<attn_common::plot::Figure>> { Ok(vec![]) }
