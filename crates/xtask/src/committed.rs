//! `cargo xtask grade` grades against the committed reference.
//!
//! The judge is linked with the chapter crates, so a local edit to a
//! chapter's solutions would become the reference. In a git clone whose
//! working tree differs from `HEAD` in the files the judge is built from,
//! the judge is instead built and run from `HEAD`'s files, exported under
//! `target/judge/committed/<commit>/`: the edit is ignored, and the
//! command says so. Without git (a release tarball) the judge itself
//! checks the chapter crates against its committed record
//! (`crates/judge/references.lock`) and refuses to grade against an edit.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the judge's reference will be.
#[derive(Debug)]
pub enum Reference {
    /// Not a git work tree: the judge checks its own record.
    NoGit,
    /// The working tree is `HEAD` in every file the judge is built from.
    Clean {
        /// `HEAD`'s commit.
        commit: String,
    },
    /// Local changes: the judge runs from this export of `HEAD`.
    Exported {
        /// The exported tree.
        dir: PathBuf,
        /// What was done, in words.
        note: String,
    },
}

/// The paths whose local changes send the judge to `HEAD`'s files: what
/// the judge and the assignments are built from (not the book's text, not
/// the book's own tool).
const WATCHED: [&str; 4] = [
    "Cargo.toml",
    "Cargo.lock",
    "crates",
    ":(exclude)crates/xtask",
];

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("running git")
}

/// Decides where the reference comes from, exporting `HEAD` when the
/// working tree has local changes.
pub fn reference(root: &Path) -> Result<Reference> {
    let inside = git(root, &["rev-parse", "--show-toplevel"]);
    let top = match inside {
        Ok(o) if o.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
        }
        _ => return Ok(Reference::NoGit),
    };
    // A book nested inside some other repository is not that repository's
    // HEAD to go back to.
    if top.canonicalize().ok() != root.canonicalize().ok() {
        return Ok(Reference::NoGit);
    }
    let head = git(root, &["rev-parse", "HEAD"])?;
    if !head.status.success() {
        return Ok(Reference::NoGit);
    }
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let mut args = vec![
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
    ];
    args.extend(WATCHED);
    let status = git(root, &args)?;
    if !status.status.success() {
        bail!(
            "git status failed: {}",
            String::from_utf8_lossy(&status.stderr).trim()
        );
    }
    let changed: Vec<String> = String::from_utf8_lossy(&status.stdout)
        .split('\0')
        .filter(|e| e.len() > 3)
        .map(|e| e[3..].to_string())
        // A rename's second entry has no status of its own.
        .filter(|p| !p.is_empty())
        .collect();
    if changed.is_empty() {
        return Ok(Reference::Clean { commit });
    }
    let short = &commit[..commit.len().min(12)];
    let base = root.join("target/judge/committed");
    let dir = base.join(short);
    if !dir.join(".complete").exists() {
        std::fs::create_dir_all(&base)?;
        let tmp = base.join(format!("{short}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let archive = git(root, &["archive", "--format=tar", &commit])?;
        if !archive.status.success() {
            bail!(
                "git archive failed: {}",
                String::from_utf8_lossy(&archive.stderr).trim()
            );
        }
        let mut tar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&tmp)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .context("running tar")?;
        {
            use std::io::Write;
            let mut stdin = tar.stdin.take().context("tar's stdin")?;
            stdin.write_all(&archive.stdout)?;
        }
        if !tar.wait()?.success() {
            bail!("tar could not unpack HEAD's files");
        }
        std::fs::write(tmp.join(".complete"), &commit)?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&tmp, &dir)?;
    }
    let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
    let more = match changed.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    let note = format!(
        "reference: your working tree has local changes ({}{more}); they \
         are ignored: the judge is built from and grades against the \
         committed files of HEAD {short}, exported to {}",
        shown.join(", "),
        dir.display()
    );
    Ok(Reference::Exported { dir, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }

    #[test]
    fn a_local_edit_is_ignored_and_head_is_exported() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-committed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let src = dir.join("crates/ch06-x/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(src.join("lib.rs"), "pub fn answer() -> u8 { 42 }\n")
            .unwrap();
        run(&dir, &["init", "-q"]);
        run(&dir, &["add", "-A"]);
        run(&dir, &["commit", "-q", "-m", "the reference"]);
        assert!(matches!(reference(&dir).unwrap(), Reference::Clean { .. }));
        // The book's text is not what the judge is built from.
        std::fs::create_dir_all(dir.join("book")).unwrap();
        std::fs::write(dir.join("book/notes.md"), "draft\n").unwrap();
        assert!(matches!(reference(&dir).unwrap(), Reference::Clean { .. }));

        // A stray edit, as a learner who kept the markers would make.
        std::fs::write(src.join("lib.rs"), "pub fn answer() -> u8 { 41 }\n")
            .unwrap();
        let Reference::Exported { dir: export, note } =
            reference(&dir).unwrap()
        else {
            panic!("a local edit must send the judge to HEAD");
        };
        assert_eq!(
            std::fs::read_to_string(export.join("crates/ch06-x/src/lib.rs"))
                .unwrap(),
            "pub fn answer() -> u8 { 42 }\n"
        );
        assert!(note.contains("crates/ch06-x/src/lib.rs"), "{note}");
        assert!(note.contains("ignored"), "{note}");
        // The working tree keeps the learner's edit.
        assert!(
            std::fs::read_to_string(src.join("lib.rs"))
                .unwrap()
                .contains("41")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn outside_git_the_judge_checks_its_record() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-nogit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(reference(&dir).unwrap(), Reference::NoGit));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
