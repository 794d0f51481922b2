//! `cargo xtask check`: the book's integrity.
//!
//! 1. Every number with two or more decimals in a chapter's own text appears
//!    in that chapter crate's locked outputs (its insta snapshots).
//! 2. Every `{{#include}}` target exists (with its anchor, and snapshots are
//!    included from the first line after their header); every image exists
//!    and has alt text.
//! 3. The committed figures equal freshly rendered ones.
//! 4. No snapshot is waiting for review (`*.snap.new`, `*.pending-snap`).
//! 5. Links and `#anchors` inside the built book resolve, and the built book
//!    loads nothing from another host.
//! 6. `.ci/run` runs exactly the README's test command.
//! 7. Every chapter has learning goals, a summary and at least three
//!    exercises, two of them with marked solutions in its crate.
//! 8. Every link to a chapter (`](ch12-x.md)`) and every mention of one
//!    ("chapter 12", "Chapter 9") points at a chapter with a page: one
//!    that `book/SUMMARY.md` links (not a draft `()`) and whose file exists.
//!
//! Each problem is reported as `file:line: message`; all are collected
//! before the command fails, so one run shows everything to fix.

mod text_rules;

use crate::numbers::{canonical, scan};
use crate::walk::{files, rel};
use anyhow::{Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Problems found so far, each `file:line: message`.
#[derive(Default)]
pub struct Report {
    problems: Vec<String>,
}

impl Report {
    fn add(&mut self, file: &str, line: usize, message: impl AsRef<str>) {
        self.problems
            .push(format!("{file}:{line}: {}", message.as_ref()));
    }
}

/// Runs every check and fails if any found a problem.
pub fn run(root: &Path) -> Result<()> {
    let mut report = Report::default();
    let chapters = chapter_files(root)?;
    let with_pages = chapters_with_pages(root)?;
    for md in &chapters {
        let text = std::fs::read_to_string(md)?;
        let name = rel(root, md);
        for (line, problem) in chapter_references(&text, &with_pages) {
            report.add(&name, line, problem);
        }
        prose_numbers(root, md, &name, &text, &mut report)?;
        includes_and_images(md, &name, &text, &mut report)?;
        structure(root, md, &name, &text, &mut report)?;
    }
    println!(
        "checked numbers, includes and structure of {} pages",
        chapters.len()
    );
    report.problems.extend(crate::quiz::check(root)?);
    text_rules::run(root, &mut report)?; // ndarray calls, glossary terms
    pending_snapshots(root, &mut report);
    ci_runs_the_readme_command(root, &mut report);
    doc_examples_run(root, &mut report)?;
    figures_fresh(root, &mut report)?;
    let built = root.join("target/xtask-check/book");
    if built.exists() {
        std::fs::remove_dir_all(&built)?;
    }
    crate::book::build(root, &built)?;
    built_links(&built, &mut report)?;
    println!("checked figures, pending snapshots and the built book's links");
    if report.problems.is_empty() {
        println!("cargo xtask check: all good");
        Ok(())
    } else {
        for p in &report.problems {
            eprintln!("{p}");
        }
        bail!(
            "cargo xtask check found {} problem(s)",
            report.problems.len()
        )
    }
}

/// Every markdown page of the book, from `book/`.
fn chapter_files(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(files(&root.join("book"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect())
}

/// The chapter number of `book/chNN-*.md`, if the page is a chapter.
fn chapter_number(md: &Path) -> Option<String> {
    let stem = md.file_stem()?.to_str()?;
    let nn = stem.strip_prefix("ch")?.get(..2)?;
    nn.chars()
        .all(|c| c.is_ascii_digit())
        .then(|| nn.to_string())
}

/// The crate folder `crates/chNN-*` of chapter `nn`.
fn chapter_crate(root: &Path, nn: &str) -> Option<PathBuf> {
    assign::all_chapters(root)
        .ok()?
        .into_iter()
        .find(|c| c.nn == nn)
        .map(|c| c.dir)
}

/// The text of a snapshot after its `---` header, and the header's length.
fn snapshot_body(text: &str) -> Option<(usize, &str)> {
    let mut offset = 0;
    let mut dashes = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        if line.trim_end() == "---" {
            dashes += 1;
            if dashes == 2 {
                return Some((i + 1, &text[offset..]));
            }
        }
    }
    None
}

/// The text a reader sees in a page, with directives, comments and link
/// targets blanked out (line breaks kept, so line numbers stay right).
fn prose_only(text: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in
        [("{{#", "}}"), ("<!--", "-->"), ("](", ")"), ("http", " ")]
    {
        let mut from = 0;
        while let Some(start) = out[from..].find(open).map(|s| s + from) {
            let end = out[start + open.len()..]
                .find(close)
                .map_or(out.len(), |e| start + open.len() + e);
            let blank: String = out[start..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' })
                .collect();
            out.replace_range(start..end, &blank);
            from = start + blank.len();
        }
    }
    out
}

/// The chapters that have a page: `NN` for every `chNN-*.md` that
/// `book/SUMMARY.md` links (a draft entry `- [Title]()` links nothing) and
/// that exists.
fn chapters_with_pages(root: &Path) -> Result<BTreeSet<String>> {
    let book = root.join("book");
    let summary = std::fs::read_to_string(book.join("SUMMARY.md"))?;
    Ok(summary
        .match_indices("](")
        .filter_map(|(i, _)| {
            let rest = &summary[i + 2..];
            let target = &rest[..rest.find(')')?];
            let nn = chapter_number(Path::new(target))?;
            book.join(target).exists().then_some(nn)
        })
        .collect())
}

/// Links to (`](ch12-x.md)`) and mentions of ("chapter 12", "Chapter 9",
/// "chapters 9") chapters without a page, as `(line, problem)`: a reader
/// would follow them to nothing.
fn chapter_references(
    text: &str,
    with_pages: &BTreeSet<String>,
) -> Vec<(usize, String)> {
    let line_of = |i: usize| text[..i].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut linked = BTreeSet::new();
    for (i, _) in text.match_indices("](") {
        let rest = &text[i + 2..];
        let file = &rest[..rest.find([')', '#', ' ']).unwrap_or(rest.len())];
        if let Some(nn) = chapter_number(Path::new(file))
            && !file.contains('/')
            && !with_pages.contains(&nn)
        {
            linked.insert((line_of(i), nn.clone()));
            found.push((
                line_of(i),
                format!(
                    "links to {file}, but chapter {} has no page: its \
                     SUMMARY.md entry is a draft `()` or the file is missing",
                    nn.trim_start_matches('0')
                ),
            ));
        }
    }
    // Mentions are read in the prose only, so a link's target is not
    // read twice and a URL such as `.../chapter-2` is left alone.
    let prose = prose_only(text).to_ascii_lowercase();
    for (i, _) in prose.match_indices("chapter") {
        if prose[..i].ends_with(|c: char| c.is_ascii_alphanumeric()) {
            continue; // "subchapter"
        }
        let rest = prose[i + "chapter".len()..].trim_start_matches('s');
        let after = rest.trim_start_matches([' ', '\n']);
        if after.len() == rest.len() {
            continue; // "chapter-2", "chapters:"
        }
        let digits: String =
            after.chars().take_while(char::is_ascii_digit).collect();
        let Ok(n) = digits.parse::<u32>() else {
            continue;
        };
        let nn = format!("{n:02}");
        // "[chapter 13](ch13-x.md)" is one problem, reported as the link.
        if !with_pages.contains(&nn) && !linked.contains(&(line_of(i), nn)) {
            found.push((
                line_of(i),
                format!(
                    "mentions chapter {n}, which has no page: its \
                     SUMMARY.md entry is a draft `()` or the file is missing"
                ),
            ));
        }
    }
    found.sort();
    found
}

fn prose_numbers(
    root: &Path,
    md: &Path,
    name: &str,
    text: &str,
    report: &mut Report,
) -> Result<()> {
    let quoted: Vec<_> = scan(&prose_only(text))
        .into_iter()
        .filter(|f| f.decimals >= 2)
        .collect();
    if quoted.is_empty() {
        return Ok(());
    }
    let Some(krate) =
        chapter_number(md).and_then(|nn| chapter_crate(root, &nn))
    else {
        for f in quoted {
            report.add(
                name,
                f.line,
                format!(
                    "{} is quoted, but this page has no chapter crate whose \
                     locked outputs could hold it",
                    f.text
                ),
            );
        }
        return Ok(());
    };
    let mut locked = BTreeSet::new();
    for snap in files(&krate)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
    {
        let text = std::fs::read_to_string(&snap)?;
        let body = snapshot_body(&text).map_or(text.as_str(), |(_, b)| b);
        locked.extend(scan(body).into_iter().map(|f| canonical(&f.text)));
    }
    let crate_name = rel(root, &krate);
    for f in quoted {
        if !locked.contains(&canonical(&f.text)) {
            report.add(
                name,
                f.line,
                format!(
                    "{} is quoted in the prose but appears in none of the \
                     locked outputs of {crate_name} (its tests/snapshots); \
                     print it from a worked example or fix the number",
                    f.text
                ),
            );
        }
    }
    Ok(())
}

/// Each `{{#include path[:selector]}}` with its line.
fn includes(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#") {
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else { break };
            let inner = after[..end].trim();
            rest = &after[end + 2..];
            let mut parts = inner.split_whitespace();
            let (Some(kind), Some(target)) = (parts.next(), parts.next())
            else {
                continue;
            };
            if !matches!(kind, "include" | "rustdoc_include") {
                continue;
            }
            let (path, selector) = match target.split_once(':') {
                Some((p, s)) => (p.to_string(), Some(s.to_string())),
                None => (target.to_string(), None),
            };
            out.push((i + 1, path, selector));
        }
    }
    out
}

fn includes_and_images(
    md: &Path,
    name: &str,
    text: &str,
    report: &mut Report,
) -> Result<()> {
    let dir = md.parent().unwrap_or(Path::new("."));
    for (line, path, selector) in includes(text) {
        let target = dir.join(&path);
        let Ok(content) = std::fs::read_to_string(&target) else {
            report.add(
                name,
                line,
                format!("included file {path} does not exist"),
            );
            continue;
        };
        if path.ends_with(".snap") {
            let Some((header, _)) = snapshot_body(&content) else {
                report.add(
                    name,
                    line,
                    format!("{path} has no snapshot header"),
                );
                continue;
            };
            let wanted = format!("{}:", header + 1);
            if selector.as_deref() != Some(wanted.as_str()) {
                report.add(
                    name,
                    line,
                    format!(
                        "include the locked output as `{path}:{wanted}` so \
                         the snapshot's {header}-line header is left out"
                    ),
                );
            }
        } else if let Some(anchor) = selector
            .filter(|s| !s.chars().next().is_some_and(|c| c.is_ascii_digit()))
        {
            let start = format!("ANCHOR: {anchor}");
            let end = format!("ANCHOR_END: {anchor}");
            let has = |marker: &str| {
                content.lines().any(|l| {
                    l.trim_start().trim_start_matches("//").trim() == marker
                })
            };
            if !has(&start) || !has(&end) {
                report.add(
                    name,
                    line,
                    format!("{path} has no `// ANCHOR: {anchor}` ... `// ANCHOR_END: {anchor}`"),
                );
            }
        }
    }
    for (i, l) in text.lines().enumerate() {
        let mut rest = l;
        while let Some(start) = rest.find("![") {
            let after = &rest[start + 2..];
            let Some(close) = after.find("](") else { break };
            let alt = &after[..close];
            let tail = &after[close + 2..];
            let Some(end) = tail.find(')') else { break };
            let src = tail[..end].split_whitespace().next().unwrap_or("");
            rest = &tail[end..];
            if alt.trim().len() < 20 {
                report.add(
                    name,
                    i + 1,
                    format!(
                        "image {src} needs alt text that says what it shows"
                    ),
                );
            }
            if !src.contains("://") && !dir.join(src).exists() {
                report.add(name, i + 1, format!("image {src} does not exist"));
            }
        }
    }
    Ok(())
}

/// Chapters open with goals and close with a summary and exercises, and
/// their code exercises have marked solutions.
fn structure(
    root: &Path,
    md: &Path,
    name: &str,
    text: &str,
    report: &mut Report,
) -> Result<()> {
    let Some(nn) = chapter_number(md) else {
        return Ok(());
    };
    let headings: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("## "))
        .map(|(i, l)| (i + 1, l[3..].trim()))
        .collect();
    let pos = |h: &str| headings.iter().position(|(_, t)| *t == h);
    match (pos("Learning goals"), pos("Summary"), pos("Exercises")) {
        (Some(0), Some(s), Some(e))
            if s + 1 == e && e + 1 == headings.len() => {}
        _ => report.add(
            name,
            1,
            "a chapter opens with `## Learning goals` and ends with \
             `## Summary` then `## Exercises`",
        ),
    }
    let exercises_at = text.find("\n## Exercises").unwrap_or(text.len());
    let stated: BTreeSet<String> =
        exercise_ids(&text[exercises_at..], "Exercise ");
    if stated.len() < 3 {
        report.add(
            name,
            1,
            format!(
                "a chapter needs at least 3 exercises, found {}",
                stated.len()
            ),
        );
    }
    let Some(krate) = chapter_crate(root, &nn) else {
        report.add(name, 1, format!("chapter {nn} has no crate under crates/"));
        return Ok(());
    };
    let mut solved = BTreeMap::new();
    for src in files(&krate)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let code = std::fs::read_to_string(&src)?;
        // The same reading of the markers as `cargo xtask assign` makes.
        let starts = assign::solution_ids(&code);
        let ends = assign::solution_end_count(&code);
        let file = rel(root, &src);
        if starts.len() != ends {
            report.add(
                &file,
                1,
                format!(
                    "{} SOLUTION-START markers but {ends} SOLUTION-END markers",
                    starts.len()
                ),
            );
        }
        for id in starts {
            solved.insert(id, file.clone());
        }
    }
    if solved.len() < 2 {
        report.add(
            name,
            1,
            format!(
                "a chapter needs at least 2 code exercises with marked \
                 solutions in {}, found {}",
                rel(root, &krate),
                solved.len()
            ),
        );
    }
    for (id, file) in &solved {
        if !stated.contains(id) {
            report.add(
                file,
                1,
                format!(
                    "exercise {id} has a solution but is not stated in {name}"
                ),
            );
        }
    }
    Ok(())
}

