//! Prints the shape of every piece of a batched cross-attention step, as
//! chapter 8 shows it.
//!
//! `cargo run -p ch08-cross-attention --example batch`

fn main() -> anyhow::Result<()> {
    print!("{}", ch08_cross_attention::worked::batch_shapes()?);
    Ok(())
}
