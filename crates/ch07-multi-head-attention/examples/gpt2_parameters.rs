//! Prints the weights of GPT-2 small's attention layer, exactly as
//! chapter 7 shows it.
//!
//! `cargo run -p ch07-multi-head-attention --example gpt2_parameters`

fn main() -> anyhow::Result<()> {
    print!("{}", ch07_multi_head_attention::worked::gpt2_parameters()?);
    Ok(())
}
