//! Prints chapter 9's scorers side by side: their seeded parameters, the
//! library example and the journey sentence.
//!
//! `cargo run -p ch09-scoring-functions --example side_by_side`

use ch09_scoring_functions::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::seeded_parameters()?);
    println!();
    print!("{}", worked::library_side_by_side()?);
    println!();
    print!("{}", worked::journey_side_by_side()?);
    Ok(())
}
