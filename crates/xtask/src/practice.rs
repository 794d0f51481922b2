//! `cargo xtask practice`: a reader's own copy of a chapter's exercises,
//! in the manner of rustlings.
//!
//! - `practice N` writes chapter N's student copy (the one `assign` hands
//!   out, written by [`assign::student`]) into `practice/chNN-*` once, and
//!   then watches it: every save rebuilds and reruns the tests of the
//!   exercise the reader is on, shows the first failure in a few lines,
//!   and moves on when they pass. `h` (then Enter) shows a hint.
//! - `practice N --once` runs the current exercise once and stops.
//! - `practice N --reset 5.1` puts one exercise's starting code back.
//! - `practice N --check` grades the copy with the instructors' judge.
//! - `practice` alone lists every chapter's exercises and what is done.
//!
//! The reader's copy is never overwritten without being asked. What has
//! passed is remembered in `practice/progress.toml`, with a fingerprint of
//! the exercise's function, so that an edit after passing shows.

use anyhow::{Context, Result, bail};
use assign::Chapter;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

const USAGE: &str = "\
usage: cargo xtask practice                  list every chapter's exercises
       cargo xtask practice N                write chapter N's practice copy
                                             (once) and watch it
       cargo xtask practice N --once         run the current exercise once
       cargo xtask practice N --reset N.M    restore one exercise's start
       cargo xtask practice N --check        grade the copy with the judge";

/// Where the practice copies live: `practice/` at the book's root (git
/// ignores it).
pub fn practice_dir(root: &Path) -> PathBuf {
    root.join("practice")
}

/// The practice copy of `chapter`.
pub fn copy_dir(root: &Path, chapter: &Chapter) -> PathBuf {
    practice_dir(root).join(&chapter.name)
}

/// The file that holds a chapter's exercises, in the crate and the copy.
const EXERCISES: &str = "src/exercises.rs";

/// `cargo xtask practice ...`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let Some(spec) = args.first() else {
        print!("{}", list(root)?);
        return Ok(());
    };
    if spec == "--help" || spec == "-h" {
        println!("{USAGE}");
        return Ok(());
    }
    let chapter = assign::find_chapter(root, spec)?;
    let exercises = exercise_ids(&chapter)?;
    if exercises.is_empty() {
        bail!("chapter {} has no code exercises to practise", chapter.nn);
    }
    let rest: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    match rest.as_slice() {
        [] | ["--once"] => {
            if write_copy(root, &chapter)? {
                println!(
                    "wrote your practice copy of chapter {} to {}",
                    number(&chapter),
                    rel(root, &copy_dir(root, &chapter))
                );
            }
            if rest.is_empty() {
                watch(root, &chapter)
            } else {
                once(root, &chapter)
            }
        }
        ["--reset", id] => {
            let id = id.trim_start_matches("ex").trim();
            if !exercises.iter().any(|e| e == id) {
                bail!(
                    "chapter {} has no exercise {id}; its exercises are {}",
                    number(&chapter),
                    exercises.join(", ")
                );
            }
            write_copy(root, &chapter)?;
            reset(root, &chapter, id)?;
            forget(root, id)?;
            println!(
                "exercise {id} is back to its starting code in {}",
                rel(root, &copy_dir(root, &chapter).join(EXERCISES))
            );
            Ok(())
        }
        ["--check"] => check(root, &chapter),
        _ => bail!("unexpected arguments\n\n{USAGE}"),
    }
}

/// `3` for chapter `03`.
fn number(chapter: &Chapter) -> &str {
    chapter.nn.trim_start_matches('0')
}

fn rel(root: &Path, path: &Path) -> String {
    crate::walk::rel(root, path)
}

/// The ids (`5.1`, ...) of a chapter's code exercises, in order.
pub fn exercise_ids(chapter: &Chapter) -> Result<Vec<String>> {
    let mut ids: Vec<String> = assign::points(chapter)?.into_keys().collect();
    ids.sort_by_key(|id| sort_key(id));
    Ok(ids)
}

