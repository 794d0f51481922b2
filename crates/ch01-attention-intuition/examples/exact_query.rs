//! Prints the query equal to Gollum's key, as chapter 1 shows it.
//!
//! `cargo run -p ch01-attention-intuition --example exact_query`

fn main() -> anyhow::Result<()> {
    print!("{}", ch01_attention_intuition::worked::exact_query()?);
    Ok(())
}
