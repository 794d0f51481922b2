//! Prints chapter 15's `first_steps` worked example:
//! `cargo run -p ch15-induction-heads --example first_steps`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::first_steps()?);
    Ok(())
}
