//! Prints chapter 13's `online_cat_sat` example.
//!
//! `cargo run -p ch13-cost-of-attention --example online_cat_sat`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::online_cat_sat()?);
    Ok(())
}
