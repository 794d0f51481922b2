//! Every link in every chapter's student README resolves: to a page or
//! file of the published book (whose address comes from `book.toml`), or
//! to a file the student crate holds.

use assign::student::{Options, book_url, student_crate};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The targets of the inline links `[text](target)` in `md`.
fn links(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(i) = rest.find("](") {
        let tail = &rest[i + 2..];
        let end = tail.find(')').unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[test]
fn every_link_in_every_student_readme_resolves() {
    let root = root();
    let url = book_url(&root).unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for chapter in assign::all_chapters(&root).unwrap() {
        if !chapter.dir.join("grading.toml").exists() {
            continue;
        }
        let files = student_crate(
            &root,
            &chapter,
            Options {
                hidden_tests: false,
            },
        )
        .unwrap();
        let readme =
            String::from_utf8(files[Path::new("README.md")].clone()).unwrap();
        let found = links(&readme);
        assert!(
            found
                .iter()
                .any(|l| l == &format!("{url}{}.html", chapter.name)),
            "{}: no link to its chapter online",
            chapter.name
        );
        for link in found {
            checked += 1;
            let ok = if let Some(page) = link.strip_prefix(&url) {
                let path = page.split('#').next().unwrap_or_default();
                match path.strip_suffix(".html") {
                    Some(md) => {
                        root.join("book").join(format!("{md}.md")).is_file()
                    }
                    None => root.join("book").join(path).is_file(),
                }
            } else if link.contains("://") {
                // Another site: only https, and never a local file.
                link.starts_with("https://")
            } else {
                files.contains_key(Path::new(link.split('#').next().unwrap()))
            };
            if !ok {
                problems.push(format!("{}: {link}", chapter.name));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        problems.is_empty(),
        "links that do not resolve: {problems:#?}"
    );
}
