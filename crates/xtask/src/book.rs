//! Building the HTML with mdBook's library crates, math included.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_driver::book::{Book, BookItem};
use mdbook_katex::preprocess::KatexProcessor;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
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
    book.with_preprocessor(Math);
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

/// KaTeX, plus one repair: its MathML goes back through the markdown
/// parser, which would read `_x_` inside the TeX annotation as emphasis and
/// `\\{` as an escaped brace. Inside every `<math>` element, characters
/// that mean something to markdown become character references.
struct Math;

impl Preprocessor for Math {
    fn name(&self) -> &str {
        // The name book.toml's [preprocessor.katex] table configures.
        KatexProcessor.name()
    }

    fn run(
        &self,
        ctx: &PreprocessorContext,
        book: Book,
    ) -> mdbook_preprocessor::errors::Result<Book> {
        let mut book = KatexProcessor.run(ctx, book)?;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = protect_math(&chapter.content);
            }
        });
        Ok(book)
    }

    fn supports_renderer(
        &self,
        renderer: &str,
    ) -> mdbook_preprocessor::errors::Result<bool> {
        KatexProcessor.supports_renderer(renderer)
    }
}

/// Replaces markdown's special characters inside `<math>...</math>` with
/// character references, which HTML reads back as the same characters.
pub fn protect_math(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<math") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</math>")
            .map_or(rest.len(), |e| start + e + "</math>".len());
        for c in rest[start..end].chars() {
            match c {
                '_' => out.push_str("&#95;"),
                '*' => out.push_str("&#42;"),
                '\\' => out.push_str("&#92;"),
                '`' => out.push_str("&#96;"),
                '~' => out.push_str("&#126;"),
                '[' => out.push_str("&#91;"),
                ']' => out.push_str("&#93;"),
                c => out.push(c),
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::protect_math;

    #[test]
    fn only_math_is_touched() {
        let html = "a_b <math><mi>x</mi><annotation>x_i y_j \\{</annotation></math> *c*";
        assert_eq!(
            protect_math(html),
            "a_b <math><mi>x</mi><annotation>x&#95;i y&#95;j &#92;{</annotation></math> *c*"
        );
    }
}
