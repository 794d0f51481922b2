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
mod committed;
mod crate_source;
mod figures;
mod memo;
mod numbers;
mod practice;
mod quiz;
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
                       (options in any order)
  grade --chapter N DIR [--json] [--report FILE]
                       judge one student crate (its src/ only)
  grade --chapter N --batch DIR --csv OUT [--reports DIR] [--jobs N]
        [--summary FILE] [--force] [--shard I/N] [--only NAME]
                       judge every student crate in DIR: one CSV row and
                       one report each; a student is named by the folder
  grade --chapter N --list-checks
                       what the checks cover, with their points
  grade options: --seed S (the hidden cases; default: drawn at random and
                 written in the CSV), --timeout SECS (per call, default 10),
                 --unsandboxed (no bubblewrap: only where you trust the code)
                 (`cargo xtask grade --help` has them all; the judge always
                 grades against the committed reference solutions)
  practice [N] [--once | --reset N.M | --check]
                       practise a chapter's exercises alone (see
                       `cargo xtask practice --help`); alone, list them all
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
/// in this workspace, and exits with the judge's own status. When the
/// working tree differs from git's `HEAD` (see [`committed`]), the judge
/// is built and run from `HEAD`'s files instead, so that a local edit to a
/// chapter's solutions never becomes the reference.
fn judge(root: &std::path::Path, args: &[String]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let records = args.iter().any(|a| a == "--lock-references");
    let mut cmd = std::process::Command::new(cargo);
    // Recording the working tree is the point of --lock-references.
    let reference = if records {
        committed::Reference::NoGit
    } else {
        committed::reference(root)?
    };
    let manifest = match reference {
        committed::Reference::Exported { dir, note } => {
            eprintln!("judge: {note}");
            // A target folder of its own: cargo names a workspace's units
            // by their path inside it, so two copies of the book sharing
            // one would overwrite each other's judge. Its judge/ cache
            // folder lives there too.
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("target"))
                .join("judge/committed-target");
            cmd.env("CARGO_TARGET_DIR", target)
                .env("JUDGE_ROOT", &dir)
                .env("JUDGE_REFERENCE_NOTE", note);
            dir.join("Cargo.toml")
        }
        committed::Reference::Clean { commit } => {
            cmd.env(
                "JUDGE_REFERENCE_NOTE",
                format!(
                    "reference: the committed files of HEAD {} (no local \
                     changes)",
                    &commit[..commit.len().min(12)]
                ),
            );
            root.join("Cargo.toml")
        }
        committed::Reference::NoGit => root.join("Cargo.toml"),
    };
    // The caller's folder stays the judge's, so that relative paths
    // (`grade --chapter 5 .`) mean what the caller meant.
    let status = cmd
        .arg("run")
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--quiet", "--package", "judge", "--"])
        .args(args)
        .status()?;
    if !status.success() {
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}

/// `assign`'s arguments, in any order: the chapter, `--out DIR` and
/// `--classroom`.
fn assign_args(args: &[String]) -> Result<(String, PathBuf, bool)> {
    const ASSIGN: &str =
        "usage: cargo xtask assign <chapter> --out DIR [--classroom]";
    let (mut spec, mut out, mut classroom) = (None, None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => match it.next() {
                Some(dir) => out = Some(PathBuf::from(dir)),
                None => bail!("--out takes a folder\n\n{ASSIGN}"),
            },
            "--classroom" => classroom = true,
            flag if flag.starts_with('-') => {
                bail!("unknown option `{flag}`\n\n{ASSIGN}")
            }
            _ if spec.is_none() => spec = Some(a.clone()),
            other => bail!("unexpected `{other}`\n\n{ASSIGN}"),
        }
    }
    match (spec, out) {
        (Some(spec), Some(out)) => Ok((spec, out, classroom)),
        (None, _) => bail!("which chapter?\n\n{ASSIGN}"),
        (_, None) => bail!("where to? (--out DIR)\n\n{ASSIGN}"),
    }
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
            let (spec, out, classroom) = assign_args(&args[1..])?;
            let chapter = assign::find_chapter(&root, &spec)?;
            assign::student::run(&root, &chapter, &out, classroom)
        }
        Some("grade" | "check-exercises") => judge(&root, &args),
        Some("practice") => practice::run(&root, &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

#[cfg(test)]
mod tests {
    use super::assign_args;
    use std::path::PathBuf;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn assign_takes_its_options_in_any_order() {
        let want = ("6".to_string(), PathBuf::from("DIR"), true);
        for line in [
            "6 --out DIR --classroom",
            "6 --classroom --out DIR",
            "--classroom 6 --out DIR",
            "--out DIR --classroom 6",
        ] {
            assert_eq!(assign_args(&args(line)).unwrap(), want, "{line}");
        }
        let plain = assign_args(&args("--out DIR 6")).unwrap();
        assert!(!plain.2);
        for bad in [
            "6",
            "--out DIR",
            "6 --out",
            "6 7 --out DIR",
            "6 --out DIR --x",
        ] {
            assert!(assign_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_usage_names_every_assign_option() {
        assert!(
            super::USAGE.contains("assign <chapter> --out DIR [--classroom]")
        );
        let err = assign_args(&args("6")).unwrap_err().to_string();
        assert!(err.contains("--classroom"), "{err}");
    }
}
