//! Prints chapter 10's top-k and sparsemax weights.
//!
//! `cargo run -p ch10-hard-soft-attention --example in_between`

use ch10_hard_soft_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::in_between()?);
    println!();
    print!("{}", worked::sparsemax_temperature()?);
    Ok(())
}