/// The `N.M` ids that follow `prefix` in `text`.
fn exercise_ids(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let id = id.trim_end_matches('.').to_string();
            id.contains('.').then_some(id)
        })
        .collect()
}

/// `.ci/run` must run exactly the README's test command (the line that
/// starts `cargo fmt --check`).
fn ci_runs_the_readme_command(root: &Path, report: &mut Report) {
    let readme =
        std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap_or_default();
    let command = readme.lines().find(|l| l.starts_with("cargo fmt --check"));
    match command {
        None => report.add(
            "README.md",
            1,
            "no test command (a line starting `cargo fmt --check`)",
        ),
        Some(c) if !ci.lines().any(|l| l.trim() == c.trim()) => report.add(
            ".ci/run",
            1,
            format!("does not run the README's test command exactly: {c}"),
        ),
        Some(_) => {}
    }
}

/// A crate whose `Cargo.toml` sets `doctest = false` (the chapter crates,
/// which have no examples in their doc comments: rustdoc would still cost
/// every `cargo test` a fraction of a second each) must not grow one, or
/// it would never run: every fenced block in a doc comment of such a crate
/// is reported, unless it is marked as plain text.
fn doc_examples_run(root: &Path, report: &mut Report) -> Result<()> {
    for entry in std::fs::read_dir(root.join("crates"))? {
        let dir = entry?.path();
        let manifest =
            std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        let off = manifest
            .lines()
            .any(|l| l.replace(' ', "") == "doctest=false");
        if !off {
            continue;
        }
        for file in files(&dir.join("src")) {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file)?;
            for line in doc_examples(&text) {
                report.add(
                    &rel(root, &file),
                    line,
                    "a doc example that would never run: this crate's \
                     Cargo.toml sets `doctest = false`. Remove that line, \
                     write the example as a test, or mark the block \
                     ```text",
                );
            }
        }
    }
    Ok(())
}

