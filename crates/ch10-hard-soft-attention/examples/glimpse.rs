//! Prints chapter 10's glimpse: hard and soft attention over image
//! patches.
//!
//! `cargo run -p ch10-hard-soft-attention --example glimpse`

use ch10_hard_soft_attention::worked;

fn main() -> anyhow::Result<()> {
    print!("{}", worked::glimpse()?);
    Ok(())
}
