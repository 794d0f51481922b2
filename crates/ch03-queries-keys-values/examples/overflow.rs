//! Prints the worked example `overflow` exactly as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example overflow`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::overflow()?);
    Ok(())
}
