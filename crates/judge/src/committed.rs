//! The judge grades against the committed reference, never a local edit.
//!
//! The reference answers come from the chapter crates the judge is built
//! with. A stray edit there (a learner who kept the solution markers
//! around an attempt, an instructor's experiment) would silently become
//! the reference. So every file those answers depend on (each chapter
//! crate's and `attn-common`'s `Cargo.toml` and `src/`) is recorded, with a
//! hash of its contents, in [`LOCK`], which is committed with them (a test
//! fails when it is stale). Before grading, the judge compares the files
//! it was built from with that record and refuses to grade when a file of
//! the graded chapter (or of a crate it uses) differs, naming the files.
//!
//! In a git clone, `cargo xtask grade` goes further and ignores the edit:
//! when the working tree differs from `HEAD`, it builds and runs the
//! judge from `HEAD`'s files (exported under `target/judge/committed/`),
//! and says so. A release tarball has no history to go back to; there
//! the record is what protects the grades.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record, relative to the workspace root.
pub const LOCK: &str = "crates/judge/references.lock";

/// 64-bit FNV-1a: a hash whose value is the same on every machine and
/// every Rust version (unlike `DefaultHasher`), for records on disk.
#[derive(Debug, Clone)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    /// A fresh hash.
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Hashes `bytes` in.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of a file's contents as recorded.
fn hash(bytes: &[u8]) -> String {
    let mut h = Fnv::new();
    h.write(bytes);
    format!("{:016x}", h.finish())
}

/// Whether `rel` (a path relative to the root, with `/`) is a file the
/// reference answers depend on.
fn is_reference_file(rel: &str) -> bool {
    let Some(rest) = rel.strip_prefix("crates/") else {
        return false;
    };
    let Some((krate, inside)) = rest.split_once('/') else {
        return false;
    };
    let chapter = krate.len() > 4
        && krate.starts_with("ch")
        && krate[2..4].chars().all(|c| c.is_ascii_digit());
    (chapter || krate == "attn-common")
        && (inside == "Cargo.toml"
            || (inside.starts_with("src/") && inside.ends_with(".rs")))
}

/// Every file the reference answers depend on under `root`, with the
/// hash of its contents, by relative path.
pub fn current(root: &Path) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for f in assign::walk::files(&root.join("crates")) {
        let rel = f.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        if is_reference_file(&rel) {
            let bytes = std::fs::read(&f)
                .with_context(|| format!("reading {}", f.display()))?;
            out.insert(rel, hash(&bytes));
        }
    }
    Ok(out)
}

/// The text of [`LOCK`] for the files under `root` as they are.
pub fn lock_text(root: &Path) -> Result<String> {
    let mut t = String::from(
        "# The files the judge's reference answers come from, with an FNV-1a\n\
         # hash of each. Written by `cargo xtask grade --lock-references`;\n\
         # the judge refuses to grade against files that differ from these.\n",
    );
    for (rel, h) in current(root)? {
        t.push_str(&format!("{h}  {rel}\n"));
    }
    Ok(t)
}

/// Writes [`LOCK`] for the files under `root` as they are (after an
/// intended change to a chapter's code).
pub fn write_lock(root: &Path) -> Result<PathBuf> {
    let path = root.join(LOCK);
    std::fs::write(&path, lock_text(root)?)?;
    Ok(path)
}

fn read_lock(root: &Path) -> Result<BTreeMap<String, String>> {
    let path = root.join(LOCK);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is missing: it records the committed reference solutions",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once("  "))
        .map(|(h, rel)| (rel.to_string(), h.to_string()))
        .collect())
}

/// The crates an assignment is made of: the chapter and every crate in
/// its `vendor/` folder.
fn crates_of(chapter: &str, template: &assign::student::Files) -> Vec<String> {
    let mut out = vec![chapter.to_string()];
    for rel in template.keys() {
        let mut parts = rel.components();
        if parts.next().is_some_and(|c| c.as_os_str() == "vendor")
            && let Some(name) = parts.next()
        {
            let name = name.as_os_str().to_string_lossy().into_owned();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The files of `crates` under `root` that differ from [`LOCK`]: changed,
/// added or removed.
pub fn differences(root: &Path, crates: &[String]) -> Result<Vec<String>> {
    let recorded = read_lock(root)?;
    let now = current(root)?;
    let ours = |rel: &str| {
        crates
            .iter()
            .any(|c| rel.starts_with(&format!("crates/{c}/")))
    };
    let mut out = Vec::new();
    for (rel, h) in &now {
        if ours(rel) && recorded.get(rel) != Some(h) {
            let how = if recorded.contains_key(rel) {
                "changed"
            } else {
                "added"
            };
            out.push(format!("{rel} ({how})"));
        }
    }
    for rel in recorded.keys() {
        if ours(rel) && !now.contains_key(rel) {
            out.push(format!("{rel} (removed)"));
        }
    }
    Ok(out)
}

/// Refuses to grade `chapter` (whose assignment is `template`) when a file
/// its reference answers come from differs from the committed record.
pub fn verify(root: &Path, template: &assign::student::Files) -> Result<()> {
    let chapter = template
        .get(Path::new("Cargo.toml"))
        .and_then(|m| String::from_utf8_lossy(m).parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("package")?.get("name")?.as_str().map(str::to_string)
        })
        .context("the assignment's Cargo.toml names no package")?;
    let crates = crates_of(&chapter, template);
    let diff = differences(root, &crates)?;
    if !diff.is_empty() {
        bail!(
            "the reference solutions here are not the committed ones: {} \
             differ(s) from {LOCK}. The judge grades only against the \
             committed reference: restore the file(s) (`git checkout -- \
             FILE`, or unpack the release again). In a git clone, `cargo \
             xtask grade` does this by itself, building the judge from \
             HEAD's files. If the change is intended, record it with `cargo \
             xtask grade --lock-references` and commit both.",
            diff.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        // FNV-1a 64 of "a", as its authors publish it.
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn reference_files_are_the_chapters_and_shared_code() {
        assert!(is_reference_file(
            "crates/ch06-causal-attention/src/mask.rs"
        ));
        assert!(is_reference_file("crates/attn-common/Cargo.toml"));
        assert!(!is_reference_file(
            "crates/ch06-causal-attention/tests/x.rs"
        ));
        assert!(!is_reference_file("crates/judge/src/grade.rs"));
        assert!(!is_reference_file("crates/chapter/src/x.rs"));
    }
}
