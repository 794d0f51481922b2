//! Prints chapter 16's `sampling` worked example:
//! `cargo run -p ch16-tiny-gpt --example sampling`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::sampling()?);
    Ok(())
}
