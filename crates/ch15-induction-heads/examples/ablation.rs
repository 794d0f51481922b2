//! Prints chapter 15's `ablation` worked example:
//! `cargo run -p ch15-induction-heads --example ablation`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::ablation()?);
    Ok(())
}
