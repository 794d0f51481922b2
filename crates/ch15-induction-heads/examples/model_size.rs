//! Prints chapter 15's `model_size` worked example:
//! `cargo run -p ch15-induction-heads --example model_size`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::model_size()?);
    Ok(())
}
