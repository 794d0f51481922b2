//! Prints the numbers of the worked answer to chapter 5's pen-and-paper
//! exercise.
//!
//! `cargo run -p ch05-trainable-weights --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch05_trainable_weights::answers::pen_and_paper()?);
    Ok(())
}
