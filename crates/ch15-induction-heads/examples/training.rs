//! Prints chapter 15's `training` worked example:
//! `cargo run -p ch15-induction-heads --example training`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::training_report()?);
    Ok(())
}
