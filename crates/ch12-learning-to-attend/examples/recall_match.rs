//! Prints what chapter 12's trained recall layer adds to a score for each
//! pair of features: `W_q W_k^T / sqrt(d_k)`.
//!
//! `cargo run -p ch12-learning-to-attend --example recall_match`

fn main() -> anyhow::Result<()> {
    print!("{}", ch12_learning_to_attend::worked::recall_match()?);
    Ok(())
}
