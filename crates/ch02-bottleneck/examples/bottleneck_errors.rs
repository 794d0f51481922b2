//! Prints one of chapter 2's worked examples.
//!
//! `cargo run -p ch02-bottleneck --example bottleneck_errors`

fn main() -> anyhow::Result<()> {
    print!("{}", ch02_bottleneck::worked::errors()?);
    Ok(())
}
