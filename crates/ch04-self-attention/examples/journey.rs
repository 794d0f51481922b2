//! Prints example 3, "Your journey starts with one step", exactly as
//! chapter 4 shows it: the embeddings, one query step by step, softmax
//! against a division by the sum, all queries at once, and how much each
//! token attends to itself.
//!
//! `cargo run -p ch04-self-attention --example journey`

use ch04_self_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::journey_embeddings()?);
    println!();
    print!("{}", worked::journey_one_query()?);
    println!();
    print!("{}", worked::why_softmax()?);
    println!();
    print!("{}", worked::journey_matrix_form()?);
    println!();
    print!("{}", worked::journey_self_focus()?);
    Ok(())
}
