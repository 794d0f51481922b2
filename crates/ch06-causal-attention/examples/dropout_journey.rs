//! Prints dropout with p = 0.5 on ones and on the causal weights.
//!
//! `cargo run -p ch06-causal-attention --example dropout_journey`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::worked::dropout_journey()?);
    Ok(())
}
