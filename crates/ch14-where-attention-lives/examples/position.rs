//! Prints chapter 14's position examples: the reversed journey sentence,
//! the first sinusoidal encodings and RoPE scores at several offsets.
//!
//! `cargo run -p ch14-where-attention-lives --example position`

use ch14_where_attention_lives::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::shuffled_journey()?);
    println!();
    print!("{}", worked::sinusoidal_table()?);
    println!();
    print!("{}", worked::rope_offsets()?);
    Ok(())
}
