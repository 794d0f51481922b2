//! Prints chapter 13's `online_library` example.
//!
//! `cargo run -p ch13-cost-of-attention --example online_library`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::online_library()?);
    Ok(())
}
