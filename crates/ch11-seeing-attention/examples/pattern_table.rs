//! Prints chapter 11's `pattern_table` worked example:
//! `cargo run -p ch11-seeing-attention --example pattern_table`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::pattern_table()?);
    Ok(())
}
