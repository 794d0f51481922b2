//! Prints example 3 with trainable weights exactly as chapter 5 shows it:
//! the fixed projections, one query step by step, all queries at once,
//! and the same layer on a shorter input.
//!
//! `cargo run -p ch05-trainable-weights --example journey_trained`

use ch05_trainable_weights::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::journey_weights()?);
    println!();
    print!("{}", worked::journey_one_query()?);
    println!();
    print!("{}", worked::journey_all()?);
    println!();
    print!("{}", worked::learned_vs_computed()?);
    Ok(())
}