/// The lines of `source` that open a fenced block in a doc comment whose
/// language rustdoc would compile (none given, or `rust`, or rustdoc's
/// attributes such as `no_run`); `text`, `toml`, `sh` and the like are
/// not code.
fn doc_examples(source: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut open = false;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim_start();
        let Some(doc) = t.strip_prefix("///").or_else(|| t.strip_prefix("//!"))
        else {
            continue;
        };
        let Some(info) = doc.trim_start().strip_prefix("```") else {
            continue;
        };
        if open {
            open = false;
            continue;
        }
        open = true;
        let lang = info.trim().split(',').next().unwrap_or("").trim();
        let rust = matches!(
            lang,
            "" | "rust"
                | "no_run"
                | "should_panic"
                | "compile_fail"
                | "edition2021"
                | "edition2024"
        );
        if rust {
            found.push(i + 1);
        }
    }
    found
}

fn pending_snapshots(root: &Path, report: &mut Report) {
    for path in files(root) {
        let n = path.to_string_lossy();
        if n.ends_with(".snap.new") || n.ends_with(".pending-snap") {
            report.add(
                &rel(root, &path),
                1,
                "a snapshot is waiting for review: run `cargo insta review` \
                 (or delete it) and commit the result",
            );
        }
    }
}

/// The committed figures equal freshly rendered ones. When the renderer's
/// executable and the committed figures are byte for byte those of the
/// last run that found them fresh (a key under `target/`, never read where
/// `CI` or `ATTN_NO_CACHE` is set), they are not rendered again.
fn figures_fresh(root: &Path, report: &mut Report) -> Result<()> {
    let fresh = root.join("target/xtask-check/figures");
    let committed = root.join("book/figures");
    let exe = crate::figures::build(root)?;
    let key = crate::figures::freshness_key(&exe, &committed)?;
    let stamp = root.join("target/xtask-check/figures-fresh.key");
    let cached = std::env::var_os("CI").is_none()
        && std::env::var_os("ATTN_NO_CACHE").is_none();
    if cached && std::fs::read_to_string(&stamp).is_ok_and(|k| k == key) {
        println!(
            "figures: renderer and committed figures unchanged since they last matched"
        );
        return Ok(());
    }
    let _ = std::fs::remove_file(&stamp);
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)?;
    }
    crate::figures::run(&exe, &fresh)?;
    let before = report.problems.len();
    let names = |dir: &Path| -> BTreeSet<String> {
        files(dir)
            .iter()
            .filter_map(|p| {
                p.file_name().map(|n| n.to_string_lossy().into_owned())
            })
            .collect()
    };
    let (new, old) = (names(&fresh), names(&committed));
    let fix = "run `cargo xtask figures` locally and commit book/figures";
    for missing in new.difference(&old) {
        report.add(
            &format!("book/figures/{missing}"),
            1,
            format!("missing: {fix}"),
        );
    }
    for extra in old.difference(&new) {
        report.add(
            &format!("book/figures/{extra}"),
            1,
            "no crate renders this figure any more: delete it",
        );
    }
    for both in new.intersection(&old) {
        if std::fs::read(fresh.join(both))?
            != std::fs::read(committed.join(both))?
        {
            report.add(
                &format!("book/figures/{both}"),
                1,
                format!("stale: {fix}"),
            );
        }
    }
    if report.problems.len() == before {
        std::fs::write(&stamp, key)?;
    }
    Ok(())
}

