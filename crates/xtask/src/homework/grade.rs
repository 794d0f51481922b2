//! `cargo xtask grade`: score a student's crate.
//!
//! The submission folder is only read. Grading happens in a scratch copy
//! of the assignment (with the hidden tests) into which the student's
//! `src/` files are copied, so edited or deleted tests change nothing.
//! Every exercise test runs in its own process with a time limit; its
//! output is capped, so a panic, an endless loop or a flood of printing
//! costs that test and nothing else.

use super::assign::{self, Files, Options};
use super::{Chapter, find_chapter, solution_ids};
use crate::walk::files;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The warning every report carries.
pub const SAFETY: &str = "\
Student code runs with the grader's permissions: it can read and write \
your files and use the network like any program you start. Grade untrusted \
work inside a container, for example: docker run --rm --network none \
-v \"$PWD\":/book -v /path/to/submissions:/subs:ro -w /book rust:1 \
cargo xtask grade --batch /subs --csv /book/target/grades.csv";

/// How long one test may run, and how much of its output is kept.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub test_time: Duration,
    pub build_time: Duration,
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            test_time: Duration::from_secs(10),
            build_time: Duration::from_secs(600),
            output_bytes: 4096,
        }
    }
}

/// What happened to one test.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// An assertion failed; the message says which.
    Failed(String),
    /// Some other panic (`todo!`, `unwrap` on an error, an index out of
    /// bounds...) or a crash.
    Panicked(String),
    TimedOut,
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::Panicked(_) => "panicked",
            Outcome::TimedOut => "timed out",
        }
    }
    fn detail(&self) -> &str {
        match self {
            Outcome::Failed(m) | Outcome::Panicked(m) => m,
            _ => "",
        }
    }
}

/// One exercise's score.
#[derive(Debug, Clone)]
pub struct ExerciseScore {
    pub id: String,
    pub max: f64,
    pub points: f64,
    pub tests: Vec<(String, Outcome)>,
}

/// A whole submission's grade.
#[derive(Debug, Clone)]
pub struct Grade {
    pub submission: String,
    pub chapter: String,
    /// Set when nothing could run: the first compiler error, or why the
    /// submission could not be read.
    pub error: Option<String>,
    pub exercises: Vec<ExerciseScore>,
}

impl Grade {
    pub fn total(&self) -> f64 {
        // fold, not sum: an empty f64 sum is -0.0.
        self.exercises.iter().fold(0.0, |t, e| t + e.points)
    }
    pub fn max(&self) -> f64 {
        self.exercises.iter().fold(0.0, |t, e| t + e.max)
    }

    /// The report a teacher (or a student) reads.
    pub fn text(&self) -> String {
        let mut out =
            format!("Grading {} for {}\n", self.submission, self.chapter);
        if let Some(e) = &self.error {
            out.push_str(&format!("\nNOT GRADED, score 0: {e}\n"));
        }
        for ex in &self.exercises {
            let passed = ex
                .tests
                .iter()
                .filter(|(_, o)| *o == Outcome::Passed)
                .count();
            out.push_str(&format!(
                "\nExercise {}: {:.2} / {:.2} points ({passed} of {} tests passed)\n",
                ex.id,
                ex.points,
                ex.max,
                ex.tests.len()
            ));
            if ex.tests.is_empty() && self.error.is_none() {
                out.push_str("  no tests found for this exercise\n");
            }
            for (name, outcome) in &ex.tests {
                out.push_str(&format!("  {:<9} {name}\n", outcome.label()));
                let detail: String =
                    outcome.detail().chars().take(400).collect();
                for line in detail.lines().take(8) {
                    out.push_str(&format!("            {line}\n"));
                }
            }
        }
        out.push_str(&format!(
            "\nTotal: {:.2} / {:.2}\n\n{SAFETY}\n",
            self.total(),
            self.max()
        ));
        out
    }

