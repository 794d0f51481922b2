pub fn answer(_: &str, _: &attn_common::answer::Value) -> anyhow::Result<attn_common::answer::Value> { anyhow::bail!("todo") }
