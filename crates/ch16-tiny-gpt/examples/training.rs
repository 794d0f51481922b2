//! Prints chapter 16's `training` worked example:
//! `cargo run -p ch16-tiny-gpt --example training`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::training_report()?);
    Ok(())
}
