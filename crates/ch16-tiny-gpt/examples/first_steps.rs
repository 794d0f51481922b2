//! Prints chapter 16's `first_steps` worked example:
//! `cargo run -p ch16-tiny-gpt --example first_steps`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::first_steps()?);
    Ok(())
}
