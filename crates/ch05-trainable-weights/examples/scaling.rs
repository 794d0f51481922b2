//! Prints chapter 5's measurement of why scores are divided by
//! `sqrt(d_k)`: the variance of dot products, and the softmax saturating.
//!
//! `cargo run -p ch05-trainable-weights --example scaling`

use ch05_trainable_weights::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::scaling_variance()?);
    println!();
    print!("{}", worked::scaling_saturation()?);
    Ok(())
}