/// `7.10` after `7.9`.
fn sort_key(id: &str) -> (u32, u32) {
    let (a, b) = id.split_once('.').unwrap_or((id, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

/// The student copy of `chapter`, in memory.
fn student_files(
    root: &Path,
    chapter: &Chapter,
) -> Result<assign::student::Files> {
    assign::student::student_crate(
        root,
        chapter,
        assign::student::Options {
            hidden_tests: false,
        },
    )
}

/// Writes the practice copy of `chapter` if there is none yet, and says
/// whether it did. An existing copy is left exactly as it is.
pub fn write_copy(root: &Path, chapter: &Chapter) -> Result<bool> {
    let dir = copy_dir(root, chapter);
    if dir.join("Cargo.toml").exists() {
        return Ok(false);
    }
    let files = student_files(root, chapter)?;
    assign::student::write_files(&dir, &files)?;
    assign::student::prune_lock(&dir)?;
    Ok(true)
}

/// The starting code of one exercise's function, from a fresh student
/// copy: `(function name, text of the function)`.
fn starting_function(
    root: &Path,
    chapter: &Chapter,
    id: &str,
) -> Result<(String, String)> {
    let files = student_files(root, chapter)?;
    let code = files
        .get(Path::new(EXERCISES))
        .context("the student copy has no src/exercises.rs")?;
    let code = String::from_utf8_lossy(code);
    let name = exercise_function(&code, id).with_context(|| {
        format!("no `todo!(\"ex {id}: ...\")` inside a function of {EXERCISES}")
    })?;
    let span = function_span(&code, &name)
        .with_context(|| format!("cannot find `fn {name}` in {EXERCISES}"))?;
    Ok((name, code[span].to_string()))
}

/// The name of the function whose body holds `todo!("ex ID: ...")`.
pub fn exercise_function(code: &str, id: &str) -> Option<String> {
    let at = code.find(&format!("todo!(\"ex {id}:"))?;
    function_before(code, at)
}

/// The name of the last function declared before byte `at` of `code`.
fn function_before(code: &str, at: usize) -> Option<String> {
    let before = &code[..at];
    let fn_at = before.rfind("fn ")?;
    let name: String = before[fn_at + 3..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The byte range of `fn name`'s declaration in `code`, from the start of
/// its line (so `pub` comes along) to its closing brace. Braces inside
/// strings, characters and comments do not count.
pub fn function_span(code: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let pattern = format!("fn {name}");
    let mut search = 0;
    let decl = loop {
        let at = search + code[search..].find(&pattern)?;
        let after = code[at + pattern.len()..].chars().next();
        let before = code[..at].chars().next_back();
        let whole = !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if whole {
            break at;
        }
        search = at + pattern.len();
    };
    let start = code[..decl].rfind('\n').map_or(0, |i| i + 1);
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    let mut i = decl;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = code[i + 2..].find("*/").map_or(bytes.len(), |n| i + n + 4);
                continue;
            }
            b'"' => {
                // A plain or raw string: skip to its closing quote.
                let hashes =
                    code[..i].chars().rev().take_while(|&c| c == '#').count();
                let raw = hashes > 0 || code[..i].ends_with('r');
                if raw {
                    let close = format!("\"{}", "#".repeat(hashes));
                    i = code[i + 1..]
                        .find(&close)
                        .map_or(bytes.len(), |n| i + 1 + n + close.len());
                    continue;
                }
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                // A character ('{', '\n') rather than a lifetime ('a).
                if bytes.get(i + 1) == Some(&b'\\') {
                    i = code[i + 2..]
                        .find('\'')
                        .map_or(bytes.len(), |n| i + 2 + n);
                } else if bytes.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(start..i + 1);
                }
            }
            b';' if depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Puts exercise `id`'s starting code back into the practice copy,
/// touching nothing else in the file.
pub fn reset(root: &Path, chapter: &Chapter, id: &str) -> Result<()> {
    let (name, start) = starting_function(root, chapter, id)?;
    let path = copy_dir(root, chapter).join(EXERCISES);
    let mine = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?;
    let Some(span) = function_span(&mine, &name) else {
        bail!(
            "cannot find `fn {name}` (exercise {id}) in {}: put the \
             function's signature back, or delete the practice copy to \
             start the whole chapter again",
            path.display()
        );
    };
    let mut out = String::with_capacity(mine.len());
    out.push_str(&mine[..span.start]);
    out.push_str(&start);
    out.push_str(&mine[span.end..]);
    std::fs::write(&path, out)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// A fingerprint of a text (64-bit FNV-1a): the same on every machine and
/// every Rust release.
fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// `practice/progress.toml`: each passed exercise with the fingerprint of
/// its function when it passed.
fn progress_file(root: &Path) -> PathBuf {
    practice_dir(root).join("progress.toml")
}

fn read_progress(root: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(progress_file(root)).unwrap_or_default();
    let table: toml::Table = text.parse().unwrap_or_default();
    table
        .get("passed")
        .and_then(|p| p.as_table())
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

fn write_progress(
    root: &Path,
    passed: &BTreeMap<String, String>,
) -> Result<()> {
    let mut text = String::from(
        "# Written by `cargo xtask practice`: the exercises whose tests \
         passed,\n# with a fingerprint of the function when they did.\n\
         [passed]\n",
    );
    let mut ids: Vec<&String> = passed.keys().collect();
    ids.sort_by_key(|id| sort_key(id));
    for id in ids {
        text.push_str(&format!("\"{id}\" = \"{}\"\n", passed[id]));
    }
    std::fs::create_dir_all(practice_dir(root))?;
    std::fs::write(progress_file(root), text)?;
    Ok(())
}

/// Records that exercise `id` passes with the function `text`.
fn remember(root: &Path, id: &str, text: &str) -> Result<()> {
    let mut passed = read_progress(root);
    passed.insert(id.to_string(), fingerprint(text));
    write_progress(root, &passed)
}

/// Forgets that exercise `id` passed (after a reset).
fn forget(root: &Path, id: &str) -> Result<()> {
    let mut passed = read_progress(root);
    if passed.remove(id).is_some() {
        write_progress(root, &passed)?;
    }
    Ok(())
}

/// Where a reader stands on one exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its tests passed, and the function has not changed since.
    Done,
    /// Its tests passed, but the function has been edited since.
    Edited,
    /// The `todo!()` is gone: work in progress.
    Started,
    /// Still the starting code (or no practice copy yet).
    NotStarted,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Edited => "edited since it passed",
            Status::Started => "started",
            Status::NotStarted => "not started",
        }
    }
}

/// Each exercise of `chapter` with the reader's status, read from the
/// practice copy and `progress.toml` (nothing is compiled).
pub fn statuses(
    root: &Path,
    chapter: &Chapter,
) -> Result<Vec<(String, Status)>> {
    let ids = exercise_ids(chapter)?;
    let code =
        std::fs::read_to_string(copy_dir(root, chapter).join(EXERCISES)).ok();
    let passed = read_progress(root);
    Ok(ids
        .into_iter()
        .map(|id| {
            let status = match &code {
                None => Status::NotStarted,
                Some(code) => {
                    let name = exercise_name(chapter, &id).unwrap_or_default();
                    status_in(code, &id, &name, passed.get(&id))
                }
            };
            (id, status)
        })
        .collect())
}

fn status_in(
    code: &str,
    id: &str,
    name: &str,
    passed: Option<&String>,
) -> Status {
    if code.contains(&format!("todo!(\"ex {id}:")) {
        return Status::NotStarted;
    }
    let text = current_function(code, name);
    match (passed, text) {
        (Some(p), Some(t)) if *p == fingerprint(&t) => Status::Done,
        (Some(_), _) => Status::Edited,
        (None, _) => Status::Started,
    }
}

/// The text of the function `name` in the reader's `code`.
fn current_function(code: &str, name: &str) -> Option<String> {
    function_span(code, name).map(|s| code[s].to_string())
}

/// The name of exercise `id`'s function, read from the chapter's own
/// crate, where the reader's edits cannot have moved its TODO comment.
fn exercise_name(chapter: &Chapter, id: &str) -> Option<String> {
    let code = std::fs::read_to_string(chapter.dir.join(EXERCISES)).ok()?;
    name_by_todo(&code, id)
}

/// The function that a `// TODO(ex ID)` comment sits in (or just above).
fn name_by_todo(code: &str, id: &str) -> Option<String> {
    let at = code.find(&format!("// TODO(ex {id})"))?;
    function_before(code, at)
}

/// `cargo xtask practice`: every chapter's exercises and what is done.
pub fn list(root: &Path) -> Result<String> {
    let mut out = String::from(
        "Practice: `cargo xtask practice N` writes chapter N's exercises to \
         practice/ and watches them.\n\n",
    );
    let (mut done, mut total) = (0, 0);
    for chapter in assign::all_chapters(root)? {
        let rows = statuses(root, &chapter)?;
        if rows.is_empty() {
            continue;
        }
        let copy = copy_dir(root, &chapter).join(EXERCISES);
        let name: Vec<String> = rows
            .iter()
            .map(|(id, _)| exercise_name(&chapter, id).unwrap_or_default())
            .collect();
        out.push_str(&format!(
            "chapter {:>2}  {}{}\n",
            number(&chapter),
            chapter.name,
            if copy.exists() {
                ""
            } else {
                "  (no practice copy yet)"
            }
        ));
        for ((id, status), name) in rows.iter().zip(name) {
            total += 1;
            if *status == Status::Done {
                done += 1;
            }
            out.push_str(&format!(
                "  {:<6} {:<30} {}\n",
                id,
                name,
                status.label()
            ));
        }
    }
    out.push_str(&format!("\n{done} of {total} exercises done\n"));
    Ok(out)
}

/// The hints written for a chapter's exercises, from the chapter crate's
/// `hints.toml` (`[hints]` table, `"5.1" = ["first", "second"]`). The
/// file is not part of the student copy, so the judge never sees it.
pub fn hints(chapter: &Chapter) -> Result<BTreeMap<String, Vec<String>>> {
    let path = chapter.dir.join("hints.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(BTreeMap::new());
    };
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (id, list) in table
        .get("hints")
        .and_then(|h| h.as_table())
        .into_iter()
        .flatten()
    {
        let list = list
            .as_array()
            .with_context(|| {
                format!("{}: hints.{id} is not a list", path.display())
            })?
            .iter()
            .map(|h| h.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .with_context(|| {
                format!(
                    "{}: hints.{id} must be a list of strings",
                    path.display()
                )
            })?;
        out.insert(id.clone(), list);
    }
    Ok(out)
}

/// The outcome of one run of an exercise's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every test of the exercise passed.
    Passed { tests: usize },
    /// The copy does not compile: the first error, in a few lines.
    DoesNotCompile(String),
    /// Some test failed: how many passed, and the first failure.
    Failed {
        passed: usize,
        failed: usize,
        first: String,
    },
    /// No test matched the exercise (a bug in the book).
    NoTests,
}

/// The longest excerpt shown for an error or a failure.
const MAX_LINES: usize = 14;

/// Reads `cargo test`'s output for one exercise.
pub fn outcome(stdout: &str, stderr: &str, success: bool) -> Outcome {
    let count = |word: &str| -> usize {
        stdout
            .lines()
            .filter(|l| l.starts_with("test result:"))
            .filter_map(|l| {
                let before = l.split(&format!(" {word}")).next()?;
                before.rsplit(' ').next()?.parse::<usize>().ok()
            })
            .sum()
    };
    let (passed, failed) = (count("passed"), count("failed"));
    if success {
        return if passed == 0 {
            Outcome::NoTests
        } else {
            Outcome::Passed { tests: passed }
        };
    }
    if let Some(first) = first_failure(stdout) {
        return Outcome::Failed {
            passed,
            failed,
            first,
        };
    }
    Outcome::DoesNotCompile(first_error(stderr))
}

/// The first `---- name stdout ----` section: the test's name and its
/// panic message, without the backtrace note.
fn first_failure(stdout: &str) -> Option<String> {
    let start = stdout.find("---- ")?;
    let section = &stdout[start + 5..];
    let (name, body) = section.split_once(" stdout ----\n")?;
    let mut lines = vec![format!("{name}:")];
    for line in body.lines() {
        if line.starts_with("---- ")
            || line.starts_with("note: run with `RUST_BACKTRACE")
            || line == "failures:"
        {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let line = match panic_place(line, name) {
            Some(place) => format!("panicked at {place}"),
            None => line.to_string(),
        };
        lines.push(format!("  {line}"));
        if lines.len() > MAX_LINES {
            lines.push("  ...".into());
            break;
        }
    }
    Some(lines.join("\n"))
}

/// Where a test panicked, from `thread 'NAME' panicked at FILE:L:C:` (and
/// the newer `thread 'NAME' (ID) panicked at ...`).
fn panic_place<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(&format!("thread '{name}'"))?.trim_start();
    let rest = match rest.strip_prefix('(') {
        Some(r) => r.split_once(')')?.1.trim_start(),
        None => rest,
    };
    Some(rest.strip_prefix("panicked at ")?.trim_end_matches(':'))
}

/// The first compiler error in `stderr`, up to the blank line after it.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            (l.starts_with("error[") || l.starts_with("error:"))
                && !l.starts_with("error: could not compile")
        })
        .or_else(|| lines.iter().position(|l| l.starts_with("error")));
    let Some(start) = start else {
        let tail: Vec<&str> =
            lines.iter().rev().take(MAX_LINES).rev().copied().collect();
        return tail.join("\n");
    };
    let mut out: Vec<&str> = Vec::new();
    for line in &lines[start..] {
        if !out.is_empty() && line.trim().is_empty() {
            break;
        }
        out.push(line);
        if out.len() >= MAX_LINES {
            out.push("...");
            break;
        }
    }
    out.join("\n")
}

