//! Prints chapter 16's `model_size` worked example:
//! `cargo run -p ch16-tiny-gpt --example model_size`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::model_size()?);
    Ok(())
}
