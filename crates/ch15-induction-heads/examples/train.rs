//! Trains chapter 15's model from scratch and writes the trained weights
//! and the curves into the crate as committed data (`src/run.txt`):
//! `cargo run --release -p ch15-induction-heads --example train`.

use ch15_induction_heads::{store, train};

fn main() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let s = train::CHAPTER;
    let run = train::train(&s, s.steps)?;
    let seconds = start.elapsed().as_secs_f64();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/run.txt");
    std::fs::write(&path, store::to_text(&run))?;
    for (step, e) in run.evals.iter().step_by(5) {
        println!(
            "step {step:4}: first half {:.4}, repeated half {:.4}",
            e.first_half, e.repeated
        );
    }
    println!("wrote {} after {seconds:.1} s of training", path.display());
    Ok(())
}
