//! Prints chapter 16's `kv_cache` worked example:
//! `cargo run -p ch16-tiny-gpt --example kv_cache`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch16_tiny_gpt::worked::kv_cache()?);
    Ok(())
}
