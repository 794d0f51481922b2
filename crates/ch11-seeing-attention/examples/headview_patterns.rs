//! Prints chapter 11's `headview_patterns` worked example:
//! `cargo run -p ch11-seeing-attention --example headview_patterns`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::headview_patterns()?);
    Ok(())
}
