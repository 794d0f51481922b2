//! Prints chapter 11's `rollout_animal` worked example:
//! `cargo run -p ch11-seeing-attention --example rollout_animal`.

fn main() -> anyhow::Result<()> {
    print!("{}", ch11_seeing_attention::worked::rollout_animal()?);
    Ok(())
}
