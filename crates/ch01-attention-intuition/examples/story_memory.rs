//! Prints the story memory, every key and value, as chapter 1 shows it.
//!
//! `cargo run -p ch01-attention-intuition --example story_memory`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch01_attention_intuition::worked::story_memory_table()?
    );
    Ok(())
}
