//! Prints chapter 15's `headview_trained` worked example:
//! `cargo run -p ch15-induction-heads --example headview_trained`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::headview_trained()?);
    Ok(())
}
