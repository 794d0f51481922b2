//! Prints one of chapter 2's worked examples.
//!
//! `cargo run -p ch02-bottleneck --example path_table`

fn main() -> anyhow::Result<()> {
    print!("{}", ch02_bottleneck::worked::path_table()?);
    Ok(())
}
