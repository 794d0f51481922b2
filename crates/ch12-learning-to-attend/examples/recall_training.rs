//! Prints chapter 12's training on associative recall, SGD and Adam.
//!
//! `cargo run -p ch12-learning-to-attend --example recall_training`

fn main() -> anyhow::Result<()> {
    print!("{}", ch12_learning_to_attend::worked::recall_training()?);
    Ok(())
}
