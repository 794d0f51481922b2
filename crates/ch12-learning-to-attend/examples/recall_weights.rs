//! Prints the weights Adam learned on chapter 12's associative recall.
//!
//! `cargo run -p ch12-learning-to-attend --example recall_weights`

fn main() -> anyhow::Result<()> {
    print!("{}", ch12_learning_to_attend::worked::recall_weights()?);
    Ok(())
}
