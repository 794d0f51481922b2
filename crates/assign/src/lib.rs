//! Homework: turn a chapter crate into a student crate, and grade what the
//! students hand back.
//!
//! - [`assign`]: the student copy, with every marked solution replaced by
//!   `todo!()`, earlier chapters' code brought along as source, and hidden
//!   tests left out.
//! - [`grade`]: rebuild the assignment in a scratch folder, put the
//!   student's sources into it, put every original and hidden test back,
//!   and run each exercise test in its own process with a time limit.
//! - [`selfcheck`]: `cargo xtask check-exercises`, proving for every
//!   chapter that the student copy compiles, fails every exercise, and that
//!   the reference solutions score full marks.

pub mod assign;
pub mod grade;
pub mod selfcheck;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

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
