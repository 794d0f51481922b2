//! Prints chapter 14's transformer block on the journey sentence, and
//! GPT-2 small's parameters counted part by part.
//!
//! `cargo run -p ch14-where-attention-lives --example block`

use ch14_where_attention_lives::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::journey_block()?);
    println!();
    print!("{}", worked::gpt2_count()?);
    Ok(())
}
