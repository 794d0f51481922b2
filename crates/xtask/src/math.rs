//! The book's formulas, TeX to MathML, at build time and in Rust.
//!
//! A chapter writes math between dollars, `$...$` inline and `$$...$$` on
//! its own. [`render`] finds each formula in the markdown (never inside
//! code), converts it with the `pulldown-latex` crate, repairs what that
//! crate leaves for a browser to stumble on ([`tidy`]) and puts the MathML
//! in its place, so the built pages need no script and no stylesheet from
//! anywhere to show it. A formula that does not convert stops the build
//! with the chapter's line and the formula.

use anyhow::{Context, Result, bail};
use pulldown_latex::{
    Parser, RenderConfig, Storage, config::DisplayMode, push_mathml,
};

/// Where a formula sits in a chapter's markdown.
#[derive(Debug, PartialEq, Eq)]
pub struct Formula {
    /// Byte range of the whole formula, dollars included.
    pub outer: std::ops::Range<usize>,
    /// Byte range of the TeX between the dollars.
    pub tex: std::ops::Range<usize>,
    /// `$$...$$`: a display formula, set on its own line.
    pub display: bool,
}

/// Every formula of `markdown`, in order.
///
/// Dollars inside code (fenced blocks, at any indent, as in a list item,
/// and backtick spans) are not math, and `\$` is a dollar sign. A `$` that
/// opens a formula nobody closes is an error naming its line: a lone
/// dollar in prose must be written `\$`.
pub fn find(markdown: &str) -> Result<Vec<Formula>> {
    let bytes = markdown.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if line_start && let Some(end) = fenced_block(markdown, i) {
            i = end;
            continue;
        }
        line_start = false;
        match bytes[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'\\' => i += 2,
            b'`' => i = code_span_end(markdown, i),
            b'$' => {
                let display = bytes.get(i + 1) == Some(&b'$');
                let delimiter = if display { "$$" } else { "$" };
                let start = i + delimiter.len();
                let Some(end) = closing(markdown, start, delimiter) else {
                    bail!(
                        "line {}: a `{delimiter}` opens a formula that is never \
                         closed (a dollar sign in prose is written `\\$`)",
                        line_of(markdown, i)
                    );
                };
                found.push(Formula {
                    outer: i..end + delimiter.len(),
                    tex: start..end,
                    display,
                });
                i = end + delimiter.len();
            }
            _ => i += 1,
        }
    }
    Ok(found)
}

/// The 1-based line of byte `at`.
pub fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// If a fenced code block (a line that starts, after any indent, with
/// three or more backticks or tildes) opens at `start`, the byte after it:
/// after its closing fence, or the end of the text if it never closes.
fn fenced_block(text: &str, start: usize) -> Option<usize> {
    let line = &text[start..];
    let rest = line.trim_start_matches(' ');
    let fence_char = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = rest.len() - rest.trim_start_matches(fence_char).len();
    if run < 3 {
        return None;
    }
    let mut at = start
        + text[start..]
            .find('\n')
            .map_or(text.len() - start, |n| n + 1);
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |n| at + n + 1);
        let candidate = text[at..end].trim_start_matches(' ');
        let closing_run =
            candidate.len() - candidate.trim_start_matches(fence_char).len();
        if closing_run >= run && candidate[closing_run..].trim().is_empty() {
            return Some(end);
        }
        at = end;
    }
    Some(text.len())
}

/// The byte after the code span whose opening backticks start at `start`,
/// or after the backticks alone if no run of the same length closes them
/// (then they are literal backticks).
fn code_span_end(text: &str, start: usize) -> usize {
    let run = text[start..].len() - text[start..].trim_start_matches('`').len();
    let after_open = start + run;
    let mut at = after_open;
    while let Some(found) = text[at..].find('`').map(|f| at + f) {
        let len =
            text[found..].len() - text[found..].trim_start_matches('`').len();
        if len == run {
            return found + len;
        }
        at = found + len;
    }
    after_open
}

