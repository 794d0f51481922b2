//! Rendering figures through the `book-figures` binary.
//!
//! The figures are drawn by the chapter crates; keeping them out of this
//! crate keeps `cargo xtask book` from compiling them.

use anyhow::{Context, Result, bail};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or("cargo".into())
}

/// Builds the `book-figures` binary (if it is not up to date) and returns
/// its path.
pub fn build(root: &Path) -> Result<PathBuf> {
    let out = Command::new(cargo())
        .current_dir(root)
        .args([
            "build",
            "--quiet",
            "--package",
            "book-figures",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("running `cargo build -p book-figures`")?;
    if !out.status.success() {
        bail!("building the figures failed ({})", out.status);
    }
    executable(&String::from_utf8_lossy(&out.stdout), "book-figures")
        .context("cargo did not name the book-figures executable")
}

/// The executable of binary target `name` in cargo's JSON messages.
fn executable(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// Renders every figure into `dir` and returns how many files it holds.
pub fn render(root: &Path, dir: &Path) -> Result<usize> {
    let exe = build(root)?;
    run(&exe, dir)
}

/// Runs the built `exe` to render every figure into `dir`.
pub fn run(exe: &Path, dir: &Path) -> Result<usize> {
    let status = Command::new(exe)
        .arg(dir)
        .status()
        .with_context(|| format!("running {}", exe.display()))?;
    if !status.success() {
        bail!("rendering the figures failed ({status})");
    }
    Ok(std::fs::read_dir(dir)?.count())
}

/// A hash of what decides whether the committed figures are fresh: the
/// renderer's executable (every figure is a pure function of its code:
/// the chapters read no file and no clock while drawing) and the name and
/// bytes of every committed figure.
pub fn freshness_key(exe: &Path, committed: &Path) -> Result<String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    "figures-1".hash(&mut h);
    std::fs::read(exe)
        .with_context(|| format!("reading {}", exe.display()))?
        .hash(&mut h);
    for f in crate::walk::files(committed) {
        f.strip_prefix(committed).unwrap_or(&f).hash(&mut h);
        std::fs::read(&f)?.hash(&mut h);
    }
    Ok(format!("{:016x}", h.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_read_from_cargo_messages() {
        let messages = "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"attn-common\"},\"executable\":null}\n\
            not json\n\
            {\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"book-figures\"},\"executable\":\"/t/debug/book-figures\"}\n\
            {\"reason\":\"build-finished\",\"success\":true}";
        assert_eq!(
            executable(messages, "book-figures"),
            Some(PathBuf::from("/t/debug/book-figures"))
        );
        assert_eq!(executable(messages, "attn-common"), None);
    }

    #[test]
    fn the_key_follows_the_renderer_and_every_committed_figure() {
        let tmp = std::env::temp_dir()
            .join(format!("xtask-figures-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let figs = tmp.join("figures");
        std::fs::create_dir_all(&figs).unwrap();
        let exe = tmp.join("renderer");
        std::fs::write(&exe, "v1").unwrap();
        std::fs::write(figs.join("a.svg"), "<svg/>").unwrap();
        let key = || freshness_key(&exe, &figs).unwrap();
        let mut seen = std::collections::BTreeSet::from([key()]);
        assert!(!seen.insert(key()), "the same inputs, the same key");
        std::fs::write(&exe, "v2").unwrap();
        assert!(seen.insert(key()), "a new renderer");
        std::fs::write(figs.join("a.svg"), "<svg></svg>").unwrap();
        assert!(seen.insert(key()), "an edited figure");
        std::fs::rename(figs.join("a.svg"), figs.join("b.svg")).unwrap();
        assert!(seen.insert(key()), "a renamed figure");
        std::fs::write(figs.join("c.svg"), "<svg/>").unwrap();
        assert!(seen.insert(key()), "a new figure");
        std::fs::remove_file(figs.join("c.svg")).unwrap();
        assert!(!seen.insert(key()), "back as it was");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
