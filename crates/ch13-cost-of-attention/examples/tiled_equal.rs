//! Prints chapter 13's `tiled_equal` example, exactly as the chapter shows it.
//!
//! `cargo run -p ch13-cost-of-attention --example tiled_equal`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::tiled_equal()?);
    Ok(())
}
