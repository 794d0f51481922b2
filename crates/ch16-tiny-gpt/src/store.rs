//! The trained model, its curves and its samples as committed text.
//!
//! `cargo run --release -p ch16-tiny-gpt --example train` writes
//! `data/run.txt`: the sizes, every tensor (a matrix row by row), the
//! training loss of every step, the validation losses and the samples.
//! Numbers are printed with Rust's shortest round-trip format, so
//! reading the file back gives the very `f64`s the run computed; the
//! `--verify` flag of the example retrains and compares bit for bit.

use crate::model::{Config, Params};
use crate::train::Run;
use anyhow::{Context, Result, bail, ensure};
use std::fmt::Write as _;

/// The committed run, as the example wrote it.
pub const COMMITTED: &str = include_str!("../data/run.txt");

fn numbers(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
    items.join(" ")
}

fn parse_all(text: &str) -> Result<Vec<f64>> {
    text.split_whitespace()
        .map(|x| {
            x.parse::<f64>()
                .with_context(|| format!("not a number: {x}"))
        })
        .collect()
}

/// `run` as text.
///
/// # Shapes
/// - one line per matrix row or vector, one for the training losses,
///   one per validation loss and one per sample
pub fn to_text(run: &Run) -> String {
    let c = run.params.config;
    let mut out = String::from(
        "# Chapter 16's trained tiny GPT, its curves and samples, written by\n\
         # `cargo run --release -p ch16-tiny-gpt --example train`.\n",
    );
    let _ = writeln!(
        out,
        "config {} {} {} {} {}",
        c.vocab, c.context, c.d_model, c.n_layers, c.n_heads
    );
    let mut rest = &run.params.flat[..];
    for (name, shape) in c.layout() {
        let n: usize = shape.iter().product();
        let (w, tail) = rest.split_at(n);
        rest = tail;
        let width = *shape.last().unwrap_or(&1);
        let _ = writeln!(out, "tensor {name} {}", w.len() / width);
        for row in w.chunks(width) {
            let _ = writeln!(out, "{}", numbers(row));
        }
    }
    let _ = writeln!(out, "train {}", numbers(&run.train_losses));
    for (step, l) in &run.val_losses {
        let _ = writeln!(out, "val {step} {l:?}");
    }
    for (step, text) in &run.samples {
        let _ = writeln!(out, "sample {step} {}", text.replace('\n', "\\n"));
    }
    out
}

/// Reads a run written by [`to_text`].
///
/// # Shapes
/// - the tensors get the shapes the file's `config` line implies
///
/// # Errors
/// A file that [`to_text`] did not write: a missing line, a tensor of
/// another size or a word that is not a number.
pub fn from_text(text: &str) -> Result<Run> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let sizes: Vec<usize> = lines
        .next()
        .and_then(|l| l.strip_prefix("config "))
        .context("the first line must be `config ...`")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [vocab, context, d_model, n_layers, n_heads] = sizes[..] else {
        bail!("the config line needs five sizes, got {}", sizes.len());
    };
    let config = Config {
        vocab,
        context,
        d_model,
        n_layers,
        n_heads,
    };
    config.check()?;
    let mut flat = Vec::new();
    for (name, shape) in config.layout() {
        let width = *shape.last().unwrap_or(&1);
        let rows = shape.iter().product::<usize>() / width;
        let header = lines.next().context("a tensor is missing")?;
        let want = format!("tensor {name} {rows}");
        ensure!(header == want, "expected `{want}`, found `{header}`");
        for _ in 0..rows {
            let row = parse_all(lines.next().context("a row is missing")?)?;
            ensure!(
                row.len() == width,
                "a row of {name} has {} numbers, not {width}",
                row.len()
            );
            flat.extend(row);
        }
    }
    let train = lines
        .next()
        .and_then(|l| l.strip_prefix("train"))
        .context("expected `train ...`")?;
    let train_losses = parse_all(train)?;
    let (mut val_losses, mut samples) = (Vec::new(), Vec::new());
    for line in lines {
        if let Some(rest) = line.strip_prefix("val ") {
            let (step, l) =
                rest.split_once(' ').context("expected `val step loss`")?;
            val_losses.push((step.parse()?, l.parse()?));
        } else if let Some(rest) = line.strip_prefix("sample ") {
            let (step, t) = rest
                .split_once(' ')
                .context("expected `sample step text`")?;
            samples.push((step.parse()?, t.replace("\\n", "\n")));
        } else {
            bail!("unexpected line: {line}");
        }
    }
    Ok(Run {
        params: Params { config, flat },
        train_losses,
        val_losses,
        samples,
    })
}

/// The committed run.
///
/// # Shapes
/// - as [`from_text`]
///
/// # Errors
/// Only if `data/run.txt` was edited by hand.
pub fn committed() -> Result<Run> {
    from_text(COMMITTED)
}
