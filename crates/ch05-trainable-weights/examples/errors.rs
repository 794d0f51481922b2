//! Prints the error messages of chapter 5's layer for four wrong inputs.
//!
//! `cargo run -p ch05-trainable-weights --example errors`

fn main() -> anyhow::Result<()> {
    print!("{}", ch05_trainable_weights::worked::errors()?);
    Ok(())
}
