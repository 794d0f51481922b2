//! Grading one submission: a fresh scratch folder with the assignment and
//! the student's `src/`, a sandboxed build, and the chapter's checks asked
//! of the runner and compared with the reference.
//!
//! Nothing here is shared between gradings but the dependency cache, which
//! a grading only reads (under a shared lock) and copies; it is written
//! only under an exclusive lock, by building the unmodified assignment.

use crate::chapters::{self, Reference};
use crate::check::{Check, Gate, Oracle};
use crate::intake;
use crate::report::{CheckResult, ExerciseResult, Report, Status};
use crate::runner::{self, Runner, Toolchain};
use crate::sandbox::{self, Isolation};
use anyhow::{Context, Result, bail};
use assign::Chapter;
use assign::student::{Files, Options};
use std::collections::BTreeMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

/// The time every assignment file is stamped with, so that the cached
/// builds of the (unchanged) vendored crates stay fresh; the student's
/// files are stamped now, so the chapter crate is always rebuilt.
const STAMP: u64 = 1_000_000_000;

/// Settings for a grading run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The seed of the hidden cases.
    pub seed: u64,
    /// Seconds per runner call.
    pub timeout: u64,
    /// Sandbox or not.
    pub isolation: Isolation,
}

/// A chapter, ready to grade submissions against.
pub struct Grader {
    chapter: Chapter,
    settings: Settings,
    toolchain: Toolchain,
    /// The assignment with the runner, as written for each submission.
    template: Files,
    points: BTreeMap<String, f64>,
    checks: Vec<Check>,
    reference: Reference,
    /// The shared dependency cache (a cargo target folder) and its lock.
    cache: PathBuf,
    lock: PathBuf,
    /// This run's own scratch folder.
    scratch: Scratch,
    /// The [`fingerprint`] of the assignment's `src/` as handed out.
    assignment_print: u64,
    /// The [`fingerprint`] of the reference solution's `src/`.
    reference_print: u64,
}

fn stamp(path: &Path, secs: u64) -> Result<()> {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    let f = File::options().write(true).open(path)?;
    f.set_times(std::fs::FileTimes::new().set_modified(t).set_accessed(t))?;
    Ok(())
}

