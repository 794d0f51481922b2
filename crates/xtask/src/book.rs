//! Building the HTML with mdBook's library crates, math included.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use std::path::{Path, PathBuf};

/// Builds the book at `root` into `dest` and returns `dest`.
///
/// mdbook-katex runs in-process as the `katex` preprocessor, replacing the
/// external command that `book.toml` would otherwise ask for, so nothing
/// has to be installed. Math becomes MathML at build time.
pub fn build(root: &Path, dest: &Path) -> Result<PathBuf> {
    let mut book = MDBook::load(root)
        .with_context(|| format!("loading the book at {}", root.display()))?;
    book.config.build.build_dir = dest.to_path_buf();
    book.with_preprocessor(mdbook_katex::preprocess::KatexProcessor);
    book.build().context("building the book")?;
    Ok(dest.to_path_buf())
}
