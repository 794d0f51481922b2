//! Prints the size of the `T x T` score matrix for growing `T`, exactly as
//! chapter 4 shows it.
//!
//! `cargo run -p ch04-self-attention --example cost`

fn main() -> anyhow::Result<()> {
    print!("{}", ch04_self_attention::worked::score_matrix_cost()?);
    Ok(())
}
