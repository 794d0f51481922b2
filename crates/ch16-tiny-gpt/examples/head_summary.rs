//! Prints chapter 16's `head_summary` worked example:
//! `cargo run -p ch16-tiny-gpt --example head_summary`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::head_summary()?);
    Ok(())
}
