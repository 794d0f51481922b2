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
    quiet_logging();
    let mut book = MDBook::load(root)
        .with_context(|| format!("loading the book at {}", root.display()))?;
    book.config.build.build_dir = dest.to_path_buf();
    book.with_preprocessor(mdbook_katex::preprocess::KatexProcessor);
    book.build().context("building the book")?;
    Ok(dest.to_path_buf())
}

/// Shows mdBook's and KaTeX's warnings and errors (a formula that does not
/// render is a warning), but not their progress chatter, unless `RUST_LOG`
/// says otherwise.
fn quiet_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            // SAFETY: runs once, before this program starts any thread
            // that could read the environment.
            unsafe { std::env::set_var("RUST_LOG", "warn") };
        }
        mdbook_katex::init_tracing();
    });
}
