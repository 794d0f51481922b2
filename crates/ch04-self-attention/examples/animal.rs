//! Prints example 4, "The animal didn't cross the street because it was
//! too tired", exactly as chapter 4 shows it.
//!
//! `cargo run -p ch04-self-attention --example animal`

use ch04_self_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::animal_embeddings()?);
    println!();
    print!("{}", worked::animal_it()?);
    println!();
    print!("{}", worked::animal_self_focus()?);
    Ok(())
}
