//! Prints chapter 15's `shown_sequence_scores` worked example:
//! `cargo run -p ch15-induction-heads --example shown_sequence_scores`.

fn main() -> anyhow::Result<()> {
    println!("{}", ch15_induction_heads::worked::shown_sequence_scores()?);
    Ok(())
}
