//! Two rules that keep the book's words explained (part of `cargo xtask
//! check`):
//!
//! 1. Every ndarray method that a listing included in the book calls is
//!    explained in `book/appendix-ndarray.md`: the appendix names it in
//!    code, as `.mapv(`, `` `mapv` `` or `Array2::zeros`.
//! 2. Every term a page defines has an entry in `book/glossary.md`. The
//!    book's convention (CONTRIBUTING.md, "Defining a term"): a page
//!    defines a term by writing it in **bold** where it says what it
//!    means, and uses bold for nothing else in running text, apart from a
//!    lead-in that ends with a full stop or a colon inside the bold
//!    (`**Step 1.**`) and a label that opens a list item (`- **entity**:`).
//!    A glossary entry `**Term (T).**` answers to "term", "T" and plurals;
//!    a synonym gets its own entry that says "See ...".

use super::Report;
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::Path;

/// The ndarray 0.17 methods (of `ArrayBase` and `Zip`) that a listing
/// must not use unexplained. Methods that mean on an array what they mean
/// on a `Vec` or an iterator (`len`, `iter`, `map`, `sum`, `fill`, ...)
/// are left out: a reader who knows a little Rust knows them already. So
/// is `flatten`, which a listing far more often calls on an iterator
/// (`Iterator::flatten`) than on an array, and a text check cannot tell
/// the two apart.
const NDARRAY_METHODS: &[&str] = &[
    "accumulate_axis_inplace",
    "and_broadcast",
    "as_standard_layout",
    "assign",
    "assign_to",
    "axes",
    "axis_chunks_iter",
    "axis_chunks_iter_mut",
    "axis_iter",
    "axis_iter_mut",
    "axis_windows",
    "broadcast",
    "column",
    "column_mut",
    "columns",
    "columns_mut",
    "diag",
    "diag_mut",
    "dim",
    "dot",
    "fold",
    "fold_axis",
    "index_axis",
    "index_axis_move",
    "index_axis_mut",
    "indexed_iter",
    "indexed_iter_mut",
    "insert_axis",
    "into_dimensionality",
    "into_dyn",
    "into_owned",
    "into_shape_with_order",
    "invert_axis",
    "is_standard_layout",
    "lanes",
    "lanes_mut",
    "len_of",
    "map_axis",
    "map_inplace",
    "mapv",
    "mapv_inplace",
    "mapv_into",
    "mean",
    "mean_axis",
    "merge_axes",
    "ncols",
    "ndim",
    "nrows",
    "outer_iter",
    "outer_iter_mut",
    "permuted_axes",
    "product_axis",
    "raw_dim",
    "remove_axis",
    "reversed_axes",
    "row",
    "row_mut",
    "rows",
    "rows_mut",
    "scaled_add",
    "select",
    "shape",
    "slice",
    "slice_axis",
    "slice_mut",
    "std_axis",
    "sum_axis",
    "swap_axes",
    "t",
    "to_owned",
    "to_shape",
    "var_axis",
    "view",
    "view_mut",
    "zip_mut_with",
];

/// ndarray's types: `Type::f(` on one of them is an ndarray constructor.
const NDARRAY_TYPES: &[&str] = &[
    "Array",
    "Array0",
    "Array1",
    "Array2",
    "Array3",
    "Array4",
    "ArrayD",
    "ArrayView1",
    "ArrayView2",
    "ArrayView3",
    "Zip",
];

/// Constructors that are standard traits' (`FromIterator`, `From`, ...)
/// and need no appendix.
const STD_CONSTRUCTORS: &[&str] = &["from_iter", "from", "default", "clone"];

