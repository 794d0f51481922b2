//! Prints chapter 9's cost table: parameters and multiply-adds of each
//! scorer. (The measured times come from the `bench_scorers` example.)
//!
//! `cargo run -p ch09-scoring-functions --example scorer_cost`

use ch09_scoring_functions::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::cost_table()?);
    Ok(())
}
