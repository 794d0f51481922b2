//! Taking in a submission: only regular files from its `src/`, never
//! through a link, within size limits; everything else is left where it
//! is and the report says so.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest single file taken, bytes.
pub const MAX_FILE: u64 = 1 << 20;
/// Largest total taken, bytes.
pub const MAX_TOTAL: u64 = 4 << 20;
/// Most files taken.
pub const MAX_FILES: usize = 200;
/// Deepest folder level below `src/`.
pub const MAX_DEPTH: usize = 8;

/// A submission's sources, and what the judge left out and why.
#[derive(Debug, Default)]
pub struct Intake {
    /// `src/...` relative path -> contents.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Notes for the student's report ("src/x.rs is a link: ignored").
    pub notes: Vec<String>,
    /// The submission's `Cargo.toml`, if it has one (never used to build;
    /// compared with the assignment's to tell the student it is ignored).
    pub manifest: Option<Vec<u8>>,
}

/// Reads `submission/src` without following links. Fails (the submission
/// is rejected) when there is no `src/` folder or the limits are passed.
pub fn read(submission: &Path) -> Result<Intake> {
    let mut intake = Intake::default();
    let src = submission.join("src");
    let meta = std::fs::symlink_metadata(&src)
        .with_context(|| "there is no src/ folder".to_string())?;
    if !meta.is_dir() {
        bail!("src is not a folder (a link or a file)");
    }
    for ignored in ["build.rs", ".cargo"] {
        if std::fs::symlink_metadata(submission.join(ignored)).is_ok() {
            intake.notes.push(format!(
                "`{ignored}` is ignored: only src/ is graded, with the \
                 assignment's own manifest, dependencies and build"
            ));
        }
    }
    intake.manifest = manifest(submission);
    let mut total = 0u64;
    let mut stack = vec![(src.clone(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let rel = path.strip_prefix(submission)?.to_path_buf();
            let shown = rel.display().to_string();
            if rel.to_str().is_none() {
                intake
                    .notes
                    .push(format!("{shown}: not a UTF-8 name: ignored"));
                continue;
            }
            // symlink_metadata: a link is reported as a link, never followed.
            let meta = entry.metadata()?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                intake.notes.push(format!("{shown} is a link: ignored"));
            } else if kind.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    bail!("src/ is nested more than {MAX_DEPTH} folders deep");
                }
                stack.push((path, depth + 1));
            } else if !kind.is_file() {
                intake.notes.push(format!(
                    "{shown} is not a regular file (a pipe or a device): ignored"
                ));
            } else if meta.len() > MAX_FILE {
                bail!("{shown} is larger than {} KiB", MAX_FILE >> 10);
            } else {
                total += meta.len();
                if total > MAX_TOTAL {
                    bail!("src/ holds more than {} MiB", MAX_TOTAL >> 20);
                }
                if intake.files.len() >= MAX_FILES {
                    bail!("src/ holds more than {MAX_FILES} files");
                }
                // Read through the same handle we checked: open without
                // following a link that may have replaced the file since.
                let bytes = read_regular(&path, MAX_FILE)?;
                intake.files.insert(rel, bytes);
            }
        }
    }
    Ok(intake)
}

/// The submission's `Cargo.toml`, if it is a regular file of at most
/// 64 KiB (a link is never followed, even to read a manifest).
pub fn manifest(submission: &Path) -> Option<Vec<u8>> {
    let path = submission.join("Cargo.toml");
    std::fs::symlink_metadata(&path)
        .is_ok_and(|m| m.is_file())
        .then(|| read_regular(&path, 64 << 10).ok())
        .flatten()
}

/// Reads a file that must still be a regular file when opened.
fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOFOLLOW | O_NONBLOCK: a link swapped in fails, a FIFO never blocks.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(0o400_000 | 0o4000)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    if !file.metadata()?.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        bail!("{} grew past the size limit", path.display());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("judge-intake-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("src")).unwrap();
        d
    }

    #[test]
    fn links_pipes_and_foreign_manifests_are_left_out_and_named() {
        let d = scratch("links");
        std::fs::write(d.join("src/exercises.rs"), "pub fn f() {}").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("src/passwd.rs"))
            .unwrap();
        std::os::unix::fs::symlink("/", d.join("src/root")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", d.join("src/zero.rs")).unwrap();
        let fifo = d.join("src/pipe.rs");
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        std::fs::write(d.join("build.rs"), "fn main() {}").unwrap();
        let intake = read(&d).unwrap();
        let names: Vec<_> = intake.files.keys().collect();
        assert_eq!(names, [Path::new("src/exercises.rs")]);
        let notes = intake.notes.join("\n");
        for what in [
            "passwd.rs is a link",
            "root is a link",
            "zero.rs is a link",
            "pipe.rs is not a regular file",
            "`build.rs` is ignored",
        ] {
            assert!(notes.contains(what), "{what}: {notes}");
        }
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_linked_src_or_an_oversized_file_is_rejected() {
        let d = scratch("big");
        std::fs::write(d.join("src/big.rs"), vec![b'a'; MAX_FILE as usize + 1])
            .unwrap();
        assert!(read(&d).unwrap_err().to_string().contains("larger than"));
        std::fs::remove_dir_all(d.join("src")).unwrap();
        std::os::unix::fs::symlink("/etc", d.join("src")).unwrap();
        assert!(read(&d).unwrap_err().to_string().contains("not a folder"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
