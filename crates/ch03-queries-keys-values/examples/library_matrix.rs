//! Prints example 1 in matrix form, two queries at once through
//! `attention`, as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example library_matrix`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::library_matrix()?);
    Ok(())
}
