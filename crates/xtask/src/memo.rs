//! Remembering a slow, pure computation of the xtask under `target/`.
//!
//! Compressing the math font takes half a minute of one core, and its
//! result only changes with the font or the code that compresses it. A
//! result is stored under a hash of the inputs the caller names and of
//! the running xtask executable (which holds every line of code that
//! could compute it, and every dependency's), so a changed input or a
//! rebuilt xtask computes it afresh; a clean clone has nothing stored.

use anyhow::{Context, Result};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Where results are kept: `xtask-memo/` in the build folder
/// (`CARGO_TARGET_DIR` when set, else `target/`).
pub fn dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("xtask-memo")
}

/// The bytes `compute` gives for `inputs`, from `dir` when this very
/// executable computed them before, else computed and stored there.
pub fn bytes(
    dir: &Path,
    name: &str,
    inputs: &[&[u8]],
    compute: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let exe = std::env::current_exe()
        .and_then(std::fs::read)
        .context("reading the xtask's own executable")?;
    bytes_keyed(dir, name, &exe, inputs, compute)
}

/// [`bytes`], with the code that computes given as `code`.
fn bytes_keyed(
    dir: &Path,
    name: &str,
    code: &[u8],
    inputs: &[&[u8]],
    compute: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    code.hash(&mut h);
    inputs.hash(&mut h);
    let file = dir.join(format!("{name}-{:016x}", h.finish()));
    if let Ok(stored) = std::fs::read(&file) {
        return Ok(stored);
    }
    let fresh = compute()?;
    // Older results of this name are for other inputs: keep only one.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let prefix = format!("{name}-");
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    std::fs::create_dir_all(dir)?;
    // Written whole, then renamed: a stopped build leaves no half file.
    let part = dir.join(format!(".{name}-{}.part", std::process::id()));
    std::fs::write(&part, &fresh)?;
    std::fs::rename(&part, &file)?;
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_result_is_reused_only_for_the_same_code_and_inputs() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-memo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let runs = Cell::new(0);
        let get = |code: &[u8], input: &[u8]| {
            bytes_keyed(&dir, "x", code, &[input], || {
                runs.set(runs.get() + 1);
                Ok([code, input].concat())
            })
            .unwrap()
        };
        assert_eq!(get(b"v1", b"a"), b"v1a");
        assert_eq!(get(b"v1", b"a"), b"v1a");
        assert_eq!(runs.get(), 1, "the same code and input: stored");
        assert_eq!(get(b"v1", b"b"), b"v1b");
        assert_eq!(get(b"v2", b"b"), b"v2b");
        assert_eq!(runs.get(), 3, "a new input or new code: computed");
        // Only the latest result of a name is kept.
        let kept = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(kept, 1);
        let failed = bytes_keyed(&dir, "x", b"v3", &[], || anyhow::bail!("no"));
        assert!(failed.is_err());
        assert_eq!(get(b"v2", b"b"), b"v2b", "a failure stores nothing");
        assert_eq!(runs.get(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
