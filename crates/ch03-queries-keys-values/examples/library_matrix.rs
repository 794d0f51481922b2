//! Prints the worked example `library_matrix` exactly as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example library_matrix`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::library_matrix()?);
    Ok(())
}
