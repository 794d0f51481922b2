//! Prints the worked example `cat_sat` exactly as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example cat_sat`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::cat_sat()?);
    Ok(())
}
