//! Prints the numbers of the worked answer to chapter 8's exercise 8.4.
//!
//! `cargo run -p ch08-cross-attention --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch08_cross_attention::answers::restore_alignment()?);
    Ok(())
}
