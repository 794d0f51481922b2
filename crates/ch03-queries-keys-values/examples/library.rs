//! Prints example 1, the library search, exactly as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example library`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::library_search()?);
    Ok(())
}
