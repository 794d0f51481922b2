//! Prints chapter 11's `twins` worked example:
//! `cargo run -p ch11-seeing-attention --example twins`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::twins()?);
    Ok(())
}