/// Writes `files` under `dir` with every modification time set to `secs`.
fn write_stamped(dir: &Path, files: &Files, secs: Option<u64>) -> Result<()> {
    for (rel, bytes) in files {
        if stopping() {
            bail!("the judge is stopping");
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        if let Some(s) = secs {
            stamp(&path, s)?;
        }
    }
    Ok(())
}

/// A key for the dependency cache: everything that goes into a build of
/// any assignment (every crate's sources, the lock file, the toolchain).
fn cache_key(root: &Path, tc: &Toolchain) -> Result<String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // How the judge builds (incremental, which runner) is part of the key.
    runner::BUILD_VERSION.hash(&mut h);
    tc.sysroot.hash(&mut h);
    std::fs::read(root.join("Cargo.lock"))?.hash(&mut h);
    std::fs::read(root.join("Cargo.toml"))?.hash(&mut h);
    // Only the crates an assignment can contain: the chapters and the
    // shared code (not the tools).
    for f in assign::walk::files(&root.join("crates")) {
        let rel = f.strip_prefix(root)?;
        let s = rel.to_string_lossy();
        let assignable =
            s.starts_with("crates/ch") || s.starts_with("crates/attn-common/");
        if assignable && (s.contains("/src/") || s.ends_with("Cargo.toml")) {
            s.hash(&mut h);
            std::fs::read(&f)?.hash(&mut h);
        }
    }
    Ok(format!("{:016x}", h.finish()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if stopping() {
        bail!("the judge is stopping");
    }
    let ok = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()?
        .success();
    if !ok {
        bail!("copying {} to {}", from.display(), to.display());
    }
    Ok(())
}

fn chown_tree(dir: &Path, uid: u32) -> Result<()> {
    if !sandbox::is_root() {
        return Ok(());
    }
    let ok = std::process::Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(dir)
        .status()?
        .success();
    if !ok {
        bail!("chown {}", dir.display());
    }
    Ok(())
}

/// A fresh folder of this process's own under the system's temp folder.
pub fn fresh_dir(tag: &str) -> Result<PathBuf> {
    static N: AtomicU32 = AtomicU32::new(0);
    loop {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)?
            .subsec_nanos();
        let d = std::env::temp_dir().join(format!(
            "attn-judge-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::create_dir(&d) {
            Ok(()) => {
                use std::os::unix::fs::PermissionsExt;
                // Readable (not writable) by the sandbox's own user.
                std::fs::set_permissions(
                    &d,
                    std::fs::Permissions::from_mode(0o755),
                )?;
                return Ok(d);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
    }
}

impl Grader {
    /// Prepares `chapter`: its checks, its reference, the assignment with
    /// the runner, and the dependency cache (built if missing).
    pub fn new(
        root: &Path,
        chapter: &Chapter,
        settings: Settings,
    ) -> Result<Grader> {
        let (checks, reference) = chapters::suite(&chapter.nn, settings.seed)
            .with_context(|| {
            format!("the judge knows no chapter {}", chapter.nn)
        })?;
        let points = assign::points(chapter)?;
        for c in &checks {
            if !points.contains_key(&c.exercise) {
                bail!(
                    "{}: a check for exercise {} has no points in grading.toml",
                    chapter.name,
                    c.exercise
                );
            }
        }
        for id in points.keys() {
            if !checks.iter().any(|c| &c.exercise == id) {
                bail!(
                    "{}: exercise {id} has points but no checks",
                    chapter.name
                );
            }
        }
        let toolchain = Toolchain::find()?;
        let mut template = assign::student::student_crate(
            root,
            chapter,
            Options {
                hidden_tests: false,
            },
        )?;
        // Only what the build needs: the tests and examples stay out.
        template.retain(|rel, _| {
            !rel.starts_with("tests") && !rel.starts_with("examples")
        });
        let (code, manifest_tail) = runner::runner_files(&chapter.name);
        template.insert("judge-runner/main.rs".into(), code.into_bytes());
        let manifest = template
            .get_mut(Path::new("Cargo.toml"))
            .context("the assignment has no Cargo.toml")?;
        manifest.extend_from_slice(manifest_tail.as_bytes());
        // The cache lives with the build products: under CARGO_TARGET_DIR
        // when it is set (a read-only book in a container), else target/.
        let judge_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("judge");
        std::fs::create_dir_all(&judge_dir)?;
        let key = cache_key(root, &toolchain)?;
        let cache = judge_dir.join(format!("cache-{key}"));
        let lock = judge_dir.join("cache.lock");
        crate::committed::verify(root, &template)?;
        let scratch = Scratch::new("run")?;
        let assignment_print = fingerprint(
            &template
                .iter()
                .filter(|(rel, _)| rel.starts_with("src"))
                .map(|(rel, b)| (rel.clone(), b.clone()))
                .collect(),
        );
        let mut solution = BTreeMap::new();
        for f in assign::walk::files(&chapter.dir.join("src")) {
            let rel = f.strip_prefix(&chapter.dir)?.to_path_buf();
            solution.insert(rel, std::fs::read(&f)?);
        }
        let reference_print = fingerprint(&solution);
        let mut grader = Grader {
            chapter: chapter.clone(),
            settings,
            toolchain,
            template,
            points,
            checks,
            reference,
            cache,
            lock,
            scratch,
            assignment_print,
            reference_print,
        };
        grader.prune_lock_file()?;
        grader.warm_cache()?;
        Ok(grader)
    }

    /// The exercise ids, in order.
    pub fn exercise_ids(&self) -> Vec<String> {
        self.points.keys().cloned().collect()
    }

    /// Every exercise with its points.
    pub fn points(&self) -> Vec<(String, f64)> {
        self.points.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// The chapter being graded.
    pub fn chapter(&self) -> &Chapter {
        &self.chapter
    }

    /// The seed of the hidden cases.
    pub fn seed(&self) -> u64 {
        self.settings.seed
    }

    /// The [`fingerprint`] of the assignment's `src/` as handed out.
    pub fn assignment_fingerprint(&self) -> u64 {
        self.assignment_print
    }

    /// The [`fingerprint`] of the reference solution's `src/`.
    pub fn reference_fingerprint(&self) -> u64 {
        self.reference_print
    }

    /// The assignment's lock file holds the whole book's packages; cargo
    /// with `--locked` wants exactly the assignment's. Let cargo prune it
    /// once, offline, from the assignment's manifests (trusted files).
    fn prune_lock_file(&mut self) -> Result<()> {
        let dir = self.scratch.path().join("lock");
        write_stamped(&dir, &self.template, None)?;
        assign::student::prune_lock(&dir)?;
        let lock = std::fs::read(dir.join("Cargo.lock"))?;
        self.template.insert("Cargo.lock".into(), lock);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// Builds the unmodified assignment into the shared cache, under an
    /// exclusive lock, unless it is already there.
    fn warm_cache(&self) -> Result<()> {
        let marker = self.cache.join(format!(".ready-{}", self.chapter.name));
        {
            let f = File::create(&self.lock)?;
            f.lock_shared()?;
            if marker.exists() {
                return Ok(());
            }
        }
        let f = File::create(&self.lock)?;
        f.lock()?;
        if marker.exists() {
            return Ok(());
        }
        // Other keys' caches are for other states of the book's sources.
        // One untouched for a day is no longer in use by any grader: remove
        // it (a grader still running keeps its own cache fresh, below).
        if let Some(parent) = self.cache.parent() {
            let day = Duration::from_secs(24 * 3600);
            for e in std::fs::read_dir(parent)?.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let old = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > day);
                if name.starts_with("cache-") && e.path() != self.cache && old {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        eprintln!(
            "judge: building {}'s dependencies once (cached for later gradings)",
            self.chapter.name
        );
        let crate_dir = self.scratch.path().join("template");
        write_stamped(&crate_dir, &self.template, Some(STAMP))?;
        std::fs::create_dir_all(&self.cache)?;
        let slot = sandbox::SandboxBox::take()?;
        chown_tree(&self.cache, slot.uid)?;
        let built = runner::build(
            &self.toolchain,
            &crate_dir,
            &self.cache,
            &runner::build_limits(slot.uid),
            self.settings.isolation,
        )?;
        // Back to the judge: no later sandbox with that uid may change it.
        chown_tree(&self.cache, 0)?;
        if let Err(errors) = built {
            bail!(
                "the unmodified assignment of {} does not build in the sandbox:\n{errors}",
                self.chapter.name
            );
        }
        std::fs::remove_dir_all(&crate_dir)?;
        File::create(&marker)?;
        Ok(())
    }

    /// Grades the submission in folder `submission`, for `student`. A
    /// submission whose `src/` is the assignment's as handed out is
    /// [`Status::Unchanged`] and is not built.
    pub fn grade(&self, submission: &Path, student: &str) -> Result<Report> {
        self.grade_with(submission, student, true)
    }

    /// Grades `submission` even when it is the assignment as handed out
    /// (`check-exercises` proves that such a copy builds and fails).
    pub fn grade_even_if_unchanged(
        &self,
        submission: &Path,
        student: &str,
    ) -> Result<Report> {
        self.grade_with(submission, student, false)
    }

    fn grade_with(
        &self,
        submission: &Path,
        student: &str,
        detect_unchanged: bool,
    ) -> Result<Report> {
        let mut report = Report::new(
            student,
            &self.chapter.name,
            self.points(),
            self.settings.seed,
        );
        let nested = nested_crate(submission);
        let submission = match &nested {
            Some(inner) => {
                let rel = inner.strip_prefix(submission).unwrap_or(inner);
                report.note(&format!(
                    "graded the crate in `{}`: the folder handed in holds no \
                     src/ of its own, and exactly one crate below it",
                    rel.display()
                ));
                inner.as_path()
            }
            None => submission,
        };
        if let Some(other) = other_chapter(submission, &self.chapter) {
            report.status = Status::Rejected(format!(
                "this is a {other} crate, and this grading is for {}",
                self.chapter.name
            ));
            return Ok(report);
        }
        let intake = match intake::read(submission) {
            Ok(i) => i,
            Err(e) => {
                report.status = Status::Rejected(format!("{e:#}"));
                return Ok(report);
            }
        };
        for n in &intake.notes {
            report.note(n);
        }
        report.fingerprint = Some(fingerprint(&intake.files));
        if detect_unchanged && report.fingerprint == Some(self.assignment_print)
        {
            report.status = Status::Unchanged;
            return Ok(report);
        }
        if let Some(theirs) = &intake.manifest {
            let ours = self.template.get(Path::new("Cargo.toml"));
            let (_, tail) = runner::runner_files(&self.chapter.name);
            let ours = ours.map(|m| &m[..m.len() - tail.len()]);
            if ours != Some(theirs.as_slice()) {
                report.note(
                    "your Cargo.toml differs from the assignment's: it is \
                     ignored, with any dependency or setting it adds; only \
                     src/ is graded",
                );
            }
        }
        // Removed when this grading ends, however it ends (an error, a
        // panic caught by the batch, or an interruption: see [`Scratch`]).
        let dir = Scratch::new("sub")?;
        self.grade_in(dir.path(), &intake, &mut report)?;
        // An exercise that earned nothing and still holds the assignment's
        // `todo!()` was not attempted: say so instead of listing checks.
        for e in &mut report.exercises {
            let todo = format!("todo!(\"ex {}:", e.id);
            e.not_attempted = e.points == 0.0
                && intake
                    .files
                    .values()
                    .any(|b| String::from_utf8_lossy(b).contains(&todo));
        }
        Ok(report)
    }

    fn grade_in(
        &self,
        dir: &Path,
        intake: &intake::Intake,
        report: &mut Report,
    ) -> Result<()> {
        let deadline = runner::submission_deadline();
        let crate_dir = dir.join("crate");
        let target = dir.join("target");
        write_stamped(&crate_dir, &self.template, Some(STAMP))?;
        // The student's files over the assignment's; the wire to the judge
        // (answer.rs, the runner) stays the assignment's.
        let mut theirs = intake.files.clone();
        theirs.remove(Path::new("src/answer.rs"));
        write_stamped(&crate_dir, &theirs, None)?;
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)?
            .as_secs();
        stamp(&crate_dir.join("src/answer.rs"), now)?;
        std::fs::create_dir_all(&target)?;
        // Built when this grader started; built again if it has gone.
        self.warm_cache()?;
        let clock = std::time::Instant::now();
        let timing = std::env::var_os("JUDGE_TIMING").is_some();
        {
            let f = File::create(&self.lock)?;
            f.lock_shared()?;
            copy_tree(&self.cache, &target)?;
            // In use: keep it from looking a day old to another grader.
            let _ = File::open(&self.cache)
                .and_then(|d| d.set_modified(SystemTime::now()));
        }
        let slot = sandbox::SandboxBox::take()?;
        let uid = slot.uid;
        chown_tree(&target, uid)?;
        let built = runner::build(
            &self.toolchain,
            &crate_dir,
            &target,
            &runner::build_limits(uid),
            self.settings.isolation,
        )?;
        if timing {
            eprintln!("judge: copy and build {:?}", clock.elapsed());
        }
        match built {
            Ok(()) => {}
            Err(runner::BuildError::Compiler(errors)) => {
                report.status = Status::DoesNotCompile(errors);
                return Ok(());
            }
            Err(timed_out) => {
                report.status = Status::Rejected(timed_out.to_string());
                return Ok(());
            }
        }
        let mut rng = attn_common::rng::SplitMix64::new(
            self.settings.seed
                ^ SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)?
                    .as_nanos() as u64,
        );
        let mut oracle = Runner::new(
            runner::binary(&target)?,
            runner::call_limits(uid, self.settings.timeout),
            self.settings.isolation,
            &mut rng,
        )
        .with_deadline(deadline);
        report.exercises = self.judge(&mut oracle)?;
        if oracle.out_of_time() {
            report.status = Status::Rejected(format!(
                "time limit: the whole grading took more than {} s",
                runner::submission_seconds()
            ));
        }
        if timing {
            eprintln!(
                "judge: {} calls, done at {:?}",
                oracle.calls,
                clock.elapsed()
            );
        }
        Ok(())
    }

    /// Runs every check against `oracle` and scores the exercises.
    pub fn judge(
        &self,
        oracle: &mut dyn Oracle,
    ) -> Result<Vec<ExerciseResult>> {
        let mut reference = runner::Reference(self.reference);
        let mut by_id: BTreeMap<String, Vec<CheckResult>> = BTreeMap::new();
        // Which exercises matched the reference on real cases.
        let mut gate = Gate::default();
        for check in &self.checks {
            let failure = gate.run(check, oracle, &mut reference)?;
            by_id.entry(check.exercise.clone()).or_default().push(
                CheckResult {
                    name: check.name.clone(),
                    failure,
                },
            );
        }
        Ok(self
            .points
            .iter()
            .map(|(id, max)| {
                let checks = by_id.remove(id).unwrap_or_default();
                let passed =
                    checks.iter().filter(|c| c.failure.is_none()).count();
                // Refusing bad input, or keeping a property, is part of
                // the work only when good input is answered right (see
                // `Gate`): trivial answers earn nothing.
                let points = if checks.is_empty() || !gate.open(id) {
                    0.0
                } else {
                    max * passed as f64 / checks.len() as f64
                };
                ExerciseResult {
                    id: id.clone(),
                    max: *max,
                    points,
                    checks,
                    not_attempted: false,
                }
            })
            .collect())
    }
}

/// Scratch folders alive in this process, so that an interruption can
/// remove them (see [`remove_all_scratch`]), and whether the process is
/// stopping (then no new one is made).
static LIVE: std::sync::Mutex<(bool, Vec<PathBuf>)> =
    std::sync::Mutex::new((false, Vec::new()));

/// Marks the judge as stopping: no scratch folder is made from now on.
pub fn set_stopping() {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).0 = true;
}

/// Whether the judge was interrupted and is removing its scratch folders:
/// a grading still running stops writing.
pub fn stopping() -> bool {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).0
}

/// A fresh scratch folder (see [`fresh_dir`]) that is removed when dropped
/// (on return, on error and on a panic that unwinds), and by
/// [`remove_all_scratch`] when the judge is interrupted.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// A new scratch folder, its name tagged `tag`.
    pub fn new(tag: &str) -> Result<Scratch> {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if live.0 {
            bail!("the judge is stopping");
        }
        let dir = fresh_dir(tag)?;
        live.1.push(dir.clone());
        Ok(Scratch(dir))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        remove_tree(&self.0);
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .retain(|d| d != &self.0);
    }
}

/// Removes `dir`; files the sandbox's own user created in folders it
/// made read-only are made writable first.
fn remove_tree(dir: &Path) {
    if std::fs::remove_dir_all(dir).is_err() && dir.exists() {
        let _ = std::process::Command::new("chmod")
            .args(["-R", "u+rwX"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Removes every scratch folder still alive in this process, and makes
/// no new one: what an interrupted judge does before it exits. The
/// sandboxes still running (each a process group of its own, a child of
/// this process) are killed first, since they write into those folders;
/// a grading still writing (it checks [`stopping`] between files) may
/// recreate a folder for a moment, so the removal is done three times,
/// 200 ms apart.
pub fn remove_all_scratch() {
    let dirs = {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        live.0 = true;
        live.1.clone()
    };
    for pass in 0..3 {
        kill_children();
        if pass > 0 {
            std::thread::sleep(Duration::from_millis(200));
        }
        for d in &dirs {
            remove_tree(d);
        }
    }
}

/// Kills this process's children: each sandbox (a process group of its
/// own) as a group, and the helpers it runs itself (`cp`, `chown`).
fn kill_children() {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for e in entries.flatten() {
        let Some(pid) =
            e.file_name().to_str().and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: the name may hold spaces.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ppid = fields.get(1).and_then(|f| f.parse::<u32>().ok());
        let pgrp = fields.get(2).and_then(|f| f.parse::<u32>().ok());
        if ppid != Some(me) {
            continue;
        }
        if pgrp == Some(pid) {
            sandbox::kill_group(pid);
        } else {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// The crate inside `submission` when `submission` holds no `src/` and no
/// `Cargo.toml` itself but exactly one folder below it (at most four levels
/// down, never through a link) holds a `src/` folder: a learning platform
/// that zipped `student/hw06/src` hands in `student`.
pub fn nested_crate(submission: &Path) -> Option<PathBuf> {
    let is_dir =
        |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if !is_dir(submission)
        || std::fs::symlink_metadata(submission.join("src")).is_ok()
        || std::fs::symlink_metadata(submission.join("Cargo.toml")).is_ok()
    {
        return None;
    }
    let mut found = Vec::new();
    let mut stack = vec![(submission.to_path_buf(), 0)];
    let mut seen = 0;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            seen += 1;
            // A folder of thousands of entries is not a zipped crate.
            if seen > 10_000 || found.len() > 1 {
                return None;
            }
            let path = e.path();
            if !is_dir(&path) || e.file_name() == "target" {
                continue;
            }
            if is_dir(&path.join("src")) {
                found.push(path);
            } else if depth < 3 {
                stack.push((path, depth + 1));
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

/// A fingerprint of a crate's `src/` files that ignores whitespace and
/// comments: equal for two submissions that differ only in layout and
/// comments (the batch's `similar` column, and [`Status::Unchanged`]).
pub fn fingerprint(files: &BTreeMap<PathBuf, Vec<u8>>) -> u64 {
    let mut h = crate::committed::Fnv::new();
    for (rel, bytes) in files {
        if rel.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        h.write(rel.to_string_lossy().as_bytes());
        h.write(&[0]);
        h.write(code_only(&String::from_utf8_lossy(bytes)).as_bytes());
        h.write(&[0]);
    }
    h.finish()
}

/// Rust source without its comments and whitespace (inside string
/// literals too; a `//` in a string is not taken for a comment).
pub fn code_only(src: &str) -> String {
    let mut out = String::new();
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut depth = 1;
                while depth > 0 {
                    match chars.next() {
                        Some('*') if chars.peek() == Some(&'/') => {
                            chars.next();
                            depth -= 1;
                        }
                        Some('/') if chars.peek() == Some(&'*') => {
                            chars.next();
                            depth += 1;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            '"' => {
                out.push(c);
                while let Some(c) = chars.next() {
                    if !c.is_whitespace() {
                        out.push(c);
                    }
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            out.push(n);
                        }
                    } else if c == '"' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The chapter a submission says it is, when that is another chapter.
fn other_chapter(submission: &Path, chapter: &Chapter) -> Option<String> {
    let text = String::from_utf8(intake::manifest(submission)?).ok()?;
    let table: toml::Table = text.parse().ok()?;
    let name = table.get("package")?.get("name")?.as_str()?;
    let nn = name.strip_prefix("ch")?.get(..2)?;
    (nn.chars().all(|c| c.is_ascii_digit()) && nn != chapter.nn)
        .then(|| name.chars().take(60).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_only_drops_comments_and_whitespace_but_not_code() {
        let a = "fn f() -> &'static str {\n    // a comment\n    \"http://x y\" /* b /* nested */ */\n}\n";
        let b = "fn f()->&'static str{\"http://x  y\"}";
        assert_eq!(code_only(a), code_only(b));
        assert_ne!(
            code_only(a),
            code_only("fn f() -> &'static str { \"http:\" }")
        );
        let files = |code: &str| {
            let mut m = BTreeMap::new();
            m.insert(PathBuf::from("src/lib.rs"), code.as_bytes().to_vec());
            m
        };
        assert_eq!(fingerprint(&files(a)), fingerprint(&files(b)));
        assert_ne!(fingerprint(&files(a)), fingerprint(&files("fn g() {}")));
    }
}