/// Builds the copy and runs exercise `id`'s tests (`ex_5_1_*`), with the
/// build shared across chapters in `target/practice`.
fn run_tests(root: &Path, chapter: &Chapter, id: &str) -> Result<Outcome> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let dir = copy_dir(root, chapter);
    let filter = format!("ex_{}_", id.replace('.', "_"));
    let out = std::process::Command::new(cargo)
        .arg("test")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .args(["--quiet", "--color", "never", "--test", "exercises", "--"])
        .arg(&filter)
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root.join("target/practice"))
        .env("RUST_BACKTRACE", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .context("running cargo test")?;
    Ok(outcome(
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
        out.status.success(),
    ))
}

/// The first exercise not done, if any.
fn current(root: &Path, chapter: &Chapter) -> Result<Option<String>> {
    Ok(statuses(root, chapter)?
        .into_iter()
        .find(|(_, s)| *s != Status::Done)
        .map(|(id, _)| id))
}

/// Runs exercise `id` and prints what happened; records a pass. Returns
/// whether it passed.
fn attempt(root: &Path, chapter: &Chapter, id: &str) -> Result<bool> {
    println!("\n== exercise {id}: running its tests ...");
    let outcome = run_tests(root, chapter, id)?;
    print!("{}", describe(id, &outcome));
    if let Outcome::Passed { .. } = outcome {
        let code =
            std::fs::read_to_string(copy_dir(root, chapter).join(EXERCISES))?;
        let name = exercise_name(chapter, id).unwrap_or_default();
        match current_function(&code, &name) {
            Some(text) => remember(root, id, &text)?,
            None => println!(
                "(cannot find `fn {name}` in your copy, so this pass is not \
                 remembered: keep the function's name and signature)"
            ),
        }
        return Ok(true);
    }
    Ok(false)
}

