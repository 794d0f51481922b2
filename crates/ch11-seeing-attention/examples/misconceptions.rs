//! Prints chapter 11's `misconceptions` worked example:
//! `cargo run -p ch11-seeing-attention --example misconceptions`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::misconceptions()?);
    Ok(())
}
