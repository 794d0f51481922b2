//! Prints the stack and the fused layer run on one batch, with and
//! without the causal mask, exactly as chapter 7 shows it.
//!
//! `cargo run -p ch07-multi-head-attention --example two_ways`

fn main() -> anyhow::Result<()> {
    print!("{}", ch07_multi_head_attention::worked::two_ways()?);
    Ok(())
}
