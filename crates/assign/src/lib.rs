//! Homework assignments: which chapters have exercises, and a chapter's
//! student copy.
//!
//! This crate is the *assign* room of the homework tools. It knows where
//! the chapter crates are, reads the exercise markers in their sources,
//! and writes the standalone crate a student works in ([`student`]). It
//! runs no student code; grading is the `judge` crate's job.

pub mod leaks;
pub mod student;
pub mod walk;
pub mod workspace;

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walk::files;

/// A chapter crate under `crates/`.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The two-digit chapter number, such as `03`.
    pub nn: String,
    /// The crate's folder and package name, such as
    /// `ch03-queries-keys-values`.
    pub name: String,
    /// The crate's folder.
    pub dir: PathBuf,
}

/// Finds a chapter crate from `3`, `03`, `ch03` or its full name.
pub fn find_chapter(root: &Path, spec: &str) -> Result<Chapter> {
    let spec = spec.trim();
    let digits = spec.strip_prefix("ch").unwrap_or(spec);
    let digits: String =
        digits.chars().take_while(char::is_ascii_digit).collect();
    let nn = match digits.parse::<u32>() {
        Ok(n) => format!("{n:02}"),
        Err(_) => bail!(
            "`{spec}` names no chapter: try `3`, `ch03` or `ch03-queries-keys-values`"
        ),
    };
    all_chapters(root)?
        .into_iter()
        .find(|c| c.nn == nn)
        .with_context(|| {
            format!("there is no crate crates/ch{nn}-* for `{spec}`")
        })
}

/// Every chapter crate, in order.
pub fn all_chapters(root: &Path) -> Result<Vec<Chapter>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("crates"))? {
        let dir = entry?.path();
        let Some(name) =
            dir.file_name().and_then(|n| n.to_str()).map(String::from)
        else {
            continue;
        };
        let Some(nn) = name.strip_prefix("ch").and_then(|r| r.get(..2)) else {
            continue;
        };
        if nn.chars().all(|c| c.is_ascii_digit())
            && dir.join("Cargo.toml").exists()
        {
            out.push(Chapter {
                nn: nn.to_string(),
                name: name.clone(),
                dir,
            });
        }
    }
    out.sort_by(|a, b| a.nn.cmp(&b.nn));
    Ok(out)
}

/// The ids (`3.1`, ...) of the exercises with marked solutions in `code`.
pub fn solution_ids(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("// SOLUTION-START(ex ")?;
            Some(rest.trim_end_matches(')').to_string())
        })
        .collect()
}

/// How many `// SOLUTION-END` marker lines `code` has.
pub fn solution_end_count(code: &str) -> usize {
    code.lines()
        .filter(|l| l.trim() == "// SOLUTION-END")
        .count()
}

/// Points per exercise from the chapter's `grading.toml` (`[points]`
/// table, `"3.1" = 2`); every exercise with a marked solution must be
/// listed there.
pub fn points(chapter: &Chapter) -> Result<BTreeMap<String, f64>> {
    let path = chapter.dir.join("grading.toml");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is missing: it gives each exercise its points",
            path.display()
        )
    })?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (id, v) in table
        .get("points")
        .and_then(|p| p.as_table())
        .into_iter()
        .flatten()
    {
        let p = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
        out.insert(
            id.clone(),
            p.with_context(|| {
                format!("{}: points for {id} must be a number", path.display())
            })?,
        );
    }
    let mut marked = Vec::new();
    for f in files(&chapter.dir.join("src")) {
        marked.extend(solution_ids(
            &std::fs::read_to_string(f).unwrap_or_default(),
        ));
    }
    for id in &marked {
        if !out.contains_key(id) {
            bail!(
                "{}: exercise {id} has a marked solution but no points",
                path.display()
            );
        }
    }
    for id in out.keys() {
        if !marked.contains(id) {
            bail!(
                "{}: exercise {id} has points but no marked solution in src/",
                path.display()
            );
        }
    }
    Ok(out)
}
