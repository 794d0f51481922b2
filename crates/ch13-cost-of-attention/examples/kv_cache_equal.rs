//! Prints chapter 13's `kv_cache_equal` example.
//!
//! `cargo run -p ch13-cost-of-attention --example kv_cache_equal`

fn main() -> anyhow::Result<()> {
    print!("{}", ch13_cost_of_attention::worked::kv_cache_equal()?);
    Ok(())
}
