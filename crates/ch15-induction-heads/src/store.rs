//! The trained model and its curves as committed text.
//!
//! `cargo run --release -p ch15-induction-heads --example train` writes
//! `src/run.txt`: the sizes, every matrix row by row, the training loss
//! of every step and every evaluation. Numbers are printed with Rust's
//! shortest round-trip format, so reading the file back gives the very
//! `f64`s the run computed. The tests check that the file is what the
//! training produces, bit for bit.

use crate::model::{Config, Params};
use crate::scores::Evaluation;
use crate::train::Run;
use anyhow::{Context, Result, bail, ensure};
use ndarray::Array2;
use std::fmt::Write as _;

/// The committed run, as the example wrote it.
pub const COMMITTED: &str = include_str!("run.txt");

fn numbers(xs: impl IntoIterator<Item = f64>) -> String {
    let items: Vec<String> = xs.into_iter().map(|x| format!("{x:?}")).collect();
    items.join(" ")
}

/// `run` as text.
///
/// # Shapes
/// - one line per matrix row, per training step and per evaluation
pub fn to_text(run: &Run) -> String {
    let c = run.params.config;
    let mut out = String::from(
        "# Chapter 15's trained model and curves, written by\n\
         # `cargo run --release -p ch15-induction-heads --example train`.\n",
    );
    let _ = writeln!(
        out,
        "config {} {} {} {} {}",
        c.vocab, c.half, c.d_model, c.n_heads, c.d_head
    );
    for (name, w) in run.params.named() {
        let _ = writeln!(out, "matrix {name} {} {}", w.nrows(), w.ncols());
        for row in w.rows() {
            let _ = writeln!(out, "{}", numbers(row.iter().copied()));
        }
    }
    let _ = writeln!(out, "train {}", numbers(run.train_losses.clone()));
    for (step, e) in &run.evals {
        let flat = |m: &Vec<Vec<f64>>| numbers(m.concat());
        let _ = writeln!(
            out,
            "eval {step} {} {} prev {} induction {}",
            numbers([e.first_half]),
            numbers([e.repeated]),
            flat(&e.prev),
            flat(&e.induction)
        );
    }
    out
}

fn parse_all(text: &str) -> Result<Vec<f64>> {
    text.split_whitespace()
        .map(|x| {
            x.parse::<f64>()
                .with_context(|| format!("not a number: {x}"))
        })
        .collect()
}

fn nested(flat: &[f64], heads: usize) -> Vec<Vec<f64>> {
    flat.chunks(heads).map(<[f64]>::to_vec).collect()
}

/// Reads a run written by [`to_text`].
///
/// # Shapes
/// - the matrices get the shapes the file's `config` line implies
///
/// # Errors
/// A file that [`to_text`] did not write: a missing line, a matrix of
/// another shape or a word that is not a number.
pub fn from_text(text: &str) -> Result<Run> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let config = lines.next().context("no config line")?;
    let sizes: Vec<usize> = config
        .strip_prefix("config ")
        .context("the first line must be `config ...`")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [vocab, half, d_model, n_heads, d_head] = sizes[..] else {
        bail!("the config line needs five sizes, got {}", sizes.len());
    };
    let config = Config {
        vocab,
        half,
        d_model,
        n_heads,
        d_head,
    };
    let mut params =
        Params::random(config, &mut attn_common::rng::SplitMix64::new(0))?;
    let names: Vec<String> =
        params.named().into_iter().map(|(n, _)| n).collect();
    for (name, w) in names.iter().zip(params.tensors_mut()) {
        let header = lines.next().context("a matrix is missing")?;
        let want = format!("matrix {name} {} {}", w.nrows(), w.ncols());
        ensure!(header == want, "expected `{want}`, found `{header}`");
        let mut rows = Vec::with_capacity(w.len());
        for _ in 0..w.nrows() {
            rows.extend(parse_all(lines.next().context("a row is missing")?)?);
        }
        *w = Array2::from_shape_vec(w.dim(), rows)
            .with_context(|| format!("matrix {name} has the wrong size"))?;
    }
    let train = lines.next().context("no training losses")?;
    let train_losses = parse_all(
        train
            .strip_prefix("train")
            .context("expected `train ...`")?,
    )?;
    let mut evals = Vec::new();
    for line in lines {
        let rest = line.strip_prefix("eval ").context("expected `eval`")?;
        let (head, scores) =
            rest.split_once(" prev ").context("expected ` prev `")?;
        let (prev, induction) = scores
            .split_once(" induction ")
            .context("expected ` induction `")?;
        let mut words = head.split_whitespace();
        let step: usize = words.next().context("no step")?.parse()?;
        let losses = parse_all(&words.collect::<Vec<_>>().join(" "))?;
        let (prev, induction) = (parse_all(prev)?, parse_all(induction)?);
        ensure!(
            losses.len() == 2
                && prev.len() == 2 * n_heads
                && induction.len() == 2 * n_heads,
            "an evaluation line has the wrong number of fields: {line}"
        );
        evals.push((
            step,
            Evaluation {
                first_half: losses[0],
                repeated: losses[1],
                prev: nested(&prev, n_heads),
                induction: nested(&induction, n_heads),
            },
        ));
    }
    Ok(Run {
        params,
        train_losses,
        evals,
    })
}

/// The committed run.
///
/// # Shapes
/// - as [`from_text`]
///
/// # Errors
/// Only if `src/run.txt` was edited by hand.
pub fn committed() -> Result<Run> {
    from_text(COMMITTED)
}