    pub fn json(&self) -> Value {
        json!({
            "submission": self.submission,
            "chapter": self.chapter,
            "error": self.error,
            "total": self.total(),
            "max": self.max(),
            "exercises": self.exercises.iter().map(|e| json!({
                "id": e.id,
                "points": e.points,
                "max": e.max,
                "tests": e.tests.iter().map(|(n, o)| json!({
                    "name": n, "outcome": o.label(), "message": o.detail(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "warning": SAFETY,
        })
    }
}

/// Points per exercise from the chapter's `grading.toml` (`[points]`
/// table, `"3.1" = 2`); every exercise with a marked solution must be
/// listed there.
pub fn points(chapter: &Chapter) -> Result<BTreeMap<String, f64>> {
    let path = chapter.dir.join("grading.toml");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{} is missing: it gives each exercise its points",
            path.display()
        )
    })?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (id, v) in table
        .get("points")
        .and_then(|p| p.as_table())
        .into_iter()
        .flatten()
    {
        let p = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
        out.insert(
            id.clone(),
            p.with_context(|| {
                format!("{}: points for {id} must be a number", path.display())
            })?,
        );
    }
    let mut marked = Vec::new();
    for f in files(&chapter.dir.join("src")) {
        marked.extend(solution_ids(
            &std::fs::read_to_string(f).unwrap_or_default(),
        ));
    }
    for id in &marked {
        if !out.contains_key(id) {
            bail!(
                "{}: exercise {id} has a marked solution but no points",
                path.display()
            );
        }
    }
    for id in out.keys() {
        if !marked.contains(id) {
            bail!(
                "{}: exercise {id} has points but no marked solution in src/",
                path.display()
            );
        }
    }
    Ok(out)
}

/// The package name in a submission's `Cargo.toml`, to find its chapter.
fn submission_chapter(root: &Path, submission: &Path) -> Result<Chapter> {
    let manifest = submission.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "{} is missing: is this a student crate?",
            manifest.display()
        )
    })?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    let name = table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .with_context(|| {
            format!("{} has no package name", manifest.display())
        })?;
    find_chapter(root, name)
}

/// Output of a child process, capped, with how it ended.
struct Finished {
    output: String,
    success: bool,
    timed_out: bool,
}

/// Runs `cmd` with a time limit, keeping the first `cap` bytes of its
/// combined output and draining the rest.
fn run_limited(
    mut cmd: Command,
    limit: Duration,
    cap: usize,
) -> Result<Finished> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.process_group(0);
    let mut child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().context("no stdout")?),
        Box::new(child.stderr.take().context("no stderr")?),
    ];
    let (tx, rx) = std::sync::mpsc::channel();
    for mut pipe in pipes {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            let _ = tx.send(kept);
        });
    }
    drop(tx);
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (Some(status), false);
        }
        if start.elapsed() > limit {
            // Kill the whole process group: the test and anything it
            // started (`--` so the negative group id is not an option).
            let group = format!("-{}", child.id());
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &group])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // A grandchild that escaped the group could hold a pipe open: wait a
    // little for the readers, then go on without them.
    let mut output = Vec::new();
    for _ in 0..2 {
        match rx.recv_timeout(Duration::from_secs(2)) {
            Ok(kept) => output.extend(kept),
            Err(_) => break,
        }
    }
    let mut output = String::from_utf8_lossy(&output).into_owned();
    if output.len() >= cap {
        output.push_str("\n[output cut]");
    }
    Ok(Finished {
        output,
        success: status.is_some_and(|s| s.success()),
        timed_out,
    })
}

/// The panic message in a test's output.
fn panic_message(output: &str) -> Option<String> {
    let start = output.find("panicked at")?;
    let after = &output[start..];
    let body: Vec<&str> = after
        .lines()
        .skip(1)
        .take_while(|l| {
            !l.starts_with("note:")
                && !l.starts_with("stack backtrace")
                && !l.trim().is_empty()
        })
        .collect();
    Some(body.join("\n"))
}

