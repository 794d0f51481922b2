//! Prints chapter 16's `headview_trained` worked example:
//! `cargo run -p ch16-tiny-gpt --example headview_trained`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::headview_trained()?);
    Ok(())
}
