//! Prints chapter 16's `gradient_check` worked example:
//! `cargo run -p ch16-tiny-gpt --example gradient_check`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::gradient_check_report()?);
    Ok(())
}