/// The byte where the `delimiter` closing a formula begins (one not
/// escaped by a backslash), searching from `from`.
fn closing(text: &str, from: usize, delimiter: &str) -> Option<usize> {
    let mut at = from;
    loop {
        let found = at + text[at..].find(delimiter)?;
        let backslashes =
            text[..found].len() - text[..found].trim_end_matches('\\').len();
        if backslashes.is_multiple_of(2) {
            return Some(found);
        }
        at = found + delimiter.len();
    }
}

/// `markdown` with every formula replaced by MathML: a display formula as
/// `<span class="math-display"><math display="block">...</math></span>`,
/// an inline one as `<math>...</math>` (a long one as several, see
/// [`break_inline`]).
pub fn render(markdown: &str) -> Result<String> {
    let mut out = String::with_capacity(markdown.len() * 2);
    let mut last = 0;
    for formula in find(markdown)? {
        let tex = &markdown[formula.tex.clone()];
        let mathml = to_mathml(tex, formula.display).with_context(|| {
            format!(
                "line {}: the formula {}",
                line_of(markdown, formula.outer.start),
                &markdown[formula.outer.clone()]
            )
        })?;
        out.push_str(&markdown[last..formula.outer.start]);
        out.push_str(&mathml);
        last = formula.outer.end;
    }
    out.push_str(&markdown[last..]);
    Ok(out)
}

/// One formula's TeX as the HTML that stands in its place.
pub fn to_mathml(tex: &str, display: bool) -> Result<String> {
    let tex = bold_ell(tex);
    let storage = Storage::new();
    let parser = Parser::new(&tex, &storage);
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut raw = String::new();
    push_mathml(&mut raw, parser, config).context("writing MathML")?;
    let tidy = tidy(&raw)?;
    let body = tidy
        .strip_prefix(if display {
            "<math display=\"block\">"
        } else {
            "<math display=\"inline\">"
        })
        .and_then(|b| b.strip_suffix("</math>"))
        .with_context(|| {
            format!("unexpected MathML from pulldown-latex: {tidy}")
        })?;
    Ok(if display {
        protect(&format!(
            "<span class=\"math-display\"><math display=\"block\">{body}</math></span>"
        ))
    } else {
        protect(&break_inline(body))
    })
}

/// Stands for a bold `ℓ` between [`bold_ell`] and [`tidy`] (a character
/// of Unicode's private use area, which no formula uses).
const BOLD_ELL: char = '\u{E000}';

/// Unicode has no bold `ℓ`, so `pulldown-latex` sets `\boldsymbol\ell` as a
/// plain one; it is marked here and drawn in a bold weight by [`tidy`].
fn bold_ell(tex: &str) -> String {
    let mut out = tex.to_string();
    for bold in ["\\boldsymbol", "\\mathbf"] {
        for ell in ["\\ell", "{\\ell}"] {
            out = out.replace(&format!("{bold}{ell}"), &BOLD_ELL.to_string());
        }
    }
    out
}

