//! Prints Aragorn's key and its near miss, as chapter 1 shows it.
//!
//! `cargo run -p ch01-attention-intuition --example near_miss`

fn main() -> anyhow::Result<()> {
    print!("{}", ch01_attention_intuition::worked::near_miss()?);
    Ok(())
}
