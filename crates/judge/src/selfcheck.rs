//! `cargo xtask check-exercises`: every chapter's homework works, through
//! the same judge and sandbox the students get.
//!
//! For each chapter with marked solutions: the student copy holds no
//! solution line; graded as handed out (every solution a `todo!()`), it
//! builds and fails every check; grading leaves the submission folder as it
//! was; and the chapter's own sources, graded as a submission, score full
//! marks.
//!
//! A chapter that passed is remembered under the target folder with a
//! hash of everything its check reads (see [`input_key`]); while that hash
//! is unchanged, a later run says so instead of grading it again. A clean
//! clone has no record, so it checks everything, and where `CI` or
//! `ATTN_NO_CACHE` is set the records are never read.

use crate::grade::{Grader, Settings, fresh_dir};
use crate::sandbox::Isolation;
use anyhow::{Context, Result, bail};
use assign::Chapter;
use assign::student::{Files, Options, student_crate, write_files};
use assign::walk::files;
use assign::{all_chapters, find_chapter, solution_ids};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The seed of the self-check's hidden cases: fixed, so CI is repeatable.
pub const SEED: u64 = 2026;

fn contents(dir: &Path) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    files(dir)
        .into_iter()
        .map(|p| Ok((p.clone(), std::fs::read(&p)?)))
        .collect()
}

/// `check-exercises [CHAPTER] [--unsandboxed] [--no-cache]`, from the
/// judge's command line.
///
/// Without bubblewrap (and without `--unsandboxed`) nothing is graded: one
/// loud line says so and names the fix, and the command succeeds, unless
/// `CI` is set, where the sandbox is required and its absence fails.
pub fn main(root: &Path, args: &[String]) -> Result<()> {
    let unsandboxed = args.iter().any(|a| a == "--unsandboxed");
    let no_cache = args.iter().any(|a| a == "--no-cache");
    if let Some(flag) = args.iter().find(|a| {
        a.starts_with("--")
            && !["--unsandboxed", "--no-cache"].contains(&a.as_str())
    }) {
        bail!("check-exercises: unknown flag `{flag}`");
    }
    let only = args.iter().find(|a| !a.starts_with("--"));
    let isolation = if unsandboxed {
        eprintln!(
            "judge: WARNING: --unsandboxed: the chapters' own code runs with \
             your rights"
        );
        Isolation::None
    } else {
        match Isolation::detect() {
            Ok(isolation) => isolation,
            Err(e) if std::env::var_os("CI").is_some() => {
                return Err(e.context(
                    "CI requires check-exercises to run in the sandbox",
                ));
            }
            Err(_) => {
                let _ = std::io::stderr().write_all(NOT_RUN.as_bytes());
                return Ok(());
            }
        }
    };
    let cache = if no_cache || !cache_allowed() {
        None
    } else {
        Some(Passed::under(&target_dir(root)))
    };
    run(root, only.map(String::as_str), isolation, cache.as_ref())
}

/// What `check-exercises` says when bubblewrap is missing.
pub const NOT_RUN: &str = "\nNOT RUN (needs bubblewrap): cargo xtask \
    check-exercises grades every chapter's homework inside the sandbox. \
    Install it to run it: `sudo apt-get install bubblewrap` (Debian/Ubuntu) \
    or `sudo dnf install bubblewrap` (Fedora); CI always runs it.\n\n";

/// The build folder: `CARGO_TARGET_DIR` when set, else `target/`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The chapters whose check passed, each with the [`input_key`] it passed
/// with: one file per chapter under `<target>/judge/selfcheck-passed/`.
pub struct Passed {
    dir: PathBuf,
}

impl Passed {
    /// The records under the build folder `target`.
    pub fn under(target: &Path) -> Passed {
        Passed {
            dir: target.join("judge").join("selfcheck-passed"),
        }
    }

    fn file(&self, chapter: &Chapter) -> PathBuf {
        self.dir.join(&chapter.name)
    }

    /// Whether `chapter` passed with exactly this key.
    pub fn holds(&self, chapter: &Chapter, key: &str) -> bool {
        std::fs::read_to_string(self.file(chapter)).is_ok_and(|k| k == key)
    }

    /// Records that `chapter` passed with `key`.
    pub fn record(&self, chapter: &Chapter, key: &str) -> Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        std::fs::write(self.file(chapter), key).with_context(|| {
            format!("writing {}", self.file(chapter).display())
        })
    }

    /// Forgets `chapter` (it failed, or is being checked again).
    pub fn forget(&self, chapter: &Chapter) {
        let _ = std::fs::remove_file(self.file(chapter));
    }
}