/// The values of every `attr="..."` in an HTML text, with their tag names.
fn attributes<'a>(html: &'a str, attr: &str) -> Vec<(&'a str, &'a str)> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    for (i, _) in html.match_indices(&needle) {
        let value_start = i + needle.len();
        let Some(len) = html[value_start..].find('"') else {
            continue;
        };
        let tag_start = html[..i].rfind('<').unwrap_or(0);
        let tag: String = html[tag_start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let tag = &html[tag_start + 1..tag_start + 1 + tag.len()];
        out.push((tag, &html[value_start..value_start + len]));
    }
    out
}

fn built_links(built: &Path, report: &mut Report) -> Result<()> {
    let mut ids: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let pages: Vec<PathBuf> = files(built)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for page in &pages {
        let html = std::fs::read_to_string(page)?;
        let set = attributes(&html, "id")
            .into_iter()
            .map(|(_, v)| v.to_string())
            .collect();
        ids.insert(page.clone(), set);
    }
    for page in &pages {
        let name = format!("built book: {}", rel(built, page));
        if page.ends_with("404.html") {
            continue; // served from any depth, so it links from the site root
        }
        let html = std::fs::read_to_string(page)?;
        if let Some(line) = unrendered_math(&html) {
            report.add(
                &name,
                line,
                "a `$` outside code: a dollar sign that is not math needs \
                 escaping as `\\$`",
            );
        }
        if let Some(line) = markdown_inside_math(&html) {
            report.add(
                &name,
                line,
                "markdown formatting (<em>, <strong> or <code>) inside a \
                 formula: the math was mangled after it was rendered",
            );
        }
        for attr in ["href", "src"] {
            for (tag, value) in attributes(&html, attr) {
                let external = value.starts_with("//") || value.contains("://");
                if external {
                    if tag != "a" {
                        report.add(
                            &name,
                            1,
                            format!("<{tag}> loads {value} from another host"),
                        );
                    }
                    continue;
                }
                if value.starts_with("mailto:")
                    || value.starts_with("javascript:")
                {
                    continue;
                }
                let value = value.split('?').next().unwrap_or("");
                let (path, fragment) =
                    value.split_once('#').unwrap_or((value, ""));
                let target = if path.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap_or(built).join(path)
                };
                if !target.exists() {
                    report.add(&name, 1, format!("<{tag} {attr}=\"{value}\"> points to a missing file"));
                    continue;
                }
                if !fragment.is_empty()
                    && let Some(set) = ids.get(&normalise(&target))
                    && !set.contains(fragment)
                {
                    report.add(
                        &name,
                        1,
                        format!(
                            "link {value}: no element with id `{fragment}`"
                        ),
                    );
                }
            }
        }
    }
    for css in files(built)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "css"))
    {
        let text = std::fs::read_to_string(&css)?;
        if text.contains("url(http")
            || text.contains("url(\"http")
            || text.contains("@import url(//")
        {
            report.add(
                &format!("built book: {}", rel(built, &css)),
                1,
                "the stylesheet loads from another host",
            );
        }
    }
    Ok(())
}

