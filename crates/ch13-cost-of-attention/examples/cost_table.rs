//! Prints chapter 13's `cost_table` example, exactly as the chapter shows it.
//!
//! `cargo run -p ch13-cost-of-attention --example cost_table`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::cost_table()?);
    Ok(())
}