/// Whether the records of past passes may be read: not where `CI` or
/// `ATTN_NO_CACHE` is set.
pub fn cache_allowed() -> bool {
    attn_common::record::allowed()
}

/// A slow test that grades a chapter's crate for real in the sandbox
/// (such as the judge's attack tests), remembered when it passes with a
/// key of everything it reads: the chapter's self-check inputs
/// ([`input_key`]) and the test's own executable, which holds the judge
/// and the test. While the key is unchanged the test need not run again;
/// where `CI` or `ATTN_NO_CACHE` is set it always runs.
///
/// This is the record of `test`, which grades chapter `chapter` (`5`,
/// `ch05`) of the workspace at `root` with `isolation`; `None` where
/// records are not read. Ask it [`Record::unchanged`] first and call
/// [`Record::passed`] at the test's very end (or hold the
/// `attn_common::record::begin` guard, as [`remembered`] does).
pub fn test_record(
    root: &Path,
    test: &str,
    chapter: &str,
    isolation: Isolation,
) -> Result<Option<Record>> {
    if !cache_allowed() {
        return Ok(None);
    }
    // Many tests of one process grade the same chapter: its key (a student
    // copy built and every input hashed) is worked out once per process.
    static KEYS: std::sync::Mutex<BTreeMap<String, String>> =
        std::sync::Mutex::new(BTreeMap::new());
    let id = format!("{}|{chapter}|{isolation:?}", root.display());
    let known = KEYS.lock().ok().and_then(|keys| keys.get(&id).cloned());
    let key = match known {
        Some(key) => key,
        None => {
            let found = find_chapter(root, chapter)?;
            let student = student_copy(root, &found)?;
            let key = input_key(root, &found, &student, isolation)?;
            if let Ok(mut keys) = KEYS.lock() {
                keys.insert(id, key.clone());
            }
            key
        }
    };
    let dir = target_dir(root).join("judge").join("tests-passed");
    Ok(Record::new(&dir, test, &[key.as_bytes()]))
}

pub use attn_common::record::TestRecord as Record;

/// Starts `test`, a slow test that grades chapter `chapter` of the
/// workspace at `root` in the sandbox: `None` when it passed before with
/// the same inputs (see [`test_record`]; the test should return), or else
/// a guard to hold until the test's end, which records the pass unless
/// the test panics. Without `isolation` (no sandbox here: the test says
/// it did not run) nothing is remembered.
///
/// ```ignore
/// let Some(_pass) = remembered(&root, "judge::attacks::t", "5", Some(isolation))? else {
///     return;
/// };
/// ```
pub fn remembered(
    root: &Path,
    test: &str,
    chapter: &str,
    isolation: Option<Isolation>,
) -> Result<Option<attn_common::record::Pass>> {
    let record = match isolation {
        Some(isolation) => test_record(root, test, chapter, isolation)?,
        None => None,
    };
    Ok(attn_common::record::begin(record))
}

/// The student copy of `chapter` the self-check grades: what `assign`
/// writes, without hidden tests.
fn student_copy(root: &Path, chapter: &Chapter) -> Result<Files> {
    student_crate(
        root,
        chapter,
        Options {
            hidden_tests: false,
        },
    )
}

/// What `rustc -vV` and `cargo -V` say, asked once per process (the
/// toolchain does not change while the judge runs).
fn tools() -> &'static str {
    static TOOLS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOOLS.get_or_init(|| {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        output(&rustc, &["-vV"]) + &output(&cargo, &["-V"])
    })
}