/// The line of the first `$` in `html` outside `<pre>`, `<code>` and
/// `<script>` elements: math that did not become MathML.
fn unrendered_math(html: &str) -> Option<usize> {
    let mut rest = html;
    let mut consumed = 0;
    loop {
        let next_code = ["<pre", "<code", "<script"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let dollar = rest.find('$');
        match (dollar, next_code) {
            (Some(d), Some((c, _))) if d < c => {
                return Some(html[..consumed + d].matches('\n').count() + 1);
            }
            (Some(d), None) => {
                return Some(html[..consumed + d].matches('\n').count() + 1);
            }
            (_, Some((c, tag))) => {
                let close = format!("</{}>", &tag[1..]);
                let end = rest[c..]
                    .find(&close)
                    .map_or(rest.len(), |e| c + e + close.len());
                consumed += end;
                rest = &rest[end..];
            }
            (None, None) => return None,
        }
    }
}

/// The line of the first `<math>` element that holds markdown formatting.
fn markdown_inside_math(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(start) = html[from..].find("<math").map(|s| s + from) {
        let end = html[start..]
            .find("</math>")
            .map_or(html.len(), |e| start + e);
        let math = &html[start..end];
        if ["<em>", "<strong>", "<code>"]
            .iter()
            .any(|t| math.contains(t))
        {
            return Some(html[..start].matches('\n').count() + 1);
        }
        from = end;
    }
    None
}

/// `a/b/../c.html` as `a/c.html`, to look pages up by path.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-chapter book in a scratch folder: `book/ch09-demo.md` with
    /// `prose`, and a crate whose only snapshot locks `locked`.
    fn demo_book(prose: &str, locked: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "xtask-check-demo-{}-{}",
            std::process::id(),
            prose.len() + locked.len()
        ));
        let snaps = root.join("crates/ch09-demo/tests/snapshots");
        std::fs::create_dir_all(&snaps).unwrap();
        std::fs::create_dir_all(root.join("book")).unwrap();
        std::fs::write(root.join("book/ch09-demo.md"), prose).unwrap();
        std::fs::write(
            root.join("crates/ch09-demo/Cargo.toml"),
            "[package]\nname = \"ch09-demo\"\n",
        )
        .unwrap();
        std::fs::write(
            snaps.join("demo.snap"),
            format!("---\nsource: tests/outputs.rs\n---\n{locked}\n"),
        )
        .unwrap();
        root
    }

    fn prose_problems(prose: &str, locked: &str) -> Vec<String> {
        let root = demo_book(prose, locked);
        let md = root.join("book/ch09-demo.md");
        let mut report = Report::default();
        prose_numbers(&root, &md, "book/ch09-demo.md", prose, &mut report)
            .unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        report.problems
    }

    #[test]
    fn a_quoted_number_must_be_in_the_locked_outputs() {
        let locked = "weight 0.4683  output [7.0880, 14.1761]";
        let prose = "# Demo\n\nThe exact match gets 0.4683 and the output\n\
                     starts at 7.088.\n";
        assert_eq!(prose_problems(prose, locked), Vec::<String>::new());
        // Edit one prose number: the check names the file, line and number.
        let edited = prose.replace("0.4683", "0.4685");
        let problems = prose_problems(&edited, locked);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("book/ch09-demo.md:3: 0.4685 is quoted"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn prose_leaves_out_directives_comments_and_link_targets() {
        let text =
            "a 0.25 {{#include x.snap:4:}} <!-- 0.75 --> [t](p.md#0.33)\nb";
        let nums: Vec<String> = scan(&prose_only(text))
            .into_iter()
            .map(|f| f.text)
            .collect();
        assert_eq!(nums, ["0.25"]);
        assert_eq!(prose_only(text).lines().count(), 2);
    }

    #[test]
    fn snapshot_body_skips_the_three_line_header() {
        let snap = "---\nsource: a.rs\n---\nq = [1.0000]\n";
        assert_eq!(snapshot_body(snap), Some((3, "q = [1.0000]\n")));
    }

    #[test]
    fn finds_includes_with_selectors() {
        let found =
            includes("x {{#include ../a.rs:listing}} {{#include b.snap:4:}}");
        assert_eq!(
            found,
            [
                (1, "../a.rs".to_string(), Some("listing".to_string())),
                (1, "b.snap".to_string(), Some("4:".to_string())),
            ]
        );
    }

    #[test]
    fn exercise_ids_are_collected_once() {
        let ids = exercise_ids(
            "Exercise 3.1. Exercise 3.2 and Exercise 3.1",
            "Exercise ",
        );
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["3.1", "3.2"]);
    }

    #[test]
    fn doc_examples_are_found_unless_marked_as_text() {
        let src = "/// A\n/// ```\n/// let x = 1;\n/// ```\n//! ```text\n//! out\n//! ```\n\
                   /// ```rust,no_run\n/// f();\n/// ```\n// ```\nfn f() {}\n";
        assert_eq!(doc_examples(src), [2, 8]);
    }

    #[test]
    fn dollars_outside_code_are_unrendered_math() {
        assert_eq!(unrendered_math("<p>ok</p><code>$x</code>"), None);
        assert_eq!(unrendered_math("<pre>\n$\n</pre><p>\n$x$</p>"), Some(4));
        assert_eq!(unrendered_math("<script>a$</script>"), None);
    }

    #[test]
    fn emphasis_inside_math_is_found() {
        let ok = "<p><em>a</em></p><math><mi>x</mi></math>";
        assert_eq!(markdown_inside_math(ok), None);
        let bad = "<p>\n<math><annotation>x<em>i</em></annotation></math>";
        assert_eq!(markdown_inside_math(bad), Some(2));
    }

    #[test]
    fn attributes_know_their_tag() {
        let html = r#"<a href="x.html#y">x</a><script src="https://cdn/x.js"></script>"#;
        assert_eq!(attributes(html, "href"), [("a", "x.html#y")]);
        assert_eq!(attributes(html, "src"), [("script", "https://cdn/x.js")]);
    }

    #[test]
    fn a_reference_to_a_chapter_without_a_page_fails() {
        let with_pages: BTreeSet<String> =
            ["01", "03"].into_iter().map(String::from).collect();
        let text = "# Demo\n\nAs [chapter 3](ch03-qkv.md#the-formula) \
                    showed, and Chapter 1\ntoo.\n";
        assert_eq!(chapter_references(text, &with_pages), []);
        // A draft chapter, mentioned and linked: both are named.
        let text = "See chapter 12, [the cost](ch13-cost.md) and\n\
                    Chapters\n9 to 14; a subchapter 5 is fine. And\n\
                    [chapter 13](ch13-cost.md) is reported once.\n";
        let problems = chapter_references(text, &with_pages);
        let lines: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, [1, 1, 2, 4], "{problems:?}");
        assert!(problems[0].1.contains("ch13-cost.md"), "{problems:?}");
        assert!(problems[1].1.contains("chapter 12"), "{problems:?}");
        assert!(problems[2].1.contains("chapter 9"), "{problems:?}");
    }
}