fn classify(run: &Finished) -> Outcome {
    if run.timed_out {
        return Outcome::TimedOut;
    }
    if run.success {
        return Outcome::Passed;
    }
    match panic_message(&run.output) {
        Some(m) if m.contains("assertion") || m.starts_with("assert") => {
            Outcome::Failed(m)
        }
        Some(m) => Outcome::Panicked(m),
        None => {
            let tail: Vec<&str> = run.output.lines().rev().take(5).collect();
            Outcome::Panicked(format!(
                "the test process died without a panic message (a crash or stack overflow?): {}",
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            ))
        }
    }
}

/// The first compiler error in cargo's JSON messages.
fn first_compiler_error(json_lines: &str) -> Option<String> {
    json_lines.lines().find_map(|line| {
        let v: Value = serde_json::from_str(line).ok()?;
        if v.get("reason")?.as_str()? != "compiler-message" {
            return None;
        }
        let msg = v.get("message")?;
        if msg.get("level")?.as_str()? != "error" {
            return None;
        }
        msg.get("rendered")?.as_str().map(|s| s.to_string())
    })
}

/// The test executables cargo built, by target name.
fn test_executables(json_lines: &str) -> BTreeMap<String, PathBuf> {
    json_lines
        .lines()
        .filter_map(|line| {
            let v: Value = serde_json::from_str(line).ok()?;
            let exe = v.get("executable")?.as_str()?;
            let name = v.get("target")?.get("name")?.as_str()?;
            Some((name.to_string(), PathBuf::from(exe)))
        })
        .collect()
}

/// The student's source files: everything under `src/` (not tests, not
/// the manifest: those come from the assignment).
fn student_sources(submission: &Path) -> Result<Files> {
    let src = submission.join("src");
    if !src.is_dir() {
        bail!("{} has no src/ folder", submission.display());
    }
    let mut out = Files::new();
    for path in files(&src) {
        let rel = path.strip_prefix(submission)?.to_path_buf();
        let meta = std::fs::metadata(&path)?;
        if meta.len() > 1 << 20 {
            bail!("{} is larger than 1 MiB", rel.display());
        }
        out.insert(rel, std::fs::read(&path)?);
    }
    Ok(out)
}

