//! Prints chapter 5's reproducible initialisation: the same seed gives the
//! same weights.
//!
//! `cargo run -p ch05-trainable-weights --example init`

fn main() -> anyhow::Result<()> {
    print!("{}", ch05_trainable_weights::worked::reproducible_init()?);
    Ok(())
}