pub(super) fn run(root: &Path, report: &mut Report) -> Result<()> {
    let book = root.join("book");
    let appendix = std::fs::read_to_string(book.join("appendix-ndarray.md"))?;
    let explained = explained_names(&appendix);
    let glossary =
        glossary_keys(&std::fs::read_to_string(book.join("glossary.md"))?);
    let mut seen = BTreeSet::new();
    for md in super::chapter_files(root)? {
        let text = std::fs::read_to_string(&md)?;
        let name = crate::walk::rel(root, &md);
        for (line, path, selector) in super::includes(&text) {
            if !path.ends_with(".rs") {
                continue;
            }
            let file = md.parent().unwrap_or(&book).join(&path);
            let Ok(source) = std::fs::read_to_string(&file) else {
                continue; // `includes_and_images` reports a missing file
            };
            let Some((first, listing)) = region(&source, selector.as_deref())
            else {
                continue;
            };
            let rs = crate::walk::rel(root, &tidy(&file));
            for (at, method) in unexplained_calls(&listing, first, &explained) {
                if seen.insert((rs.clone(), at, method.clone())) {
                    report.add(
                        &rs,
                        at,
                        format!(
                            "the listing included by {name}:{line} calls \
                             ndarray's `{method}`, which \
                             book/appendix-ndarray.md does not explain; add \
                             it there with a short example"
                        ),
                    );
                }
            }
        }
        if defines_terms(&md) {
            for (line, term) in undefined_terms(&text, &glossary) {
                report.add(
                    &name,
                    line,
                    format!(
                        "**{term}** is bold, so by the book's convention this \
                         page defines it, but book/glossary.md has no entry \
                         for it; add one (or a \"See ...\" entry), or use \
                         *italics* if it is only emphasis"
                    ),
                );
            }
        }
    }
    Ok(())
}

