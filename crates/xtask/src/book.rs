//! Building the HTML with mdBook's library crates, math included.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::path::{Path, PathBuf};

// TeX to MathML.
#[path = "math.rs"]
pub mod math;
// The math font goes out as WOFF2: half the bytes of the OpenType file.
#[path = "woff2.rs"]
mod woff2;
// Figures, bold italic and the formulas' characters, on the built pages.
#[path = "polish.rs"]
pub mod polish;
// The math font cut down to the glyphs the formulas use.
#[path = "subset.rs"]
mod subset;

/// Builds the book at `root` into `dest` and returns `dest`.
///
/// The book's own preprocessor ([`Math`]) runs in-process, in the place
/// `book.toml`'s `[preprocessor.math]` table gives it, so nothing has to
/// be installed. Math becomes MathML at build time, and the math font it
/// needs is written beside the pages (see [`math_font`]).
pub fn build(root: &Path, dest: &Path) -> Result<PathBuf> {
    quiet_logging();
    let mut book = MDBook::load(root)
        .with_context(|| format!("loading the book at {}", root.display()))?;
    book.config.build.build_dir = dest.to_path_buf();
    repository(&mut book)?;
    book.with_preprocessor(Math);
    book.build().context("building the book")?;
    let math_chars = polish::run(dest)?;
    math_font(root, &dest.join("fonts"), &math_chars)?;
    focusable_code(dest)?;
    Ok(dest.to_path_buf())
}

/// On GitHub Actions, puts the repository that is being built
/// (`$GITHUB_REPOSITORY`, `owner/name`) in place of the `<owner>/...`
/// placeholder of book.toml's links to the source and to an edit.
fn repository(book: &mut MDBook) -> Result<()> {
    let Some(repo) = std::env::var("GITHUB_REPOSITORY")
        .ok()
        .filter(|r| r.split('/').count() == 2 && !r.contains(['<', '>', '"']))
    else {
        return Ok(());
    };
    // The `owner/name` that book.toml names, replaced by the one building.
    let Some(named) = book
        .config
        .get::<String>("output.html.git-repository-url")?
        .and_then(|url| {
            url.strip_prefix("https://github.com/")
                .map(|r| r.trim_end_matches('/').to_string())
        })
    else {
        return Ok(());
    };
    for key in [
        "output.html.git-repository-url",
        "output.html.edit-url-template",
    ] {
        if let Some(url) = book.config.get::<String>(key)? {
            let url = url.replace(
                &format!("github.com/{named}"),
                &format!("github.com/{repo}"),
            );
            book.config.set(key, url)?;
        }
    }
    Ok(())
}

/// Lets a keyboard reach every code block and table: one wider than the
/// column scrolls sideways, and only a focusable element can be scrolled
/// without a mouse.
fn focusable_code(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            focusable_code(&path)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path)?;
            let fixed = html
                .replace("<pre><code ", "<pre><code tabindex=\"0\" ")
                .replace(
                    "<div class=\"table-wrapper\">",
                    "<div class=\"table-wrapper\" tabindex=\"0\">",
                );
            if fixed != html {
                std::fs::write(&path, fixed)?;
            }
        }
    }
    Ok(())
}

/// The math font's file name in the built book's `fonts/` folder, the one
/// `book/theme/math.css` loads.
pub const MATH_FONT: &str = "NewCMMath-Regular.woff2";

/// Writes New Computer Modern Math (as WOFF2), cut down to what `chars`
/// need (see [`subset`]), and its licence, into `fonts`.
///
/// Browsers lay out MathML with the OpenType MATH table of the font they
/// use; Chromium on a machine without a math font falls back to a text
/// font, so brackets do not stretch and bold letters are missing. The font
/// comes from the `typst-assets` crate, a versioned dependency, so the
/// book never fetches it from another host and git never holds it. Its
/// licence (the GUST Font License) is copied from that crate's `NOTICE`.
fn math_font(
    root: &Path,
    fonts: &Path,
    chars: &std::collections::BTreeSet<char>,
) -> Result<()> {
    // The bundled fonts are OpenType files; the math one is the only font
    // whose name table says "NewComputerModernMath-Regular".
    let font = typst_assets::fonts()
        .find(|f| contains(f, b"NewComputerModernMath-Regular"))
        .context("typst-assets no longer bundles New Computer Modern Math")?;
    std::fs::create_dir_all(fonts)?;
    let font = subset::subset(font, chars).context("cutting the math font")?;
    // Seconds of brotli: done once per cut font and xtask build.
    let woff2 = crate::memo::bytes(
        &crate::memo::dir(root),
        "math-font-woff2",
        &[&font],
        || woff2::encode(&font),
    )
    .context("compressing the math font")?;
    std::fs::write(fonts.join(MATH_FONT), woff2)?;
    let licence = font_licence(root)?;
    std::fs::write(fonts.join("NewCMMath-LICENSE.txt"), licence)?;
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The licence of New Computer Modern Math: the GUST Font License section
/// of the `NOTICE` file shipped in the `typst-assets` package that
/// provides the font, read where cargo unpacked that package (see
/// [`crate::crate_source`]: not through `cargo metadata`, which needs
/// every platform's packages).
fn font_licence(root: &Path) -> Result<String> {
    use crate::crate_source::{cargo_home, source_dir};
    let dir = source_dir(root, &cargo_home()?, "typst-assets")?;
    let notice = dir.join("NOTICE");
    let text = std::fs::read_to_string(&notice)
        .with_context(|| format!("reading {}", notice.display()))?;
    gust_section(&text).with_context(|| {
        format!("no GUST Font License section in {}", notice.display())
    })
}

/// The section of a `NOTICE` file that starts at the heading naming the
/// GUST Font License and ends at the next row of `=` signs.
fn gust_section(notice: &str) -> Option<String> {
    let start = notice.find("The GUST Font License")?;
    let body = &notice[start..];
    let end = body.find("\n=====").unwrap_or(body.len());
    Some(format!(
        "New Computer Modern Math (NewCMMath-Regular.woff2, cut down to \
         the glyphs the book uses and compressed from \
         NewCMMath-Regular.otf), \
         (C) 2019-2026 Antonis Tsolomitis, as bundled by the typst-assets \
         crate.\n\n{}\n",
        body[..end].trim_end()
    ))
}

/// Shows mdBook's warnings and errors, but not its progress chatter,
/// unless `RUST_LOG` asks for more (`info`, `debug` or `trace`).
fn quiet_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let level = match std::env::var("RUST_LOG").as_deref() {
            Ok("error") => tracing::Level::ERROR,
            Ok("info") => tracing::Level::INFO,
            Ok("debug") => tracing::Level::DEBUG,
            Ok("trace") => tracing::Level::TRACE,
            _ => tracing::Level::WARN,
        };
        // Fails only if a logger is already set, which is then kept.
        let _ = tracing::subscriber::set_global_default(Log { level });
    });
}

