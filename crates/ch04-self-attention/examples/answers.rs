//! Prints the numbers of the worked answers to chapter 4's pen-and-paper
//! exercises.
//!
//! `cargo run -p ch04-self-attention --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch04_self_attention::answers::pen_and_paper()?);
    Ok(())
}
