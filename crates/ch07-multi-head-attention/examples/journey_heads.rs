//! Prints four random heads reading the journey sentence, exactly as
//! chapter 7 shows it.
//!
//! `cargo run -p ch07-multi-head-attention --example journey_heads`

fn main() -> anyhow::Result<()> {
    print!("{}", ch07_multi_head_attention::worked::journey_heads()?);
    Ok(())
}
