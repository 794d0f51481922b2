//! Prints the numbers of the worked answers to chapter 3's pen-and-paper
//! exercises.
//!
//! `cargo run -p ch03-queries-keys-values --example answers`

fn main() -> anyhow::Result<()> {
    print!("{}", ch03_queries_keys_values::answers::pen_and_paper()?);
    Ok(())
}
