//! Prints the numbers of the worked answer to chapter 9's exercise 9.4.
//!
//! `cargo run -p ch09-scoring-functions --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch09_scoring_functions::answers::middle_key()?);
    Ok(())
}
