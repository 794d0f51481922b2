//! Prints Gollum's key at growing loudness, as chapter 1 shows it.
//!
//! `cargo run -p ch01-attention-intuition --example sharpness`

fn main() -> anyhow::Result<()> {
    print!("{}", ch01_attention_intuition::worked::sharpness()?);
    Ok(())
}
