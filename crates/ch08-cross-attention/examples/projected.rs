//! Prints example 5 through chapter 5's fixed projections, exactly as
//! chapter 8 shows it.
//!
//! `cargo run -p ch08-cross-attention --example projected`

fn main() -> anyhow::Result<()> {
    print!("{}", ch08_cross_attention::worked::hello_world_projected()?);
    Ok(())
}