/// Prints mdBook's log events at `level` and above to stderr, one line
/// each: `WARN mdbook_html: message`.
struct Log {
    level: tracing::Level,
}

impl tracing::Subscriber for Log {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= self.level
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(
        &self,
        _: &tracing::span::Id,
        _: &tracing::span::Id,
    ) {
    }

    fn event(&self, event: &tracing::Event<'_>) {
        struct Line(String);
        impl tracing::field::Visit for Line {
            fn record_debug(
                &mut self,
                field: &tracing::field::Field,
                value: &dyn std::fmt::Debug,
            ) {
                if field.name() == "message" {
                    self.0.insert_str(0, &format!("{value:?}"));
                } else {
                    self.0.push_str(&format!(" {}={value:?}", field.name()));
                }
            }
        }
        let mut line = Line(String::new());
        event.record(&mut line);
        let meta = event.metadata();
        eprintln!("{} {}: {}", meta.level(), meta.target(), line.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// The book's math, quizzes and figure links:
///
/// - every formula becomes MathML ([`math::render`]);
/// - `{{#quiz ...}}` becomes the quiz ([`crate::quiz`]);
/// - every figure becomes a link to itself ([`figure_links`]).
struct Math;

impl Preprocessor for Math {
    fn name(&self) -> &str {
        // The name of book.toml's [preprocessor.math] table, which places
        // it after mdBook's `links` (so included files are in).
        "math"
    }

    fn run(
        &self,
        ctx: &PreprocessorContext,
        mut book: Book,
    ) -> mdbook_preprocessor::errors::Result<Book> {
        let mut failed = Vec::new();
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                match math::render(&chapter.content) {
                    Ok(html) => chapter.content = html,
                    Err(e) => {
                        let path = chapter
                            .source_path
                            .as_deref()
                            .unwrap_or(Path::new("?"));
                        failed.push(format!("{}: {e:#}", path.display()));
                    }
                }
            }
        });
        if !failed.is_empty() {
            return Err(anyhow::anyhow!(
                "math that does not convert to MathML:\n{}",
                failed.join("\n")
            ));
        }
        crate::quiz::expand_book(
            &ctx.root.join(&ctx.config.book.src),
            &mut book,
        )?;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = figure_links(&chapter.content);
            }
        });
        Ok(book)
    }

    fn supports_renderer(
        &self,
        renderer: &str,
    ) -> mdbook_preprocessor::errors::Result<bool> {
        Ok(renderer == "html")
    }
}

/// Wraps every image of `figures/` in a link to the image itself, so a
/// reader on a phone can tap a figure to see it at full size.
pub fn figure_links(markdown: &str) -> String {
    const SRC: &str = "](figures/";
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(src) = rest.find(SRC) {
        let close = rest[src..].find(')').map(|c| src + c);
        // The image's `![` is the last one before its target (`vec![`
        // in an earlier listing is not).
        let open = rest[..src].rfind("![");
        let (Some(open), Some(close)) = (open, close) else {
            out.push_str(&rest[..src + SRC.len()]);
            rest = &rest[src + SRC.len()..];
            continue;
        };
        let target = &rest[src + 2..close];
        out.push_str(&rest[..open]);
        if rest[open..src].contains("\n\n") || target.contains(' ') {
            out.push_str(&rest[open..=close]);
        } else {
            out.push_str(&format!(
                "<a class=\"figure-link\" href=\"{target}\">{}</a>",
                &rest[open..=close]
            ));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_link_to_themselves() {
        let md = "vec![1]\n\n![A map](figures/ch01-a.svg)\n\n![x](other.png)";
        assert_eq!(
            figure_links(md),
            "vec![1]\n\n<a class=\"figure-link\" href=\"figures/ch01-a.svg\">\
             ![A map](figures/ch01-a.svg)</a>\n\n![x](other.png)"
        );
    }

    #[test]
    fn the_licence_section_is_found() {
        let notice = "x\n=====\nThe GUST Font License Version 1.0 applies to:\nbody\n=====\nnext";
        let text = gust_section(notice).unwrap();
        assert!(text.contains("applies to:\nbody\n"));
        assert!(!text.contains("next"));
    }
}
