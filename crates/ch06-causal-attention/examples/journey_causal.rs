//! Prints example 3 made causal: scores, mask, weights and context.
//!
//! `cargo run -p ch06-causal-attention --example journey_causal`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::worked::journey_causal()?);
    Ok(())
}
