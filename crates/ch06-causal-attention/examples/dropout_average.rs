//! Prints how the average of many dropout draws approaches the weights.
//!
//! `cargo run -p ch06-causal-attention --example dropout_average`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::worked::dropout_average()?);
    Ok(())
}
