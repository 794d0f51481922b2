//! Prints the query between Gollum and the Ring, as chapter 1 shows it.
//!
//! `cargo run -p ch01-attention-intuition --example between_query`

fn main() -> anyhow::Result<()> {
    print!("{}", ch01_attention_intuition::worked::between_query()?);
    Ok(())
}
