//! Building the HTML with mdBook's library crates, math included.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_driver::book::{Book, BookItem};
use mdbook_katex::preprocess::KatexProcessor;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use std::path::{Path, PathBuf};

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
/// mdbook-katex runs in-process as the `katex` preprocessor, replacing the
/// external command that `book.toml` would otherwise ask for, so nothing
/// has to be installed. Math becomes MathML at build time, and the math
/// font it needs is written beside the pages (see [`math_font`]).
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

/// KaTeX, plus repairs to its MathML:
///
/// - the TeX source in `<annotation>` goes: the reader never sees it, but
///   the search index would hold every formula twice, once as TeX;
/// - bold letters (`\mathbf{q}`) become Unicode's mathematical bold
///   letters, since Chromium ignores `mathvariant="bold"`;
/// - display math gets its own class, so a wide formula scrolls in its box
///   instead of widening the page;
/// - the MathML goes back through the markdown parser, which would read
///   `_x_` as emphasis and `\\{` as an escaped brace, so inside every
///   `<math>` element characters that mean something to markdown become
///   character references.
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
        crate::quiz::expand_book(
            &ctx.root.join(&ctx.config.book.src),
            &mut book,
        )?;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                chapter.content = figure_links(&chapter.content);
            }
        });
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                let html = drop_annotations(&chapter.content);
                let html = bold_letters(&html);
                let html = display_boxes(&html);
                let html = break_inline(&html);
                chapter.content = protect_math(&html);
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

