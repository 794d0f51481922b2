//! Prints chapter 11's `headview_ch07` worked example:
//! `cargo run -p ch11-seeing-attention --example headview_ch07`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::headview_ch07()?);
    Ok(())
}
