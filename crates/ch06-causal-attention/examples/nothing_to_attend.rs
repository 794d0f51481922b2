//! Prints a left-padded sequence in which two queries see nothing.
//!
//! `cargo run -p ch06-causal-attention --example nothing_to_attend`

fn main() -> anyhow::Result<()> {
    print!("{}", ch06_causal_attention::worked::nothing_to_attend()?);
    Ok(())
}
