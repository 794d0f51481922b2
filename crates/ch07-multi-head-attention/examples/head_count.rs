//! Prints the head-count experiment, exactly as chapter 7 shows it.
//!
//! `cargo run -p ch07-multi-head-attention --example head_count`

fn main() -> anyhow::Result<()> {
    print!("{}", ch07_multi_head_attention::worked::head_count()?);
    Ok(())
}
