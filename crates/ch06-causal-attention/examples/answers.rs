//! Prints the numbers of the worked answers to chapter 6's pen-and-paper
//! exercises.
//!
//! `cargo run -p ch06-causal-attention --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::answers::pen_and_paper()?);
    Ok(())
}
