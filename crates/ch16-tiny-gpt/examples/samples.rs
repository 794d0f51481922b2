//! Prints chapter 16's `samples` worked example:
//! `cargo run -p ch16-tiny-gpt --example samples`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::samples()?);
    Ok(())
}
