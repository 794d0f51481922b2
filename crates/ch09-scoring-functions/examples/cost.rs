//! Prints chapter 9's cost table: parameters and multiply-adds of each
//! scorer. (The measured times come from `cargo bench`.)
//!
//! `cargo run -p ch09-scoring-functions --example cost`

use ch09_scoring_functions::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::cost_table()?);
    Ok(())
}