/// Repairs `pulldown-latex`'s MathML, and refuses it if it holds an error
/// or unbalanced tags:
///
/// - a `<` or `>` it writes as an operator (`q < 0`) becomes a character
///   reference, so that no HTML or markdown parser reads a tag into it;
/// - attributes it writes without a space between them get one;
/// - `\hat` and `\tilde` become accents (`<mover accent="true">` over an
///   `<mo>`), which the browser sets small and close, not as a letter;
/// - `\mu` is the Greek letter (it writes the micro sign, U+00B5);
/// - a group of one operator (`{,}`) and a `/` or `.` are set with no
///   space around them, as TeX sets an ordinary symbol (see [`ordinary`]);
/// - a prime follows a function's name without a space;
/// - the bold `ℓ` marked by [`bold_ell`] is drawn bold.
pub fn tidy(raw: &str) -> Result<String> {
    let mut tokens: Vec<String> = Vec::new();
    // Open elements: name and index of the opening tag in `tokens`.
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if let Some(tag) = tag_at(rest) {
            i += tag.len();
            if let Some(name) = tag.strip_prefix("</") {
                let name = name.trim_end_matches('>').to_string();
                let Some((opened, at)) = open.pop() else {
                    bail!("`</{name}>` closes nothing in {raw}");
                };
                if opened != name {
                    bail!("`<{opened}>` is closed by `</{name}>` in {raw}");
                }
                if name == "merror" {
                    bail!(
                        "pulldown-latex cannot read it: {}",
                        error_text(&tokens[at..])
                    );
                }
                if name == "mover" && accent(&mut tokens) {
                    tokens[at] = tokens[at].replacen(
                        "<mover",
                        "<mover accent=\"true\"",
                        1,
                    );
                }
                if name == "mrow"
                    && tokens.len() == at + 4
                    && tokens[at + 1] == "<mo>"
                {
                    // A group of one operator, such as the `{,}` of
                    // `4{,}096`: an ordinary symbol in TeX, with no space
                    // around it.
                    tokens[at + 1] =
                        "<mo lspace=\"0em\" rspace=\"0em\">".to_string();
                }
                tokens.push(tag.to_string());
            } else {
                let tag = ordinary(&spaced_attributes(tag), &raw[i..]);
                if !tag.ends_with("/>") {
                    let name: String = tag[1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    open.push((name, tokens.len()));
                }
                tokens.push(tag);
            }
        } else {
            let c = rest.chars().next().expect("inside the string");
            i += c.len_utf8();
            let text = match c {
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '&' if !entity_at(rest) => "&amp;".to_string(),
                '\u{B5}' => "\u{3BC}".to_string(),
                BOLD_ELL => {
                    if let Some(last) =
                        tokens.last_mut().filter(|t| t.as_str() == "<mi>")
                    {
                        *last = "<mi style=\"font-weight: bold\">".to_string();
                    }
                    "ℓ".to_string()
                }
                c => c.to_string(),
            };
            tokens.push(text);
        }
    }
    if let Some((name, _)) = open.last() {
        bail!("`<{name}>` is never closed in {raw}");
    }
    // A prime after a function's name (`\operatorname{GELU}'`) belongs to
    // the name: no space between them.
    Ok(tokens.concat().replace(
        "<mo>\u{2061}</mo><mspace width=\"0.1667em\" /><mi>′</mi>",
        "<mi>′</mi><mo>\u{2061}</mo>",
    ))
}

/// The tag that starts `text`, if one does: `<` then a letter, or `</`
/// then a letter, up to the next `>`.
fn tag_at(text: &str) -> Option<&str> {
    let after = text.strip_prefix('<')?;
    let after = after.strip_prefix('/').unwrap_or(after);
    if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    text.find('>').map(|end| &text[..=end])
}

/// Whether `text` starts with a character reference such as `&nbsp;`.
fn entity_at(text: &str) -> bool {
    let body = &text[1..];
    let len = body
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .count();
    len > 0 && body[len..].starts_with(';')
}

/// An opening tag as the browser should read it, given the `text` after it:
///
/// - a `/` or `.` that `pulldown-latex` writes as an operator is set
///   without the space an operator gets on either side (TeX treats both
///   as ordinary characters: `1/n`, not `1 / n`);
/// - a large operator may move its limits to the side where the formula is
///   set small, as TeX does in a fraction of a display formula (MathML's
///   `movablelimits`, which the converter switches off).
fn ordinary(tag: &str, text: &str) -> String {
    if tag == "<mo>"
        && (text.starts_with("/</mo>") || text.starts_with(".</mo>"))
    {
        return "<mo lspace=\"0em\" rspace=\"0em\">".to_string();
    }
    tag.replace(" movablelimits=\"false\"", "")
}

/// `a="1"b="2"` as `a="1" b="2"` inside a tag.
fn spaced_attributes(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len() + 8);
    let mut quoted = false;
    let mut just_closed = false;
    for c in tag.chars() {
        if just_closed && c.is_ascii_alphabetic() {
            out.push(' ');
        }
        just_closed = false;
        if c == '"' {
            just_closed = quoted;
            quoted = !quoted;
        }
        out.push(c);
    }
    out
}

