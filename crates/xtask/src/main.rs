//! `cargo xtask`: the book's own tooling.
//!
//! Run through the alias in `.cargo/config.toml`, so a fresh machine needs
//! nothing but a Rust toolchain:
//!
//! - `cargo xtask book`: build the HTML into `target/book`.
//! - `cargo xtask serve [--port 3000]`: build, serve on 127.0.0.1, rebuild
//!   when a chapter or a crate changes.
//! - `cargo xtask figures`: render every figure into `book/figures`.
//! - `cargo xtask check`: the book's integrity (see [`check`]).
//! - `cargo xtask assign`: a chapter's student crate (the `assign` crate).
//! - `cargo xtask grade`, `check-exercises`: run the `judge` crate, which
//!   is linked with the reference solutions (kept out of this binary so
//!   that building the book never compiles the chapters).

mod book;
mod browser;
mod check;
mod crate_source;
mod figures;
mod memo;
mod numbers;
mod serve;
mod walk;

use anyhow::{Result, bail};
use std::path::PathBuf;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  book                 build the book into target/book
  serve [--port N]     build, serve on http://127.0.0.1:N (default 3000)
                       and rebuild when a chapter or a crate changes
  figures              render every figure into book/figures
  browser-test         build the book and test it in the system Chromium
                       (needs chromium and npm; see CONTRIBUTING.md)
  check                check the book's integrity (CI runs this)
  assign <chapter> --out DIR [--classroom]
                       write a student crate for a chapter (3, ch03, ...);
                       --classroom adds a GitHub Classroom workflow
  grade --chapter N DIR [--json] [--report FILE]
                       judge one student crate (its src/ only)
  grade --chapter N --batch DIR --csv OUT [--reports DIR] [--jobs N]
                       judge every student crate in DIR: one CSV row and
                       one report each; a student is named by the folder
  grade options: --seed S (the hidden cases; default: drawn at random and
                 written in the CSV), --timeout SECS (per call, default 10),
                 --unsandboxed (no bubblewrap: only where you trust the code)
  check-exercises [chapter] [--no-cache]
                       prove every chapter's homework: the student copy
                       gives no solution away and scores 0, the reference
                       solutions score full marks (a chapter that passed
                       with the same inputs is not graded again unless
                       --no-cache, ATTN_NO_CACHE or CI is set); without
                       bubblewrap it says NOT RUN and succeeds, unless CI
                       is set
";

/// The repository root, found at run time (see [`assign::workspace`]).
pub fn root() -> PathBuf {
    assign::workspace::root()
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain on one line, without a backtrace: these are
            // messages for readers, not crashes.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the judge binary with `args`: it is built from the `judge` crate,
/// in this workspace, and exits with the judge's own status.
fn judge(root: &std::path::Path, args: &[String]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The caller's folder stays the judge's, so that relative paths
    // (`grade --chapter 5 .`) mean what the caller meant.
    let status = std::process::Command::new(cargo)
        .arg("run")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["--quiet", "--package", "judge", "--"])
        .args(args)
        .status()?;
    if !status.success() {
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = root();
    match args.first().map(String::as_str) {
        Some("book") => {
            let out = book::build(&root, &root.join("target/book"))?;
            println!("built the book: {}", out.join("index.html").display());
            Ok(())
        }
        Some("serve") => {
            let port = match args.get(1).map(String::as_str) {
                None => 3000,
                Some("--port") => match args.get(2).map(|p| p.parse::<u16>()) {
                    Some(Ok(port)) => port,
                    _ => bail!(
                        "--port takes a number from 1 to 65535\n\n{USAGE}"
                    ),
                },
                Some(other) => bail!("unknown flag `{other}`\n\n{USAGE}"),
            };
            serve::serve(&root, port)
        }
        Some("figures") => {
            let dir = root.join("book/figures");
            let files = figures::render(&root, &dir)?;
            println!("rendered {} figures into {}", files, dir.display());
            Ok(())
        }
        Some("check") => check::run(&root),
        Some("browser-test") => browser::run(&root),
        Some("assign") => {
            let (Some(spec), Some("--out"), Some(out)) =
                (args.get(1), args.get(2).map(String::as_str), args.get(3))
            else {
                bail!(
                    "usage: cargo xtask assign <chapter> --out DIR\n\n{USAGE}"
                );
            };
            let chapter = assign::find_chapter(&root, spec)?;
            let classroom =
                args.get(4).map(String::as_str) == Some("--classroom");
            assign::student::run(
                &root,
                &chapter,
                &PathBuf::from(out),
                classroom,
            )
        }
        Some("grade" | "check-exercises") => judge(&root, &args),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
