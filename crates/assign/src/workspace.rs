//! Finding the book's workspace at run time.
//!
//! A compile-time path (`env!("CARGO_MANIFEST_DIR")`) names the clone the
//! binary was first built in: with a shared target directory (a global
//! `CARGO_TARGET_DIR` or `build.target-dir`), `cargo xtask book` in one
//! clone could build another clone's book. The workspace is instead the
//! nearest folder, from the current directory up, whose `Cargo.toml` has a
//! `[workspace]` table and which holds the book's tool (`crates/xtask`).
//! `cargo xtask` and the judge both find the book this way.

use std::path::{Path, PathBuf};

/// The nearest ancestor of `start` (or `start` itself) that is the root of
/// a workspace holding `crates/xtask`.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_book_workspace(dir))
        .map(Path::to_path_buf)
}

fn is_book_workspace(dir: &Path) -> bool {
    if !dir.join("crates/xtask/Cargo.toml").is_file() {
        return false;
    }
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|manifest| manifest.contains_key("workspace"))
}

/// The workspace the command was run in: found from the current
/// directory, else from the package folder cargo names at run time, else
/// from the one this binary was compiled in.
pub fn root() -> PathBuf {
    let runtime = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let compiled = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::current_dir()
        .ok()
        .into_iter()
        .chain(runtime)
        .chain([compiled.clone()])
        .find_map(|start| find(&start))
        .unwrap_or(compiled)
}

#[cfg(test)]
mod tests {
    use super::find;
    use std::path::Path;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_workspace_is_found_from_a_folder_inside_it() {
        let tmp = std::env::temp_dir()
            .join(format!("xtask-workspace-{}", std::process::id()));
        let clone = tmp.join("clone");
        write(&clone.join("Cargo.toml"), "[workspace]\nmembers = []\n");
        write(&clone.join("crates/xtask/Cargo.toml"), "[package]\n");
        // A crate inside the clone, with a manifest of its own.
        let inner = clone.join("crates/ch01/src");
        write(&clone.join("crates/ch01/Cargo.toml"), "[package]\n");
        std::fs::create_dir_all(&inner).unwrap();
        // A workspace without the tool, nested inside (a homework copy).
        let homework = clone.join("target/homework/ch03");
        write(&homework.join("Cargo.toml"), "[workspace]\n");

        assert_eq!(find(&inner), Some(clone.clone()));
        assert_eq!(find(&clone), Some(clone.clone()));
        assert_eq!(find(&homework), Some(clone.clone()));
        assert_eq!(find(&tmp), None);
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
