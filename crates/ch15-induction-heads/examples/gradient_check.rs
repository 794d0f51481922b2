//! Prints chapter 15's `gradient_check` worked example:
//! `cargo run -p ch15-induction-heads --example gradient_check`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::gradient_check_report()?);
    Ok(())
}