/// A short report of one run, as the reader sees it.
pub fn describe(id: &str, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Passed { tests } => {
            format!("PASS exercise {id}: all {tests} of its tests pass\n")
        }
        Outcome::NoTests => format!(
            "exercise {id} has no tests named ex_{}_*: please report it\n",
            id.replace('.', "_")
        ),
        Outcome::DoesNotCompile(error) => format!(
            "BUILD exercise {id}: the crate does not compile yet; the first \
             error:\n{}\n",
            indent(error)
        ),
        Outcome::Failed {
            passed,
            failed,
            first,
        } => format!(
            "FAIL exercise {id}: {passed} of {} tests pass; the first \
             failure:\n{}\n",
            passed + failed,
            indent(first)
        ),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `--once`: the current exercise, once.
fn once(root: &Path, chapter: &Chapter) -> Result<()> {
    match current(root, chapter)? {
        None => all_done(chapter),
        Some(id) => {
            if attempt(root, chapter, &id)? {
                if let Some(next) = current(root, chapter)? {
                    println!("next: exercise {next}");
                } else {
                    all_done(chapter)?;
                }
            }
            Ok(())
        }
    }
}

fn all_done(chapter: &Chapter) -> Result<()> {
    println!(
        "every exercise of chapter {n} passes its tests. Grade them as an \
         instructor would with `cargo xtask practice {n} --check`.",
        n = number(chapter)
    );
    Ok(())
}

/// The newest modification time under the copy's `src/` and the number
/// of files there: any save (or a new or deleted file) changes it.
fn stamp(dir: &Path) -> (Option<SystemTime>, usize) {
    let files = crate::walk::files(&dir.join("src"));
    let newest = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
        .max();
    (newest, files.len())
}

/// The watch loop: rerun on every save, hints and commands from stdin.
fn watch(root: &Path, chapter: &Chapter) -> Result<()> {
    let dir = copy_dir(root, chapter);
    let hints = hints(chapter)?;
    let keys = spawn_stdin();
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    let Some(mut id) = current(root, chapter)? else {
        return all_done(chapter);
    };
    let intro = |id: &str| {
        println!(
            "\nexercise {id}: edit {} (its statement is in the chapter and \
             above the function). Every save reruns its tests.\n\
             keys (then Enter): h hint, r rerun, n next exercise, l list, \
             q quit",
            rel(root, &dir.join(EXERCISES))
        );
    };
    intro(&id);
    let mut last = stamp(&dir);
    let mut run_now = true;
    loop {
        if run_now {
            run_now = false;
            if attempt(root, chapter, &id)? {
                match current(root, chapter)? {
                    // Not remembered (its function was renamed): stay.
                    Some(next) if next == id => {}
                    Some(next) => {
                        id = next;
                        intro(&id);
                        run_now = true;
                        continue;
                    }
                    None => return all_done(chapter),
                }
            }
            last = stamp(&dir);
            print!("> ");
            std::io::stdout().flush().ok();
        }
        match keys.recv_timeout(Duration::from_millis(400)) {
            Ok(key) => {
                match key.as_str() {
                    "h" | "hint" => {
                        let list = hints.get(&id).cloned().unwrap_or_default();
                        let n = shown.entry(id.clone()).or_insert(0);
                        match list.get(*n) {
                            Some(h) => {
                                println!(
                                    "hint {} of {}: {h}",
                                    *n + 1,
                                    list.len()
                                );
                                *n += 1;
                            }
                            None if list.is_empty() => {
                                println!("exercise {id} has no hints yet")
                            }
                            None => println!(
                                "no more hints for {id}; the chapter's section \
                             on it, and the test that fails, say the rest"
                            ),
                        }
                    }
                    "r" => run_now = true,
                    "n" => {
                        let ids = exercise_ids(chapter)?;
                        let at = ids.iter().position(|i| *i == id).unwrap_or(0);
                        id = ids[(at + 1) % ids.len()].clone();
                        intro(&id);
                        run_now = true;
                    }
                    "l" => print!("{}", list(root)?),
                    "q" | "quit" => return Ok(()),
                    "" => {}
                    other => println!(
                        "`{other}`? keys: h hint, r rerun, n next, l list, q quit"
                    ),
                }
                if !run_now {
                    print!("> ");
                    std::io::stdout().flush().ok();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // Standard input closed: keep watching the files.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(400));
            }
        }
        if stamp(&dir) != last {
            // Let an editor finish writing before building.
            std::thread::sleep(Duration::from_millis(150));
            run_now = true;
        }
    }
}

/// Lines typed on standard input, trimmed, on a channel.
fn spawn_stdin() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
            if tx.send(line.trim().to_lowercase()).is_err() {
                break;
            }
            line.clear();
        }
    });
    rx
}

