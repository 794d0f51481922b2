//! Prints chapter 12's pronoun training: "it" learns to find "animal".
//!
//! `cargo run -p ch12-learning-to-attend --example pronoun_training`

fn main() -> anyhow::Result<()> {
    print!("{}", ch12_learning_to_attend::worked::pronoun_training()?);
    Ok(())
}