/// Removes every `<annotation encoding="application/x-tex">` element.
pub fn drop_annotations(html: &str) -> String {
    const OPEN: &str = "<annotation encoding=\"application/x-tex\">";
    const CLOSE: &str = "</annotation>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        match rest[start..].find(CLOSE) {
            Some(end) => rest = &rest[start + end + CLOSE.len()..],
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Writes the text of every `<mi mathvariant="bold">` (and `<mn>`) with
/// the code points of Unicode's Mathematical Alphanumeric Symbols block
/// (bold upright), which any math font draws bold. The attribute stays for
/// browsers that read it. A letter with no bold code point (such as `ℓ`)
/// is set in a bold weight instead.
pub fn bold_letters(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["<mi mathvariant=\"bold\">", "<mn mathvariant=\"bold\">"]
            .iter()
            .filter_map(|tag| rest.find(tag).map(|i| (i, tag.len())))
            .min();
        let Some((start, len)) = next else { break };
        let body = start + len;
        let Some(end) = rest[body..].find('<').map(|e| body + e) else {
            break;
        };
        let text: String = rest[body..end].chars().map(bold).collect();
        let unmapped = text.chars().any(|c| {
            c.is_alphanumeric() && !('\u{1D400}'..='\u{1D7FF}').contains(&c)
        });
        if unmapped {
            // `<mi mathvariant="bold">` less its closing `>`.
            out.push_str(&rest[..body - 1]);
            out.push_str(" style=\"font-weight: bold\">");
        } else {
            out.push_str(&rest[..body]);
        }
        out.push_str(&text);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The mathematical bold form of a Latin letter, digit or Greek letter;
/// any other character unchanged.
pub fn bold(c: char) -> char {
    let shift = |base: u32, first: char| {
        char::from_u32(base + (c as u32 - first as u32)).unwrap_or(c)
    };
    match c {
        'A'..='Z' => shift(0x1D400, 'A'),
        'a'..='z' => shift(0x1D41A, 'a'),
        '0'..='9' => shift(0x1D7CE, '0'),
        // Capital Greek, skipping the reserved U+03A2.
        'Α'..='Ρ' | 'Σ'..='Ω' => shift(0x1D6A8, 'Α'),
        'α'..='ω' => shift(0x1D6C2, 'α'),
        _ => c,
    }
}

/// Marks the span KaTeX wraps around display math with `katex-display`,
/// which `book/theme/math.css` turns into a block that scrolls sideways.
pub fn display_boxes(html: &str) -> String {
    html.replace(
        "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">",
        "<span class=\"katex katex-display\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">",
    )
}

/// Lets a long inline formula wrap, as TeX would, after a top-level `=`,
/// `+` or `−`: browsers never break a `<math>` element, so a sum of three
/// terms runs past the column of a phone. The formula becomes one
/// `<math>` per piece, with a break opportunity between them.
pub fn break_inline(html: &str) -> String {
    const OPEN: &str = "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><semantics><mrow>";
    const CLOSE: &str = "</mrow></semantics></math></span>";
    // Shorter formulas fit any column.
    const LONG: usize = 24;
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let body = start + OPEN.len();
        let Some(end) = rest[body..].find(CLOSE).map(|e| body + e) else {
            break;
        };
        out.push_str(&rest[..start]);
        let pieces = top_level_pieces(&rest[body..end]);
        if pieces.len() > 1 && visible_len(&rest[body..end]) > LONG {
            let joined: Vec<String> = pieces
                .iter()
                .map(|piece| format!("{OPEN}{piece}{CLOSE}"))
                .collect();
            out.push_str(&joined.join("<wbr>"));
        } else {
            out.push_str(&rest[start..end + CLOSE.len()]);
        }
        rest = &rest[end + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

/// Splits MathML children after each top-level `=`, `+` or `−` operator
/// that is followed by more.
fn top_level_pieces(mathml: &str) -> Vec<&str> {
    const BREAKS: [&str; 3] = ["<mo>=</mo>", "<mo>+</mo>", "<mo>−</mo>"];
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut piece_start = 0;
    let mut i = 0;
    while let Some(lt) = mathml[i..].find('<').map(|l| i + l) {
        let Some(gt) = mathml[lt..].find('>').map(|g| lt + g) else {
            break;
        };
        let tag = &mathml[lt..=gt];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with("/>") {
            let op = BREAKS.iter().find(|op| mathml[lt..].starts_with(**op));
            if let (0, Some(op)) = (depth, op) {
                let after = lt + op.len();
                if after < mathml.len() && lt > piece_start {
                    pieces.push(&mathml[piece_start..after]);
                    piece_start = after;
                }
                i = after;
                continue;
            }
            depth += 1;
        }
        i = gt + 1;
    }
    pieces.push(&mathml[piece_start..]);
    pieces
}

/// The number of characters outside tags.
fn visible_len(markup: &str) -> usize {
    let mut inside = false;
    let mut count = 0;
    for c in markup.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => count += 1,
            _ => {}
        }
    }
    count
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
    fn long_inline_formulas_break_after_plus_and_equals() {
        let open = "<span class=\"katex\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><semantics><mrow>";
        let close = "</mrow></semantics></math></span>";
        let long = "<mn>0.4683</mn><mo>⋅</mo><mn>10.0000</mn><mo>+</mo><mrow><mn>0.0634</mn><mo>+</mo><mn>1</mn></mrow><mo>=</mo><mn>5.3000</mn>";
        let html = format!("a {open}{long}{close} b");
        let expected = format!(
            "a {open}<mn>0.4683</mn><mo>⋅</mo><mn>10.0000</mn><mo>+</mo>{close}<wbr>\
             {open}<mrow><mn>0.0634</mn><mo>+</mo><mn>1</mn></mrow><mo>=</mo>{close}<wbr>\
             {open}<mn>5.3000</mn>{close} b"
        );
        assert_eq!(break_inline(&html), expected);
        let short = format!("{open}<mi>a</mi><mo>+</mo><mi>b</mi>{close}");
        assert_eq!(break_inline(&short), short);
    }

    #[test]
    fn tex_annotations_are_dropped() {
        let html = "<math><semantics><mi>x</mi><annotation encoding=\"application/x-tex\">x_i</annotation></semantics></math> y";
        assert_eq!(
            drop_annotations(html),
            "<math><semantics><mi>x</mi></semantics></math> y"
        );
    }

    #[test]
    fn bold_letters_use_mathematical_bold_code_points() {
        let html = "<mi mathvariant=\"bold\">q</mi><mi>q</mi><mn mathvariant=\"bold\">1</mn><mi mathvariant=\"bold\">Ωα</mi>";
        assert_eq!(
            bold_letters(html),
            "<mi mathvariant=\"bold\">\u{1D42A}</mi><mi>q</mi><mn mathvariant=\"bold\">\u{1D7CF}</mn><mi mathvariant=\"bold\">\u{1D6C0}\u{1D6C2}</mi>"
        );
        assert_eq!(bold('Σ'), '\u{1D6BA}');
        assert_eq!(
            bold_letters("<mi mathvariant=\"bold\">ℓ</mi>"),
            "<mi mathvariant=\"bold\" style=\"font-weight: bold\">ℓ</mi>"
        );
        assert_eq!(bold('+'), '+');
    }

    #[test]
    fn the_licence_section_is_found() {
        let notice = "x\n=====\nThe GUST Font License Version 1.0 applies to:\nbody\n=====\nnext";
        let text = gust_section(notice).unwrap();
        assert!(text.contains("applies to:\nbody\n"));
        assert!(!text.contains("next"));
    }

    #[test]
    fn only_math_is_touched() {
        let html = "a_b <math><mi>x</mi><annotation>x_i y_j \\{</annotation></math> *c*";
        assert_eq!(
            protect_math(html),
            "a_b <math><mi>x</mi><annotation>x&#95;i y&#95;j &#92;{</annotation></math> *c*"
        );
    }
}
