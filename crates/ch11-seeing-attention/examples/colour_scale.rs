//! Prints chapter 11's `colour_scale` worked example:
//! `cargo run -p ch11-seeing-attention --example colour_scale`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::colour_scale()?);
    Ok(())
}