/// The output of `program args`, or a note that it could not run.
fn output(program: &str, args: &[&str]) -> String {
    match std::process::Command::new(program).args(args).output() {
        Ok(out) => format!(
            "{}{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => format!("{program}: {e}"),
    }
}

/// A hash of everything `chapter`'s check reads: the student copy
/// (`student`, which holds the chapter's vendored dependencies, the lock
/// file and the README made from the chapter's text), every file of the
/// chapter's crate (the reference), the judge's and `assign`'s sources
/// less other chapters' checks, the workspace's manifest and cargo
/// settings, the toolchain (`rustc -vV`, `cargo -V`), the flags that reach
/// rustc, the sandbox (and bubblewrap's version), and the seed.
pub fn input_key(
    root: &Path,
    chapter: &Chapter,
    student: &Files,
    isolation: Isolation,
) -> Result<String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // Bump when what the self-check does changes.
    "selfcheck-1".hash(&mut h);
    SEED.hash(&mut h);
    format!("{isolation:?}").hash(&mut h);
    tools().hash(&mut h);
    if isolation == Isolation::Bwrap {
        output("bwrap", &["--version"]).hash(&mut h);
    }
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER"] {
        std::env::var_os(var).hash(&mut h);
    }
    student.hash(&mut h);
    let own_checks = format!("ch{}", chapter.nn);
    let mut inputs = files(&chapter.dir);
    for dir in ["crates/judge", "crates/assign"] {
        inputs.extend(files(&root.join(dir)).into_iter().filter(|f| {
            let rel = f.strip_prefix(root).unwrap_or(f);
            let in_src = rel
                .components()
                .nth(2)
                .is_some_and(|c| c.as_os_str() == "src");
            let other_chapter = rel.starts_with("crates/judge/src/chapters")
                && f.file_stem().is_some_and(|s| {
                    let s = s.to_string_lossy();
                    s.len() == 4
                        && s.starts_with("ch")
                        && s[2..].chars().all(|c| c.is_ascii_digit())
                        && s != own_checks
                });
            (in_src || rel.ends_with("Cargo.toml")) && !other_chapter
        }));
    }
    inputs.push(root.join("Cargo.toml"));
    inputs.push(root.join("Cargo.lock"));
    // Cargo's settings (`files` lists a hidden folder it starts in).
    inputs.extend(files(&root.join(".cargo")));
    inputs.sort();
    inputs.dedup();
    for f in &inputs {
        f.strip_prefix(root).unwrap_or(f).hash(&mut h);
        std::fs::read(f).ok().hash(&mut h);
    }
    Ok(format!("{:016x}", h.finish()))
}

