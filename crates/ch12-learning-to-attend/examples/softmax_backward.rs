//! Prints chapter 12's softmax backward pass, with and without its
//! Jacobian.
//!
//! `cargo run -p ch12-learning-to-attend --example softmax_backward`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch12_learning_to_attend::worked::softmax_backward_demo()?
    );
    Ok(())
}
