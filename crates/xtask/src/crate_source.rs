//! Where cargo unpacked a registry dependency's sources, found without
//! asking cargo.
//!
//! `cargo metadata` lists every package of every platform, so offline it
//! fails on a fresh cargo home, which holds only the packages this
//! platform built; online it downloads them all. The xtask only needs one
//! file of one crate it was itself built with, and cargo unpacks such a
//! crate at `$CARGO_HOME/registry/src/<index>/<name>-<version>/`: the
//! version comes from `Cargo.lock`, the cargo home from the environment
//! (`CARGO_HOME`, else `.cargo` in the home folder, as cargo does on every
//! system).

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The version of registry package `name` that `lock` (a `Cargo.lock`'s
/// text) holds, if exactly one version of it is locked.
pub fn locked_version(lock: &str, name: &str) -> Result<String> {
    let lock: toml::Table =
        toml::from_str(lock).context("parsing Cargo.lock")?;
    let versions: Vec<&str> = lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
        .filter(|p| {
            p.get("source")
                .and_then(|s| s.as_str())
                .is_some_and(|s| s.starts_with("registry+"))
        })
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()))
        .collect();
    match versions.as_slice() {
        [one] => Ok(one.to_string()),
        [] => anyhow::bail!("Cargo.lock holds no registry package `{name}`"),
        many => anyhow::bail!(
            "Cargo.lock holds {} versions of `{name}`: {}",
            many.len(),
            many.join(", ")
        ),
    }
}

/// Cargo's home folder: `CARGO_HOME`, else `.cargo` in the user's home
/// folder (`HOME`, or `USERPROFILE` on Windows).
pub fn cargo_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty())
    {
        return Ok(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(|h| PathBuf::from(h).join(".cargo"))
        .context("neither CARGO_HOME nor HOME is set: where is cargo's home?")
}

/// The folder holding the sources of registry package `name`, at the
/// version the workspace at `root` locks, under `cargo_home`.
pub fn source_dir(
    root: &Path,
    cargo_home: &Path,
    name: &str,
) -> Result<PathBuf> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).with_context(
        || format!("reading {}", root.join("Cargo.lock").display()),
    )?;
    let version = locked_version(&lock, name)?;
    let src = cargo_home.join("registry").join("src");
    let folder = format!("{name}-{version}");
    // One folder per registry index (crates.io's sparse index, its older
    // git index, a mirror); any of them holds the same checked package.
    let mut indexes: Vec<PathBuf> = std::fs::read_dir(&src)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    indexes.sort();
    indexes
        .into_iter()
        .map(|index| index.join(&folder))
        .find(|dir| dir.join("Cargo.toml").is_file())
        .with_context(|| {
            format!(
                "cargo has not unpacked {folder} under {}/*/: run `cargo \
                 fetch` in {} (the xtask is built with it, so a build \
                 unpacks it too)",
                src.display(),
                root.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "version = 4\n\n\
        [[package]]\nname = \"a\"\nversion = \"1.2.3\"\n\
        source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
        [[package]]\nname = \"b\"\nversion = \"0.1.0\"\n\n\
        [[package]]\nname = \"c\"\nversion = \"1.0.0\"\n\
        source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
        [[package]]\nname = \"c\"\nversion = \"2.0.0\"\n\
        source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    #[test]
    fn the_locked_registry_version_is_read() {
        assert_eq!(locked_version(LOCK, "a").unwrap(), "1.2.3");
        // A path package is not a registry one; two versions are ambiguous.
        assert!(locked_version(LOCK, "b").is_err());
        let two = locked_version(LOCK, "c").unwrap_err().to_string();
        assert!(two.contains("1.0.0, 2.0.0"), "{two}");
    }

    #[test]
    fn sources_are_found_under_any_index_folder() {
        let tmp = std::env::temp_dir()
            .join(format!("xtask-crate-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let (root, home) = (tmp.join("repo"), tmp.join("cargo"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("Cargo.lock"), LOCK).unwrap();
        // Not unpacked yet: the error says what to run.
        let err = source_dir(&root, &home, "a").unwrap_err().to_string();
        assert!(
            err.contains("a-1.2.3") && err.contains("cargo fetch"),
            "{err}"
        );
        // Another version unpacked is not this one.
        let other = home.join("registry/src/index.example-1/a-1.2.2");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("Cargo.toml"), "").unwrap();
        assert!(source_dir(&root, &home, "a").is_err());
        let here = home.join("registry/src/index.example-2/a-1.2.3");
        std::fs::create_dir_all(&here).unwrap();
        std::fs::write(here.join("Cargo.toml"), "").unwrap();
        assert_eq!(source_dir(&root, &home, "a").unwrap(), here);
        let _ = std::fs::remove_dir_all(&tmp);
    }

    /// `cargo metadata` resolves and, offline, needs every platform's
    /// packages: on a fresh cargo home it fails (the first README command
    /// once did). No tool of the book may run it.
    #[test]
    fn no_tool_runs_cargo_metadata() {
        let root = crate::root();
        let needle = format!("{q}metadata{q}", q = '"');
        for dir in ["crates/xtask/src", "crates/judge/src", "crates/assign/src"]
        {
            for f in crate::walk::files(&root.join(dir)) {
                let text = std::fs::read_to_string(&f).unwrap_or_default();
                assert!(
                    !text.contains(&needle),
                    "{} runs `cargo metadata`, which fails offline on a \
                     fresh cargo home",
                    f.display()
                );
            }
        }
    }

    #[test]
    fn the_workspace_finds_the_math_font_package() {
        // The xtask is built with typst-assets, so its sources are where
        // this looks (a test run is a build of it).
        let root = crate::root();
        let dir =
            source_dir(&root, &cargo_home().unwrap(), "typst-assets").unwrap();
        assert!(dir.join("NOTICE").is_file(), "{}", dir.display());
    }
}
