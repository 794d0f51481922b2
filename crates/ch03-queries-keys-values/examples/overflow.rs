//! Prints the overflow demonstration: the naive softmax of [1000, 999, 998]
//! and of [-1000, -999, -998] next to the safe one, as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example overflow`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::overflow()?);
    Ok(())
}
