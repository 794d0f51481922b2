//! Prints one of chapter 12's associative-recall sequences and its input.
//!
//! `cargo run -p ch12-learning-to-attend --example recall_task`

fn main() -> anyhow::Result<()> {
    print!("{}", ch12_learning_to_attend::worked::recall_task()?);
    Ok(())
}
