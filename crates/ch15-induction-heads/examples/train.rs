//! Trains chapter 15's model from scratch and writes the trained weights
//! and the curves into the crate, as committed data:
//! `cargo run --release -p ch15-induction-heads --example train`.

fn main() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let s = ch15_induction_heads::train::CHAPTER;
    let run = ch15_induction_heads::train::train(&s, s.steps)?;
    let seconds = start.elapsed().as_secs_f64();
    for (step, e) in &run.evals {
        println!(
            "{step:5} first {:.4} repeated {:.4} prev {:?} ind {:?}",
            e.first_half, e.repeated, e.prev, e.induction
        );
    }
    println!("trained in {seconds:.1} s");
    Ok(())
}
