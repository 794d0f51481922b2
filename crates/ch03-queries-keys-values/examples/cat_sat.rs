//! Prints example 2, "The cat sat on the mat", processing "sat": the
//! softmax of the hand-set scores, step by step, as chapter 3 shows it.
//!
//! `cargo run -p ch03-queries-keys-values --example cat_sat`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::worked::cat_sat()?);
    Ok(())
}