/// `--check`: the judge's report on the practice copy. It is the reader's
/// own code, so without bubblewrap it runs unsandboxed, and says so.
fn check(root: &Path, chapter: &Chapter) -> Result<()> {
    let dir = copy_dir(root, chapter);
    if !dir.join("Cargo.toml").exists() {
        bail!(
            "there is no practice copy of chapter {n} yet: run `cargo xtask \
             practice {n}` first",
            n = number(chapter)
        );
    }
    let mut args = vec![
        "grade".to_string(),
        "--chapter".to_string(),
        chapter.nn.clone(),
        dir.display().to_string(),
    ];
    let bwrap = std::process::Command::new("bwrap")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if bwrap {
        println!("practice: grading your copy in the judge's sandbox");
    } else {
        println!(
            "practice: bubblewrap is not installed, so the judge runs your \
             code WITHOUT its sandbox (it is your own code; instructors \
             always grade inside it)"
        );
        args.push("--unsandboxed".into());
    }
    crate::judge(root, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the book's workspace files practice needs, in a fresh
    /// temporary folder: the root manifest and lock, book.toml (the
    /// student README links to the published book), and the chapter
    /// crates with what they depend on.
    fn scratch(name: &str) -> PathBuf {
        let real = crate::root();
        let dir = std::env::temp_dir()
            .join(format!("practice-test-{name}-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        for rel in ["Cargo.toml", "Cargo.lock", "book.toml"] {
            let to = dir.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(real.join(rel), to).unwrap();
        }
        for f in crate::walk::files(&real.join("crates")) {
            let rel = f.strip_prefix(&real).unwrap();
            let keep = rel.components().nth(2).is_some_and(|c| {
                matches!(
                    c.as_os_str().to_str(),
                    Some(
                        "src"
                            | "tests"
                            | "examples"
                            | "Cargo.toml"
                            | "grading.toml"
                            | "hints.toml"
                    )
                )
            });
            if keep && !rel.to_string_lossy().contains("snapshots") {
                let to = dir.join(rel);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(&f, to).unwrap();
            }
        }
        std::fs::create_dir_all(dir.join("book")).unwrap();
        dir
    }

    fn chapter(root: &Path, n: &str) -> Chapter {
        assign::find_chapter(root, n).unwrap()
    }

    #[test]
    fn the_copy_is_written_once_and_keeps_the_learners_work() {
        let root = scratch("keep");
        let ch = chapter(&root, "5");
        assert!(write_copy(&root, &ch).unwrap(), "first run writes");
        let file = copy_dir(&root, &ch).join(EXERCISES);
        let start = std::fs::read_to_string(&file).unwrap();
        assert!(start.contains("todo!(\"ex 5.1:"), "{start}");
        assert!(!start.contains("SOLUTION"), "{start}");
        // Hints stay in the book's crate: the copy (and the judge) never
        // has them.
        assert!(!copy_dir(&root, &ch).join("hints.toml").exists());
        assert!(ch.dir.join("hints.toml").exists());
        let mine =
            start.replace("todo!(\"ex 5.1:", "my_work(); todo!(\"ex 5.1:");
        std::fs::write(&file, &mine).unwrap();
        std::fs::write(copy_dir(&root, &ch).join("src/notes.rs"), "// mine")
            .unwrap();
        assert!(
            !write_copy(&root, &ch).unwrap(),
            "second run writes nothing"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);
        assert!(copy_dir(&root, &ch).join("src/notes.rs").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn reset_restores_one_exercise_and_leaves_the_others() {
        let root = scratch("reset");
        let ch = chapter(&root, "5");
        write_copy(&root, &ch).unwrap();
        let file = copy_dir(&root, &ch).join(EXERCISES);
        let start = std::fs::read_to_string(&file).unwrap();
        // The learner writes both 5.1 and 5.3 (braces in strings too).
        let (n1, f1) = starting_function(&root, &ch, "5.1").unwrap();
        let (n3, f3) = starting_function(&root, &ch, "5.3").unwrap();
        assert_eq!(
            (n1.as_str(), n3.as_str()),
            ("scaled_scores", "parameter_count")
        );
        let t1 = f1.lines().find(|l| l.contains("todo!(")).unwrap();
        let t3 = f3.lines().find(|l| l.contains("todo!(")).unwrap();
        let mine = start
            .replace(t1, "    let s = \"}\"; let c = '{'; { 1 }; bail!(\"mine 5.1 {s}{c}\")")
            .replace(t3, "    todo!(\"my own 5.3 attempt\")");
        std::fs::write(&file, &mine).unwrap();
        remember(&root, "5.1", "whatever").unwrap();
        reset(&root, &ch, "5.1").unwrap();
        forget(&root, "5.1").unwrap();
        let after = std::fs::read_to_string(&file).unwrap();
        assert!(after.contains(t1), "5.1 is back: {after}");
        assert!(!after.contains("mine 5.1"), "{after}");
        assert!(after.contains("my own 5.3 attempt"), "5.3 is kept: {after}");
        assert_eq!(
            after,
            start.replace(t3, "    todo!(\"my own 5.3 attempt\")")
        );
        assert!(!read_progress(&root).contains_key("5.1"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_list_shows_what_is_done_started_and_edited() {
        let root = scratch("list");
        let ch = chapter(&root, "5");
        let before = list(&root).unwrap();
        assert!(
            before.contains("ch05-trainable-weights  (no practice copy yet)"),
            "{before}"
        );
        assert!(before.contains("0 of "), "{before}");
        write_copy(&root, &ch).unwrap();
        let file = copy_dir(&root, &ch).join(EXERCISES);
        let start = std::fs::read_to_string(&file).unwrap();
        let (_, f1) = starting_function(&root, &ch, "5.1").unwrap();
        let (_, f2) = starting_function(&root, &ch, "5.2").unwrap();
        let t1 = f1.lines().find(|l| l.contains("todo!(")).unwrap();
        let t2 = f2.lines().find(|l| l.contains("todo!(")).unwrap();
        let mine = start
            .replace(t1, "    unimplemented!()")
            .replace(t2, "    unimplemented!()");
        std::fs::write(&file, &mine).unwrap();
        // 5.1 passed as it is now; 5.2 passed, then was edited.
        remember(
            &root,
            "5.1",
            &current_function(&mine, "scaled_scores").unwrap(),
        )
        .unwrap();
        remember(&root, "5.2", "an older version").unwrap();
        let rows = statuses(&root, &ch).unwrap();
        assert_eq!(
            rows,
            vec![
                ("5.1".to_string(), Status::Done),
                ("5.2".to_string(), Status::Edited),
                ("5.3".to_string(), Status::NotStarted),
            ]
        );
        let after = list(&root).unwrap();
        let row = |id: &str| -> Vec<String> {
            let line = after
                .lines()
                .find(|l| l.starts_with(&format!("  {id} ")))
                .unwrap_or_else(|| panic!("no row for {id}: {after}"));
            line.split_whitespace().map(str::to_string).collect()
        };
        assert_eq!(row("5.1"), ["5.1", "scaled_scores", "done"]);
        assert_eq!(
            row("5.2"),
            [
                "5.2",
                "dot_product_variance",
                "edited",
                "since",
                "it",
                "passed"
            ]
        );
        assert_eq!(row("5.3"), ["5.3", "parameter_count", "not", "started"]);
        assert!(after.contains("\n1 of "), "{after}");
        assert_eq!(current(&root, &ch).unwrap().as_deref(), Some("5.2"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn function_spans_skip_braces_in_strings_and_comments() {
        let code = "// a\npub fn f(x: &str) -> u8 {\n    let s = \"}\"; // }\n    let c = '}';\n    let r = r#\"}\"#;\n    /* } */ g::<'_>(); 1\n}\nfn g() {}\n";
        let span = function_span(code, "f").unwrap();
        assert!(code[span.clone()].starts_with("pub fn f"));
        assert!(code[span].ends_with("1\n}"));
        assert_eq!(&code[function_span(code, "g").unwrap()], "fn g() {}");
        assert!(function_span(code, "h").is_none());
        assert!(function_span("fn ff() {}", "f").is_none());
    }

    #[test]
    fn a_failure_is_shown_in_a_few_lines() {
        let stdout = "\nrunning 3 tests\n.F.\nfailures:\n\n---- ex_5_1_scales stdout ----\n\nthread 'ex_5_1_scales' (7054) panicked at tests/exercises.rs:30:5:\nassertion failed: close(s[0], r, 1e-12)\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    ex_5_1_scales\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 9 filtered out; finished in 0.00s\n\n";
        let o = outcome(
            stdout,
            "error: test failed, to rerun pass `--test exercises`",
            false,
        );
        assert_eq!(
            o,
            Outcome::Failed {
                passed: 2,
                failed: 1,
                first: "ex_5_1_scales:\n  panicked at tests/exercises.rs:30:5\n  assertion failed: close(s[0], r, 1e-12)".into()
            }
        );
        let shown = describe("5.1", &o);
        assert!(
            shown.starts_with("FAIL exercise 5.1: 2 of 3 tests pass"),
            "{shown}"
        );
        assert!(shown.lines().count() <= 5, "{shown}");
    }

    #[test]
    fn panics_are_read_with_and_without_a_thread_id() {
        let old = "thread 'ex_1' panicked at src/a.rs:3:5:";
        let new = "thread 'ex_1' (27785) panicked at src/a.rs:3:5:";
        assert_eq!(panic_place(old, "ex_1"), Some("src/a.rs:3:5"));
        assert_eq!(panic_place(new, "ex_1"), Some("src/a.rs:3:5"));
        assert_eq!(panic_place(new, "ex_2"), None);
    }

    #[test]
    fn a_compile_error_shows_the_first_error_only() {
        let stderr = "warning: unused variable: `x`\n --> src/a.rs:1:1\n\nerror[E0308]: mismatched types\n --> src/exercises.rs:40:5\n  |\n40 |     1\n  |     ^ expected `Result`, found integer\n\nerror[E0425]: cannot find value `y`\n\nerror: could not compile `ch05` (lib) due to 2 previous errors\n";
        let o = outcome("", stderr, false);
        let Outcome::DoesNotCompile(e) = o else {
            panic!("{o:?}")
        };
        assert!(e.starts_with("error[E0308]: mismatched types"), "{e}");
        assert!(e.contains("expected `Result`"), "{e}");
        assert!(!e.contains("E0425") && !e.contains("warning"), "{e}");
    }

    #[test]
    fn passing_and_matching_nothing_are_told_apart() {
        let ok = "running 2 tests\n..\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 8 filtered out\n";
        assert_eq!(outcome(ok, "", true), Outcome::Passed { tests: 2 });
        let none = "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 10 filtered out\n";
        assert_eq!(outcome(none, "", true), Outcome::NoTests);
    }

    #[test]
    fn every_exercise_has_one_or_two_hints_that_give_no_code_away() {
        let root = crate::root();
        for ch in assign::all_chapters(&root).unwrap() {
            let ids = exercise_ids(&ch).unwrap();
            let hints = hints(&ch).unwrap();
            let solution =
                std::fs::read_to_string(ch.dir.join(EXERCISES)).unwrap();
            for id in &ids {
                let list = hints.get(id).unwrap_or_else(|| {
                    panic!("{}: no hints for {id}", ch.name)
                });
                assert!(
                    (1..=2).contains(&list.len()),
                    "{}: {id} has {} hints",
                    ch.name,
                    list.len()
                );
                for h in list {
                    // No line of the reference solution appears in a hint.
                    for line in solution_lines(&solution, id) {
                        assert!(
                            !h.contains(&line),
                            "{}: a hint for {id} quotes `{line}`",
                            ch.name
                        );
                    }
                }
            }
            for id in hints.keys() {
                assert!(
                    ids.contains(id),
                    "{}: hints for unknown exercise {id}",
                    ch.name
                );
            }
        }
    }

    /// The lines of exercise `id`'s marked solution that are long enough to
    /// be code (not `}` or `Ok(x)`).
    fn solution_lines(code: &str, id: &str) -> Vec<String> {
        let start = format!("// SOLUTION-START(ex {id})");
        code.split(&start)
            .skip(1)
            .filter_map(|s| s.split("// SOLUTION-END").next())
            .flat_map(|s| s.lines().map(|l| l.trim().to_string()))
            .filter(|l| l.len() >= 24 && !l.starts_with("//"))
            .collect()
    }
}