/// Grades one submission in `scratch`, building into `target`.
pub fn grade(
    root: &Path,
    submission: &Path,
    chapter: Option<&Chapter>,
    scratch: &Path,
    target: &Path,
    limits: Limits,
) -> Result<Grade> {
    let label = submission.display().to_string();
    let chapter = match chapter {
        Some(c) => c.clone(),
        None => match submission_chapter(root, submission) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Grade {
                    submission: label,
                    chapter: "?".into(),
                    error: Some(format!("{e:#}")),
                    exercises: vec![],
                });
            }
        },
    };
    let points = points(&chapter)?;
    let mut grade = Grade {
        submission: label,
        chapter: chapter.name.clone(),
        error: None,
        exercises: points
            .iter()
            .map(|(id, &max)| ExerciseScore {
                id: id.clone(),
                max,
                points: 0.0,
                tests: vec![],
            })
            .collect(),
    };
    let mut crate_files =
        assign::student_crate(root, &chapter, Options { hidden_tests: true })?;
    match student_sources(submission) {
        Ok(src) => {
            // The student's files replace the assignment's; a file the
            // student lost keeps its assignment version (todo!() for the
            // exercises), so the rest of the work can still be graded.
            crate_files.extend(src);
        }
        Err(e) => {
            grade.error = Some(format!("{e:#}"));
            return Ok(grade);
        }
    }
    assign::write_files(scratch, &crate_files)?;
    let test_targets: Vec<String> = crate_files
        .keys()
        .filter(|p| p.parent() == Some(Path::new("tests")))
        .filter_map(|p| p.file_stem()?.to_str().map(String::from))
        .filter(|n| n == "exercises" || n.starts_with("hidden_"))
        .collect();
    let mut cmd =
        Command::new(std::env::var("CARGO").unwrap_or("cargo".into()));
    cmd.current_dir(scratch)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .args(["test", "--no-run", "--message-format=json"]);
    for t in &test_targets {
        cmd.args(["--test", t]);
    }
    let build = run_limited(cmd, limits.build_time, 16 << 20)?;
    if !build.success {
        grade.error = Some(match first_compiler_error(&build.output) {
            Some(e) => {
                format!("does not compile: {e}")
            }
            None if build.timed_out => {
                "compiling took longer than the limit".to_string()
            }
            None => format!(
                "cargo failed:\n{}",
                build.output.chars().take(2000).collect::<String>()
            ),
        });
        return Ok(grade);
    }
    let exes = test_executables(&build.output);
    for t in &test_targets {
        let Some(exe) = exes.get(t) else { continue };
        let mut list = Command::new(exe);
        list.args(["--list", "--format", "terse"])
            .current_dir(scratch);
        let listed = run_limited(list, limits.test_time, 1 << 20)?;
        for name in listed
            .output
            .lines()
            .filter_map(|l| l.strip_suffix(": test"))
        {
            let Some(ex) = grade.exercises.iter_mut().find(|e| {
                name.starts_with(&format!("ex_{}_", e.id.replace('.', "_")))
            }) else {
                continue;
            };
            let mut cmd = Command::new(exe);
            cmd.args(["--exact", name, "--test-threads", "1"])
                .current_dir(scratch)
                .env("RUST_BACKTRACE", "0");
            let run = run_limited(cmd, limits.test_time, limits.output_bytes)?;
            ex.tests.push((format!("{t}::{name}"), classify(&run)));
        }
    }
    for ex in &mut grade.exercises {
        let total = ex.tests.len();
        let passed = ex
            .tests
            .iter()
            .filter(|(_, o)| *o == Outcome::Passed)
            .count();
        if total > 0 {
            ex.points = ex.max * passed as f64 / total as f64;
        }
    }
    Ok(grade)
}

/// The one scratch folder every grading builds in, and the target folder
/// it builds into (the workspace's, so dependencies compiled for the book
/// are reused).
///
/// There must be only one scratch folder: cargo names a package's build
/// by its path relative to its workspace root, so two scratch folders
/// would share build slots and each could take the other's stale build
/// for fresh.
pub fn scratch_and_target(root: &Path) -> (PathBuf, PathBuf) {
    (root.join("target/grading/work"), root.join("target"))
}

