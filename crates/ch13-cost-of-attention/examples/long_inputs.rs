//! Prints chapter 13's `long_inputs` example, exactly as the chapter shows it.
//!
//! `cargo run -p ch13-cost-of-attention --example long_inputs`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::long_inputs()?);
    Ok(())
}
