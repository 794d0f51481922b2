//! Prints chapter 12's gradient check on both tasks.
//!
//! `cargo run -p ch12-learning-to-attend --example gradient_check`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch12_learning_to_attend::worked::gradient_check_report()?
    );
    Ok(())
}
