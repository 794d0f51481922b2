//! Prints what chapter 9's scorers can express: chapter 5's layer as a
//! general scorer, the middle key only the additive scorer prefers, and
//! which scorers accept queries and keys of different widths.
//!
//! `cargo run -p ch09-scoring-functions --example expressiveness`

use ch09_scoring_functions::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::general_is_projected_dot()?);
    println!();
    print!("{}", worked::middle_key()?);
    println!();
    print!("{}", worked::widths_and_errors()?);
    Ok(())
}
