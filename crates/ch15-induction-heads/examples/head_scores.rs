//! Prints chapter 15's `head_scores` worked example:
//! `cargo run -p ch15-induction-heads --example head_scores`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::head_scores()?);
    Ok(())
}
