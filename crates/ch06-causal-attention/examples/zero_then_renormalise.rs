//! Prints the causal weights reached by zeroing and renormalising.
//!
//! `cargo run -p ch06-causal-attention --example zero_then_renormalise`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch06_causal_attention::worked::zero_then_renormalise()?
    );
    Ok(())
}
