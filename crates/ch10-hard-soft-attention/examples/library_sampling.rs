//! Prints chapter 10's library search read softly and by sampling.
//!
//! `cargo run -p ch10-hard-soft-attention --example library_sampling`

use ch10_hard_soft_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::expectation_vs_sample()?);
    Ok(())
}
