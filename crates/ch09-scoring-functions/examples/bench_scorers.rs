//! Wall-clock time of the five scorers at T = 64, 256 and 1024 queries
//! and keys, 64 wide:
//! `cargo run --release -p ch09-scoring-functions --example bench_scorers`.
//!
//! The program runs itself a second time as a child process that does the
//! measuring with divan, echoes divan's report, and writes the fastest
//! times to `book/generated/scorer-times-ch09.md` for chapter 9. It writes
//! the table only from a release build run with no arguments (a filter
//! would leave rows out) inside the book's repository; the times are
//! measured, and no test locks them.
//!
//! It is an example rather than a `benches/` target so that the homework
//! copy of this crate, which has no `benches/` folder, still builds.

use attn_common::rng::SplitMix64;
use ch09_scoring_functions::bench_table::{machine, markdown, parse_divan};
use ch09_scoring_functions::scorers::{Additive, General, Scorer};
use ch09_scoring_functions::worked::COST_D;
use divan::{Bencher, black_box};
use ndarray::Array2;
use std::process::{Command, Stdio};

/// The lengths T measured (T_q = T_k = T).
const LENGTHS: [usize; 3] = [64, 256, 1024];

/// The seed of the inputs and of the general and additive parameters.
const SEED: u64 = 9;

/// Set in the child process that runs divan.
const CHILD: &str = "CH09_BENCH_CHILD";

/// Random `(T, d)` queries and keys and the scorer's parameters.
fn setup(which: &str, t: usize) -> (Scorer, Array2<f64>, Array2<f64>) {
    let d = COST_D as usize;
    let mut rng = SplitMix64::new(SEED);
    let q = rng.normal_matrix(t, d);
    let k = rng.normal_matrix(t, d);
    let scorer = match which {
        "dot" => Scorer::Dot,
        "scaled_dot" => Scorer::ScaledDot,
        "general" => Scorer::General(General::random(d, d, &mut rng).unwrap()),
        "additive" => {
            Scorer::Additive(Additive::random(d, d, d, &mut rng).unwrap())
        }
        _ => Scorer::Cosine,
    };
    (scorer, q, k)
}

fn run(bencher: Bencher, which: &str, t: usize) {
    let (scorer, q, k) = setup(which, t);
    bencher.bench_local(|| {
        scorer
            .scores(black_box(q.view()), black_box(k.view()))
            .unwrap()
    });
}

#[divan::bench(args = LENGTHS, sample_count = 30, max_time = 3)]
fn dot(bencher: Bencher, t: usize) {
    run(bencher, "dot", t);
}

#[divan::bench(args = LENGTHS, sample_count = 30, max_time = 3)]
fn scaled_dot(bencher: Bencher, t: usize) {
    run(bencher, "scaled_dot", t);
}

#[divan::bench(args = LENGTHS, sample_count = 30, max_time = 3)]
fn general(bencher: Bencher, t: usize) {
    run(bencher, "general", t);
}

#[divan::bench(args = LENGTHS, sample_count = 30, max_time = 3)]
fn additive(bencher: Bencher, t: usize) {
    run(bencher, "additive", t);
}

#[divan::bench(args = LENGTHS, sample_count = 30, max_time = 3)]
fn cosine(bencher: Bencher, t: usize) {
    run(bencher, "cosine", t);
}

fn main() -> anyhow::Result<()> {
    if std::env::var_os(CHILD).is_some() {
        divan::main();
        return Ok(());
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Divan only measures when asked to with `--bench`, which `cargo
    // bench` passes; on its own it runs each benchmark once, as a test.
    let child = Command::new(std::env::current_exe()?)
        .arg("--bench")
        .args(&args)
        .env(CHILD, "1")
        .stderr(Stdio::inherit())
        .output()?;
    let report = String::from_utf8_lossy(&child.stdout);
    print!("{report}");
    anyhow::ensure!(child.status.success(), "the benchmark failed");
    let book =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book");
    if cfg!(debug_assertions) || !args.is_empty() {
        println!("(the table is written only by a release run with no filter)");
        return Ok(());
    }
    if !book.join("SUMMARY.md").is_file() {
        println!("(no book next to this crate: the table is not written)");
        return Ok(());
    }
    let scorers = [
        ("dot", "dot"),
        ("scaled_dot", "scaled dot"),
        ("general", "general"),
        ("additive", "additive"),
        ("cosine", "cosine"),
    ];
    let table =
        markdown(&parse_divan(&report)?, &scorers, &LENGTHS, &machine())?;
    std::fs::create_dir_all(book.join("generated"))?;
    let path = book.join("generated/scorer-times-ch09.md");
    std::fs::write(&path, table)?;
    println!("wrote {}", path.display());
    Ok(())
}