/// One CSV row per grade, one column per exercise.
pub fn csv(grades: &[Grade]) -> String {
    let ids: Vec<String> = grades
        .iter()
        .flat_map(|g| g.exercises.iter().map(|e| e.id.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("submission,chapter,total,max");
    for id in &ids {
        out.push_str(&format!(",ex {id}"));
    }
    out.push_str(",status\n");
    for g in grades {
        out.push_str(&format!(
            "{},{},{:.2},{:.2}",
            quote(&g.submission),
            quote(&g.chapter),
            g.total(),
            g.max()
        ));
        for id in &ids {
            match g.exercises.iter().find(|e| &e.id == id) {
                Some(e) => out.push_str(&format!(",{:.2}", e.points)),
                None => out.push(','),
            }
        }
        let status = match &g.error {
            Some(e) => e.lines().next().unwrap_or("error").to_string(),
            None => "graded".to_string(),
        };
        out.push_str(&format!(",{}\n", quote(&status)));
    }
    out
}

/// `cargo xtask grade DIR [--json]` and
/// `cargo xtask grade --batch DIR --csv OUT [--json]`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut json_out = false;
    let mut batch = None;
    let mut csv_path = None;
    let mut single = None;
    let mut chapter = None;
    let mut limits = Limits::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = true,
            "--batch" => {
                batch = Some(PathBuf::from(
                    it.next().context("--batch takes a folder")?,
                ))
            }
            "--csv" => {
                csv_path = Some(PathBuf::from(
                    it.next().context("--csv takes a file")?,
                ))
            }
            "--chapter" => {
                chapter = Some(find_chapter(
                    root,
                    it.next().context("--chapter takes a chapter")?,
                )?)
            }
            "--timeout" => {
                let secs: u64 = it
                    .next()
                    .context("--timeout takes seconds")?
                    .parse()
                    .context("--timeout takes whole seconds")?;
                limits.test_time = Duration::from_secs(secs);
            }
            other if other.starts_with("--") => bail!("unknown flag {other}"),
            other => single = Some(PathBuf::from(other)),
        }
    }
    let (scratch, target) = scratch_and_target(root);
    let submissions: Vec<PathBuf> = match (&batch, &single) {
        (Some(dir), None) => {
            let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect();
            subs.sort();
            subs
        }
        (None, Some(one)) => vec![one.clone()],
        _ => bail!(
            "usage: cargo xtask grade DIR [--json] | cargo xtask grade --batch DIR --csv OUT [--json]"
        ),
    };
    // A batch is one assignment: take its chapter from the first
    // submission that names one, so a broken submission is still graded
    // out of the right total.
    if chapter.is_none() && submissions.len() > 1 {
        chapter = submissions
            .iter()
            .find_map(|s| submission_chapter(root, s).ok());
    }
    let mut grades = Vec::new();
    for sub in &submissions {
        let started = Instant::now();
        let g = grade(root, sub, chapter.as_ref(), &scratch, &target, limits)?;
        eprintln!(
            "graded {} in {:.1} s: {:.2} / {:.2}",
            sub.display(),
            started.elapsed().as_secs_f64(),
            g.total(),
            g.max()
        );
        grades.push(g);
    }
    if json_out {
        let v: Vec<Value> = grades.iter().map(Grade::json).collect();
        let v = if batch.is_some() {
            Value::Array(v)
        } else {
            v.into_iter().next().unwrap_or(Value::Null)
        };
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for g in &grades {
            println!("{}", g.text());
        }
    }
    if let Some(path) = csv_path {
        std::fs::write(&path, csv(&grades))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    } else if batch.is_some() {
        bail!("--batch needs --csv OUT");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assertion_failures_and_other_panics_are_told_apart() {
        let failed = Finished {
            output: "thread 'x' panicked at tests/e.rs:3:5:\nassertion `left == right` failed\n  left: 1\n right: 2\nnote: run with".into(),
            success: false,
            timed_out: false,
        };
        assert!(
            matches!(classify(&failed), Outcome::Failed(m) if m.contains("left: 1"))
        );
        let todo = Finished {
            output: "thread 'x' panicked at src/e.rs:9:5:\nnot yet implemented: ex 3.1: do it\n".into(),
            success: false,
            timed_out: false,
        };
        assert!(
            matches!(classify(&todo), Outcome::Panicked(m) if m.contains("ex 3.1"))
        );
    }

    #[test]
    fn a_runaway_process_is_stopped_and_its_output_capped() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "yes flood"]);
        let started = Instant::now();
        let run = run_limited(cmd, Duration::from_millis(300), 1000).unwrap();
        assert!(run.timed_out);
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(run.output.len() < 1100, "{}", run.output.len());
    }

    #[test]
    fn csv_has_one_row_per_submission() {
        let g = Grade {
            submission: "alice".into(),
            chapter: "ch03".into(),
            error: None,
            exercises: vec![ExerciseScore {
                id: "3.1".into(),
                max: 2.0,
                points: 1.0,
                tests: vec![],
            }],
        };
        assert_eq!(
            csv(&[g]),
            "submission,chapter,total,max,ex 3.1,status\n\"alice\",\"ch03\",1.00,2.00,1.00,\"graded\"\n"
        );
    }
}
