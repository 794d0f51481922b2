//! Prints the numbers of the worked answer to chapter 10's exercise 10.4.
//!
//! `cargo run -p ch10-hard-soft-attention --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch10_hard_soft_attention::answers::two_tokens()?);
    Ok(())
}