/// Runs the self-check over every chapter (or `only` one), skipping a
/// chapter that `cache` says passed with its current inputs.
pub fn run(
    root: &Path,
    only: Option<&str>,
    isolation: Isolation,
    cache: Option<&Passed>,
) -> Result<()> {
    let only = only.map(|c| find_chapter(root, c)).transpose()?;
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut unchanged = Vec::new();
    for chapter in all_chapters(root)? {
        if only.as_ref().is_some_and(|o| o.nn != chapter.nn) {
            continue;
        }
        let marked = files(&chapter.dir.join("src")).iter().any(|f| {
            !solution_ids(&std::fs::read_to_string(f).unwrap_or_default())
                .is_empty()
        });
        if !marked {
            continue;
        }
        checked += 1;
        let name = chapter.name.clone();
        let student = student_copy(root, &chapter)?;
        let before_chapter = problems.len();
        for leak in assign::leaks::leaked_solution_lines(root, &student)? {
            problems.push(format!("{name}: the student copy leaks {leak}"));
        }
        let key = input_key(root, &chapter, &student, isolation)?;
        if let Some(cache) = cache {
            if problems.len() == before_chapter && cache.holds(&chapter, &key) {
                unchanged.push(name);
                continue;
            }
            cache.forget(&chapter);
        }
        let settings = Settings {
            seed: SEED,
            timeout: 10,
            isolation,
        };
        let grader = match Grader::new(root, &chapter, settings) {
            Ok(g) => g,
            Err(e) => {
                problems.push(format!("{name}: {e:#}"));
                continue;
            }
        };
        let dir = fresh_dir("selfcheck")?;
        write_files(&dir, &student)?;
        let before = contents(&dir)?;
        let unsolved = grader.grade_even_if_unchanged(&dir, "unsolved")?;
        if contents(&dir)? != before {
            problems
                .push(format!("{name}: grading changed the submission folder"));
        }
        std::fs::remove_dir_all(&dir)?;
        match &unsolved.status {
            crate::report::Status::Graded => {}
            other => problems.push(format!(
                "{name}: the student copy is not graded: {}",
                other.label()
            )),
        }
        for ex in &unsolved.exercises {
            let passing: Vec<&str> = ex
                .checks
                .iter()
                .filter(|c| c.failure.is_none())
                .map(|c| c.name.as_str())
                .collect();
            if !passing.is_empty() {
                problems.push(format!(
                    "{name}: exercise {} passes checks before it is solved: {}",
                    ex.id,
                    passing.join("; ")
                ));
            }
        }
        let solved = grader.grade(&chapter.dir, "reference")?;
        if solved.total() < solved.max()
            || solved.status != crate::report::Status::Graded
        {
            problems.push(format!(
                "{name}: the reference solutions do not score full marks:\n{}",
                solved.text()
            ));
        }
        let checks: usize =
            solved.exercises.iter().map(|e| e.checks.len()).sum();
        println!(
            "{name}: {checks} checks; unsolved scores {} / {}, reference {} / {}",
            unsolved.total(),
            unsolved.max(),
            solved.total(),
            solved.max()
        );
        if let (Some(cache), true) = (cache, problems.len() == before_chapter) {
            cache.record(&chapter, &key)?;
        }
    }
    if !unchanged.is_empty() {
        println!(
            "unchanged since they last passed (not graded again; \
             --no-cache grades them): {}",
            unchanged.join(", ")
        );
    }
    if problems.is_empty() {
        println!("check-exercises: {checked} chapters, all good");
        Ok(())
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        bail!("check-exercises found {} problem(s)", problems.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small workspace: chapter 1 and 2 crates, the judge with both
    /// chapters' checks, `assign`, the manifest, the lock and cargo's
    /// settings.
    fn workspace(tag: &str) -> (PathBuf, Chapter) {
        let root = std::env::temp_dir()
            .join(format!("selfcheck-key-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (rel, text) in [
            ("Cargo.toml", "[workspace]"),
            ("Cargo.lock", "version = 4"),
            (".cargo/config.toml", "[alias]"),
            ("crates/ch01-a/Cargo.toml", "[package]"),
            ("crates/ch01-a/src/lib.rs", "pub fn a() {}"),
            ("crates/ch01-a/grading.toml", "[points]"),
            ("crates/ch02-b/src/lib.rs", "pub fn b() {}"),
            ("crates/judge/Cargo.toml", "[package]"),
            ("crates/judge/src/grade.rs", "// grade"),
            ("crates/judge/src/chapters/ch01.rs", "// checks 1"),
            ("crates/judge/src/chapters/ch02.rs", "// checks 2"),
            ("crates/judge/tests/attacks.rs", "// a test"),
            ("crates/assign/src/student.rs", "// student"),
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let chapter = Chapter {
            nn: "01".into(),
            name: "ch01-a".into(),
            dir: root.join("crates/ch01-a"),
        };
        (root, chapter)
    }

    fn student() -> Files {
        Files::from([("src/lib.rs".into(), b"pub fn a() { todo!() }".to_vec())])
    }

    #[test]
    fn the_key_changes_with_every_input_and_only_with_them() {
        let (root, ch) = workspace("inputs");
        let key =
            || input_key(&root, &ch, &student(), Isolation::Bwrap).unwrap();
        let first = key();
        assert_eq!(key(), first, "the same inputs give the same key");
        // Files that cannot change chapter 1's result.
        for rel in [
            "crates/ch02-b/src/lib.rs",
            "crates/judge/src/chapters/ch02.rs",
            "crates/judge/tests/attacks.rs",
        ] {
            std::fs::write(root.join(rel), "// edited").unwrap();
            assert_eq!(key(), first, "{rel} is not an input of chapter 1");
        }
        // Touching a file (a new time, the same bytes) changes nothing.
        let lib = root.join("crates/ch01-a/src/lib.rs");
        std::fs::write(&lib, "pub fn a() {}").unwrap();
        assert_eq!(key(), first);
        // Every real input changes the key.
        let mut seen = std::collections::BTreeSet::from([first]);
        for rel in [
            "crates/ch01-a/src/lib.rs",
            "crates/ch01-a/grading.toml",
            "crates/ch01-a/tests/new.rs",
            "crates/judge/src/chapters/ch01.rs",
            "crates/judge/src/grade.rs",
            "crates/judge/Cargo.toml",
            "crates/assign/src/student.rs",
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
        ] {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("// edited {rel}")).unwrap();
            assert!(seen.insert(key()), "editing {rel} left the key as it was");
        }
        let mut other = student();
        other.insert("README.md".into(), b"new statement".to_vec());
        assert!(
            seen.insert(
                input_key(&root, &ch, &other, Isolation::Bwrap).unwrap()
            )
        );
        assert!(seen.insert(
            input_key(&root, &ch, &student(), Isolation::None).unwrap()
        ));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_record_holds_only_its_own_key_and_can_be_forgotten() {
        let (root, ch) = workspace("records");
        let passed = Passed::under(&root.join("target"));
        assert!(!passed.holds(&ch, "k1"), "a clean target holds nothing");
        passed.record(&ch, "k1").unwrap();
        assert!(passed.holds(&ch, "k1"));
        assert!(!passed.holds(&ch, "k2"));
        let two = Chapter {
            nn: "02".into(),
            name: "ch02-b".into(),
            dir: root.join("crates/ch02-b"),
        };
        assert!(!passed.holds(&two, "k1"), "records are per chapter");
        passed.forget(&ch);
        assert!(!passed.holds(&ch, "k1"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
