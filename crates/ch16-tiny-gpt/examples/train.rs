//! Trains chapter 16's tiny GPT from scratch and writes the trained
//! weights, the curves and the samples into the crate as committed data
//! (`data/run.txt`):
//! `cargo run --release -p ch16-tiny-gpt --example train`.
//!
//! With `-- --verify` it trains again and checks that the result is the
//! committed file to the bit, without writing anything.

use ch16_tiny_gpt::{data::Corpus, store, train};

fn main() -> anyhow::Result<()> {
    let verify = std::env::args().any(|a| a == "--verify");
    let corpus = Corpus::load()?;
    let s = train::CHAPTER;
    let start = std::time::Instant::now();
    let run = train::train(&s, &corpus, s.steps)?;
    let seconds = start.elapsed().as_secs_f64();
    let text = store::to_text(&run);
    for (step, l) in run.val_losses.iter().step_by(4) {
        println!("step {step:5}: validation loss {l:.4}");
    }
    if let Some((step, sample)) = run.samples.last() {
        println!("sample after {step} steps:\n{sample}");
    }
    println!("{} steps in {seconds:.1} s", s.steps);
    if verify {
        anyhow::ensure!(
            text == store::COMMITTED,
            "the run differs from the committed data/run.txt"
        );
        println!("the run is the committed one, to the bit");
    } else {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/run.txt");
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