/// If the element about to close (an `<mover>`) ends with `<mi>^</mi>` or
/// `<mi>~</mi>`, an accent `pulldown-latex` set as a letter, makes that an
/// operator and says so.
fn accent(tokens: &mut [String]) -> bool {
    let n = tokens.len();
    if n < 3 || tokens[n - 3] != "<mi>" || tokens[n - 1] != "</mi>" {
        return false;
    }
    if !matches!(tokens[n - 2].as_str(), "^" | "~") {
        return false;
    }
    tokens[n - 3] = "<mo>".to_string();
    tokens[n - 1] = "</mo>".to_string();
    true
}

/// The text of an `<merror>`'s tokens, for the error message.
fn error_text(tokens: &[String]) -> String {
    tokens
        .iter()
        .filter(|t| !t.starts_with('<'))
        .cloned()
        .collect::<String>()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// An inline formula's MathML children as HTML. A long formula is set as
/// one `<math>` per piece, split after each top-level `=`, `+` or `−`,
/// with a break opportunity between them: browsers never break inside a
/// `<math>` element, and TeX would break a long formula there, so that a
/// sum of three terms does not run past the column of a phone.
pub fn break_inline(body: &str) -> String {
    // Shorter formulas fit any column.
    const LONG: usize = 24;
    let pieces = top_level_pieces(body);
    if pieces.len() > 1 && visible_len(body) > LONG {
        pieces
            .iter()
            .map(|piece| format!("<math>{piece}</math>"))
            .collect::<Vec<_>>()
            .join("<wbr>")
    } else {
        format!("<math>{body}</math>")
    }
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

/// Replaces the characters that mean something to markdown with character
/// references, which HTML reads back as the same characters: the MathML
/// goes through mdBook's markdown parser, which would read `_x_` as
/// emphasis and `\\{` as an escaped brace.
fn protect(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        match c {
            '_' => out.push_str("&#95;"),
            '*' => out.push_str("&#42;"),
            '\\' => out.push_str("&#92;"),
            '`' => out.push_str("&#96;"),
            '~' => out.push_str("&#126;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '$' => out.push_str("&#36;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(markdown: &str) -> Vec<(&str, bool)> {
        find(markdown)
            .unwrap()
            .into_iter()
            .map(|f| (&markdown[f.tex], f.display))
            .collect()
    }

    #[test]
    fn formulas_are_found_outside_code() {
        let md = "a $x$ b `$y$` c \\$5 and $$\\frac12$$\n\
                  ```rust\nlet s = \"$$\"; let c = '`';\n```\n\
                  ~~~\n$z\n~~~\nd ``a ` $b``$w$\n\n- item\n\n      ```\n      $q$\n      ```\n";
        assert_eq!(texts(md), [("x", false), ("\\frac12", true), ("w", false)]);
        // A listing holding `"$$"` and a lone backtick stays a listing.
        let listing = "```rust\nfn clean(s: &str) -> bool { s.contains(\"$$\") || s == \"`\" }\n```\n$a$";
        assert_eq!(texts(listing), [("a", false)]);
        // Escaped dollars inside a formula do not close it.
        assert_eq!(texts("$a \\$ b$"), [("a \\$ b", false)]);
    }

    #[test]
    fn an_unclosed_dollar_names_its_line() {
        let err = find("one\ntwo $x\nthree").unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn operators_that_look_like_tags_are_escaped() {
        let html = to_mathml("q_i < 0 > r", false).unwrap();
        assert!(html.contains("<mo>&lt;</mo>"), "{html}");
        assert!(html.contains("<mo>&gt;</mo>"), "{html}");
    }

    #[test]
    fn attributes_are_spaced() {
        let html = to_mathml("\\big( x \\big)", true).unwrap();
        assert!(!html.contains("\"minsize"), "{html}");
        assert!(html.contains("stretchy=\"true\" minsize="), "{html}");
    }

    #[test]
    fn slashes_are_ordinary_and_limits_may_move() {
        let html = to_mathml("1/n.", false).unwrap();
        assert!(
            html.contains("<mo lspace=\"0em\" rspace=\"0em\">/</mo>"),
            "{html}"
        );
        assert!(
            html.contains("<mo lspace=\"0em\" rspace=\"0em\">.</mo>"),
            "{html}"
        );
        let html = to_mathml("\\frac{a}{\\sum_j b}", true).unwrap();
        assert!(html.contains("<munder><mo>∑</mo>"), "{html}");
    }

    #[test]
    fn grouped_commas_and_primes_take_no_space() {
        let html = to_mathml("4{,}096", false).unwrap();
        assert!(
            html.contains(
                "<mrow><mo lspace=\"0em\" rspace=\"0em\">,</mo></mrow>"
            ),
            "{html}"
        );
        let html = to_mathml("\\operatorname{GELU}'(x)", false).unwrap();
        assert!(
            html.contains("<mi>GELU</mi><mi>′</mi><mo>\u{2061}</mo>"),
            "{html}"
        );
    }

    #[test]
    fn hats_and_tildes_are_accents() {
        let html = to_mathml("\\hat x + \\tilde y", false).unwrap();
        assert_eq!(
            html.matches("<mover accent=\"true\">").count(),
            2,
            "{html}"
        );
        assert!(html.contains("<mo>^</mo></mover>"), "{html}");
        assert!(html.contains("<mo>&#126;</mo></mover>"), "{html}");
    }

    #[test]
    fn bold_letters_are_unicode_bold_and_ell_is_weighted() {
        let html = to_mathml(
            "\\mathbf q \\boldsymbol\\alpha \\boldsymbol\\ell \\mu",
            false,
        )
        .unwrap();
        assert!(html.contains('\u{1D42A}'), "bold q: {html}");
        assert!(html.contains('\u{1D736}'), "bold italic alpha: {html}");
        assert!(
            html.contains("<mi style=\"font-weight: bold\">ℓ</mi>"),
            "{html}"
        );
        assert!(html.contains("<mi>\u{3BC}</mi>"), "Greek mu: {html}");
    }

    #[test]
    fn markdown_characters_become_references() {
        let html = to_mathml("a_{\\text{x_y}}", false).unwrap();
        assert!(!html.contains('_'), "{html}");
        assert!(html.contains("x&#95;y"), "{html}");
    }

    #[test]
    fn errors_and_unbalanced_tags_are_refused() {
        let err = to_mathml("a \\\\[4pt] b", true).unwrap_err();
        assert!(format!("{err:#}").contains("new line"), "{err:#}");
        assert!(tidy("<math><mi>x</math>").is_err());
        assert!(tidy("<math><mi>x</mi>").is_err());
        assert!(tidy("<math><mi>x</mi></math>").is_ok());
    }

    #[test]
    fn display_formulas_get_a_box() {
        let html = to_mathml("x", true).unwrap();
        assert_eq!(
            html,
            "<span class=\"math-display\"><math display=\"block\"><mi>x</mi></math></span>"
        );
    }

    #[test]
    fn render_replaces_formulas_and_names_the_line_of_a_bad_one() {
        assert_eq!(render("a $x$ b").unwrap(), "a <math><mi>x</mi></math> b");
        let err = render("a\n\nb $\\frac{x$").unwrap_err();
        assert!(format!("{err:#}").contains("line 3"), "{err:#}");
    }

    #[test]
    fn long_inline_formulas_break_after_plus_and_equals() {
        let long = "<mn>0.4683</mn><mo>⋅</mo><mn>10.0000</mn><mo>+</mo><mrow><mn>0.0634</mn><mo>+</mo><mn>1</mn></mrow><mo>=</mo><mn>5.3000</mn>";
        assert_eq!(
            break_inline(long),
            "<math><mn>0.4683</mn><mo>⋅</mo><mn>10.0000</mn><mo>+</mo></math><wbr>\
             <math><mrow><mn>0.0634</mn><mo>+</mo><mn>1</mn></mrow><mo>=</mo></math><wbr>\
             <math><mn>5.3000</mn></math>"
        );
        let short = "<mi>a</mi><mo>+</mo><mi>b</mi>";
        assert_eq!(break_inline(short), format!("<math>{short}</math>"));
    }
}