/// `path` with every `dir/..` folded away, so that it is reported as
/// `crates/...` rather than `book/../crates/...`.
fn tidy(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The pages whose bold terms must be in the glossary: the chapters, the
/// introduction and the ndarray appendix.
fn defines_terms(md: &Path) -> bool {
    let stem = md.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    super::chapter_number(md).is_some()
        || matches!(stem, "introduction" | "appendix-ndarray")
}

/// The lines of an included region, and the line number (from 1) of the
/// first one. `selector` is an anchor name, a line range (`4:`, `2:10`,
/// `:10`, `7`) or nothing (the whole file).
fn region(source: &str, selector: Option<&str>) -> Option<(usize, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let (from, to) = match selector {
        None => (0, lines.len()),
        Some(s) if s.starts_with(|c: char| c.is_ascii_digit() || c == ':') => {
            let num = |t: &str| t.parse::<usize>().ok();
            match s.split_once(':') {
                Some((a, b)) => (
                    num(a).map_or(0, |a| a.saturating_sub(1)),
                    num(b).unwrap_or(lines.len()),
                ),
                None => {
                    let n = num(s)?;
                    (n.saturating_sub(1), n)
                }
            }
        }
        Some(anchor) => {
            let marker = |l: &str| {
                l.trim_start().trim_start_matches("//").trim().to_string()
            };
            let start = lines
                .iter()
                .position(|l| marker(l) == format!("ANCHOR: {anchor}"))?;
            let end = lines
                .iter()
                .position(|l| marker(l) == format!("ANCHOR_END: {anchor}"))?;
            (start + 1, end)
        }
    };
    let to = to.min(lines.len());
    (from < to).then(|| (from + 1, lines[from..to].join("\n")))
}

/// Identifiers the appendix names in code: after `.`, `::` or a backtick.
fn explained_names(appendix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, c) in appendix.char_indices() {
        if matches!(c, '.' | ':' | '`') {
            let name = identifier(&appendix[i + 1..]);
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    // `Zip::from(...)` explains `Zip`, which is how the rule names it.
    if appendix.contains("Zip::") || appendix.contains("`Zip`") {
        names.insert("Zip".into());
    }
    names
}

/// The identifier at the start of `s`, possibly empty.
fn identifier(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The ndarray calls in a listing that the appendix does not explain, as
/// `(line, name)`, where the listing's first line is line `first`.
fn unexplained_calls(
    listing: &str,
    first: usize,
    explained: &BTreeSet<String>,
) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in listing.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for name in ndarray_calls(code) {
            if !explained.contains(&name) {
                found.push((first + i, name));
            }
        }
    }
    found
}

/// The ndarray methods and constructors called on one line of code: a
/// method is `.name(` or `.name::<`; a constructor is `Type::name(` with
/// an ndarray `Type` (named `Zip` for `Zip::from`).
fn ndarray_calls(code: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let called = |rest: &str| {
        let rest = rest.trim_start();
        rest.starts_with('(') || rest.starts_with("::<")
    };
    for (i, _) in code.match_indices('.') {
        let name = identifier(&code[i + 1..]);
        if NDARRAY_METHODS.contains(&name)
            && called(&code[i + 1 + name.len()..])
        {
            calls.push(name.to_string());
        }
    }
    for (i, _) in code.match_indices("::") {
        let before = &code[..i];
        let ty_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let ty = &before[ty_start..];
        let name = identifier(&code[i + 2..]);
        if !NDARRAY_TYPES.contains(&ty)
            || name.is_empty()
            || !called(&code[i + 2 + name.len()..])
        {
            continue;
        }
        if ty == "Zip" {
            calls.push("Zip".into());
        } else if !STD_CONSTRUCTORS.contains(&name) {
            calls.push(name.to_string());
        }
    }
    calls
}

/// The glossary's entries, each under every name it answers to: a
/// paragraph that opens with `**Title.**`; "A (B)" answers to "A", "B"
/// and "A (B)"; "A, B" to each.
fn glossary_keys(glossary: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for line in glossary.lines() {
        let Some(rest) = line.strip_prefix("**") else {
            continue;
        };
        let Some(end) = rest.find("**") else { continue };
        let title = rest[..end].trim().trim_end_matches('.');
        let mut names = vec![title.to_string()];
        if let Some((outer, inner)) = title.split_once(" (") {
            names.push(outer.to_string());
            names.push(inner.trim_end_matches(')').to_string());
        }
        names.extend(title.split(", ").map(str::to_string));
        keys.extend(names.iter().map(|n| normal(n)));
    }
    keys
}

/// Lower case, hyphens as spaces, one space between words.
fn normal(term: &str) -> String {
    term.to_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A term and the singulars it could have, if its last word looks like
/// a plural ("queries", "caches", "keys"); a wrong guess matches nothing.
fn forms(term: &str) -> Vec<String> {
    let mut out = vec![term.to_string()];
    if let Some(stem) = term.strip_suffix("ies") {
        out.push(format!("{stem}y"));
    }
    if let Some(stem) = term.strip_suffix("es") {
        out.push(stem.to_string());
    }
    if let Some(stem) = term.strip_suffix('s')
        && !stem.ends_with('s')
    {
        out.push(stem.to_string());
    }
    out
}

/// Whether the glossary has an entry for `term`.
fn has_entry(term: &str, keys: &BTreeSet<String>) -> bool {
    let term = normal(term);
    forms(&term)
        .iter()
        .any(|f| keys.contains(f) || keys.iter().any(|k| forms(k).contains(f)))
}

/// The page with code, math, comments and directives blanked out (line
/// breaks kept), so that only prose is searched for bold.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push_str(&blank(line));
        } else if fenced {
            out.push_str(&blank(line));
        } else {
            out.push_str(line);
        }
    }
    for (open, close) in [
        ("<!--", "-->"),
        ("{{#", "}}"),
        ("$$", "$$"),
        ("`", "`"),
        ("$", "$"),
    ] {
        let mut from = 0;
        while let Some(start) = out[from..].find(open).map(|s| s + from) {
            if open == "$" && out[..start].ends_with('\\') {
                from = start + 1;
                continue;
            }
            let body = start + open.len();
            let end = out[body..]
                .find(close)
                .map_or(out.len(), |e| body + e + close.len());
            let blanked = blank(&out[start..end]);
            out.replace_range(start..end, &blanked);
            from = start + blanked.len();
        }
    }
    out
}

/// Spaces in place of every character but line breaks.
fn blank(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect()
}

