//! Prints example 2's weights at several temperatures, as chapter 3 shows
//! them.
//!
//! `cargo run -p ch03-queries-keys-values --example temperature`

fn main() -> anyhow::Result<()> {
    print!(
        "{}",
        ch03_queries_keys_values::worked::cat_sat_temperature()?
    );
    Ok(())
}
