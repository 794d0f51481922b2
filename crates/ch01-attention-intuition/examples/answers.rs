//! Prints the numbers of the worked answers to chapter 1's thinking
//! exercises.
//!
//! `cargo run -p ch01-attention-intuition --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch01_attention_intuition::answers::danger_query()?);
    Ok(())
}
