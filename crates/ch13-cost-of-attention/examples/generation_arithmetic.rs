//! Prints chapter 13's `generation_arithmetic` example.
//!
//! `cargo run -p ch13-cost-of-attention --example generation_arithmetic`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch13_cost_of_attention::worked::generation_arithmetic()?
    );
    Ok(())
}
