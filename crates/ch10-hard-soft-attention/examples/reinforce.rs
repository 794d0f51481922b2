//! Prints chapter 10's REINFORCE estimates and their variance.
//!
//! `cargo run -p ch10-hard-soft-attention --example reinforce`

use ch10_hard_soft_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::reinforce_unbiased()?);
    println!();
    print!("{}", worked::reinforce_variance()?);
    Ok(())
}
