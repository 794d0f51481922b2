//! Prints chapter 10's gradient problem: hard attention's flat loss, and
//! soft attention's gradient as the temperature falls.
//!
//! `cargo run -p ch10-hard-soft-attention --example gradients`

use ch10_hard_soft_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::flat_gradient()?);
    println!();
    print!("{}", worked::temperature_gradient()?);
    Ok(())
}
