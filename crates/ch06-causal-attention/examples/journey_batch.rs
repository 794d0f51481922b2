//! Prints a batch of two sentences through causal attention.
//!
//! `cargo run -p ch06-causal-attention --example journey_batch`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::worked::journey_batch()?);
    Ok(())
}