/// Bold terms the page defines that have no glossary entry, as
/// `(line, term)`.
fn undefined_terms(
    text: &str,
    keys: &BTreeSet<String>,
) -> Vec<(usize, String)> {
    let prose = prose(text);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = prose[from..].find("**").map(|s| s + from) {
        let body = open + 2;
        let Some(close) = prose[body..].find("**").map(|e| body + e) else {
            break;
        };
        from = close + 2;
        let inner = prose[body..close].trim();
        let line_start = prose[..open].rfind('\n').map_or(0, |p| p + 1);
        let before = prose[line_start..open]
            .trim_start()
            .trim_start_matches('>')
            .trim();
        let list_label = before == "-"
            || before == "*"
            || before == "+"
            || (before.len() > 1
                && before[..before.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_digit())
                && before.ends_with(['.', ')']));
        let lead_in = inner
            .trim_end_matches(['"', '\u{201d}', ')'])
            .ends_with(['.', ':', '?', '!']);
        if inner.is_empty() || list_label || lead_in {
            continue;
        }
        let term = inner.split_whitespace().collect::<Vec<_>>().join(" ");
        if !has_entry(&term, keys) {
            found.push((prose[..open].matches('\n').count() + 1, term));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_that_calls_an_unexplained_method_is_reported() {
        let listing = "let y = x.mapv(f64::exp); // (T, d) -> (T, d)\n\
                       let z = Array2::from_shape_fn((2, 2), |(i, j)| 0.0);\n\
                       let n = y.len() + z.nrows();";
        let explained = explained_names("`x.nrows()` is the number of rows.");
        assert_eq!(
            unexplained_calls(listing, 10, &explained),
            vec![(10, "mapv".to_string()), (11, "from_shape_fn".to_string())]
        );
    }

    #[test]
    fn an_explained_method_a_comment_or_a_field_is_not_reported() {
        let listing = "// x.mapv(f) would copy\n\
                       x.mapv_inplace(f64::exp);\n\
                       let w = self.dot; let z = Zip::from(&mut a);";
        let explained = explained_names("`mapv_inplace` changes it in place.");
        assert_eq!(
            unexplained_calls(listing, 1, &explained),
            vec![(3, "Zip".to_string())]
        );
        let explained = explained_names("Zip::from(&mut a).and(&b)");
        assert!(
            unexplained_calls("Zip::from(&mut a)", 1, &explained).is_empty()
        );
    }

    #[test]
    fn regions_follow_anchors_and_line_ranges() {
        let source = "a\n// ANCHOR: two\nb\nc\n// ANCHOR_END: two\nd";
        assert_eq!(region(source, Some("two")), Some((3, "b\nc".into())));
        assert_eq!(region(source, Some("3:4")), Some((3, "b\nc".into())));
        assert_eq!(region(source, Some("6")), Some((6, "d".into())));
        assert_eq!(region(source, None).map(|r| r.0), Some(1));
        assert_eq!(region(source, Some("missing")), None);
    }

    #[test]
    fn a_bold_term_without_a_glossary_entry_is_reported() {
        let keys = glossary_keys(
            "**Key.** What a position advertises.\n\n\
             **Recurrent network (RNN).** A network that...\n\n\
             **Soft attention.** The weighted average.",
        );
        let page = "The **keys** and the **RNN** are defined.\n\
                    A **glimpse** is a small look.\n\
                    **Step 1: score.** Then\n\
                    - **entity**: a label.\n\
                    `**not bold**` and $a **b** c$ are code and math.\n\
                    We **really** mean it, and **soft attention** too.";
        assert_eq!(
            undefined_terms(page, &keys),
            vec![(2, "glimpse".to_string()), (6, "really".to_string())]
        );
    }

    #[test]
    fn plurals_hyphens_and_see_entries_match() {
        let keys = glossary_keys(
            "**Query.** x\n**Key-value cache (KV cache).** y\n\
             **Learned weights.** See *parameters*.",
        );
        for term in [
            "queries",
            "key value cache",
            "KV caches",
            "learned weight",
            "Learned weights",
        ] {
            assert!(has_entry(term, &keys), "{term}");
        }
        assert!(!has_entry("value", &keys));
    }

    /// The real book: every listing's ndarray calls are explained and
    /// every bold term has a glossary entry.
    #[test]
    fn the_book_passes_both_rules() {
        let root = crate::root();
        let mut report = Report::default();
        run(&root, &mut report).unwrap();
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
    }
}
