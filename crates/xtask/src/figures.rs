//! Rendering figures through the `book-figures` binary.
//!
//! The figures are drawn by the chapter crates; keeping them out of this
//! crate keeps `cargo xtask book` from compiling them.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Renders every figure into `dir` and returns how many files it holds.
pub fn render(root: &Path, dir: &Path) -> Result<usize> {
    let status = Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .current_dir(root)
        .args(["run", "--quiet", "--package", "book-figures", "--"])
        .arg(dir)
        .status()
        .context("running `cargo run -p book-figures`")?;
    if !status.success() {
        bail!("rendering the figures failed ({status})");
    }
    Ok(std::fs::read_dir(dir)?.count())
}
