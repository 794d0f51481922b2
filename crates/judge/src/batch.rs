//! Grading a folder of submissions: one CSV row and one report each,
//! `jobs` at a time. No submission can stop the batch: whatever happens to
//! one (a rejection, a time limit, even a failure or a panic of the judge
//! itself) becomes its row, and every folder gets exactly one row.
//!
//! The CSV is written when the batch ends, sorted by student (rows are
//! also appended to `OUT.partial` as each submission finishes, so an
//! interrupted batch keeps what it graded). A batch never overwrites a
//! CSV without `--force`; `--only NAME` regrades one student into an
//! existing CSV, with that CSV's seed, replacing only that row.

use crate::committed::Fnv;
use crate::grade::{Grader, fingerprint, nested_crate};
use crate::intake;
use crate::report::{
    Report, Status, csv_header, csv_row, csv_split, printable, round,
};
use anyhow::{Context, Result, bail};
use attn_common::answer::{Value, json};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest folder name graded, in bytes: longer names get a row
/// saying so (their report could not be named after them).
pub const MAX_NAME: usize = 100;

/// Where a batch's results go.
#[derive(Debug)]
pub struct Outputs<'a> {
    /// The CSV file.
    pub csv: &'a Path,
    /// A folder for one report per student, if wanted.
    pub reports: Option<&'a Path>,
}

/// How one submission is graded: [`Grader::grade`] unless a test puts in
/// another (to prove that a failing or panicking judge stops nothing).
pub type GradeFn<'f> =
    dyn Fn(&Grader, &Path, &str) -> Result<Report> + Sync + 'f;

/// What a batch grades, and how it treats what is there.
#[derive(Default)]
pub struct Options<'a> {
    /// Grades one submission instead of [`Grader::grade`] (tests only).
    pub grade: Option<&'a GradeFn<'a>>,
    /// A file for the batch's summary as JSON, if wanted.
    pub summary: Option<&'a Path>,
    /// Overwrite an existing CSV.
    pub force: bool,
    /// Grade only this folder, into the existing CSV (`--only NAME`).
    pub only: Option<&'a str>,
    /// Grade only share `i` of `n` (1-based): `--shard I/N`.
    pub shard: Option<(u64, u64)>,
}

/// One entry of the submissions folder.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The folder's name as it is on disk.
    pub raw: OsString,
    /// The student as shown in the CSV and reports: the name, with bytes
    /// that are not UTF-8 written `\xNN` and control characters escaped,
    /// so two different names never show the same.
    pub student: String,
    /// The entry.
    pub path: PathBuf,
    /// Why it is not graded, when it is not (a hidden or too long name).
    pub skip: Option<String>,
}

/// A folder name as printable text: UTF-8 parts as they are (control
/// characters escaped), other bytes as `\xNN`.
pub fn display_name(raw: &std::ffi::OsStr) -> String {
    let mut out = String::new();
    for chunk in raw.as_bytes().utf8_chunks() {
        out.push_str(&printable(chunk.valid(), usize::MAX));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The submissions in `dir`: every entry, hidden ones too (they get a row
/// saying why they are not graded), sorted by name.
pub fn submissions(dir: &Path) -> Result<Vec<Submission>> {
    let mut out: Vec<Submission> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| {
            let raw = e.file_name();
            let bytes = raw.as_bytes();
            let skip = if bytes.starts_with(b".") {
                Some(
                    "the folder's name starts with '.', which hides it: \
                     rename it to grade it"
                        .to_string(),
                )
            } else if bytes.len() > MAX_NAME {
                Some(format!(
                    "the folder's name is longer than {MAX_NAME} bytes: \
                     rename it to grade it"
                ))
            } else if std::str::from_utf8(bytes).is_err() {
                Some(
                    "the folder's name is not UTF-8 text: rename it to \
                     grade it"
                        .to_string(),
                )
            } else {
                None
            };
            Submission {
                student: display_name(&raw),
                raw,
                path: e.path(),
                skip,
            }
        })
        .collect();
    out.sort_by(|a, b| a.raw.as_bytes().cmp(b.raw.as_bytes()));
    Ok(out)
}

/// A stable hash of a folder name (shards, report names).
fn name_hash(raw: &std::ffi::OsStr) -> u64 {
    let mut h = Fnv::new();
    h.write(raw.as_bytes());
    h.finish()
}

/// Whether `sub` is in shard `i` of `n` (1-based): decided by its name
/// alone, so every runner of a CI matrix agrees without talking.
pub fn in_shard(sub: &Submission, (i, n): (u64, u64)) -> bool {
    name_hash(&sub.raw) % n == i - 1
}

/// A report file name for each submission: the name itself when it is
/// plain (letters, digits, `-`, `_`, `.`, `@`, not starting with `.`),
/// else a plain version of it with a short hash of the real name, so that
/// two names never share a report ("a b" and "a_b"), whatever their bytes
/// or length. Unique within the batch, case-insensitively too.
pub fn report_names(subs: &[Submission]) -> Vec<String> {
    let mut used = std::collections::BTreeSet::new();
    subs.iter()
        .map(|s| {
            let raw = String::from_utf8_lossy(s.raw.as_bytes());
            let safe: String = raw
                .chars()
                .take(60)
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let safe = match safe.strip_prefix('.') {
                Some(rest) => format!("_{rest}"),
                None => safe,
            };
            let mut name = if safe == raw {
                safe.clone()
            } else {
                format!("{safe}-{:08x}", name_hash(&s.raw) as u32)
            };
            let mut n = 2;
            while !used.insert(name.to_lowercase()) {
                name = format!("{safe}-{:08x}-{n}", name_hash(&s.raw) as u32);
                n += 1;
            }
            format!("{name}.txt")
        })
        .collect()
}

/// The seed of an existing batch CSV (every row holds it).
pub fn seed_of_csv(csv: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(csv)
        .with_context(|| format!("reading {}", csv.display()))?;
    let mut lines = text.lines();
    let header = csv_split(lines.next().unwrap_or_default());
    let col = header
        .iter()
        .position(|h| h == "seed")
        .context("the CSV has no seed column")?;
    let seeds: std::collections::BTreeSet<String> = lines
        .map(|l| csv_split(l).get(col).cloned().unwrap_or_default())
        .collect();
    match seeds.len() {
        1 => seeds
            .first()
            .and_then(|s| s.parse().ok())
            .context("the CSV's seed is not a number"),
        0 => bail!("{} has no rows to take a seed from", csv.display()),
        _ => bail!("{}'s rows have different seeds", csv.display()),
    }
}

/// What a batch gives back: each submission's report and `similar` cell,
/// in the order of the sorted folder.
pub struct Batch {
    /// Reports, sorted by student.
    pub reports: Vec<Report>,
    /// The `similar` cell of each.
    pub similar: Vec<String>,
}

/// Grades every submission in `dir` into a new CSV (see [`run_with`]),
/// `jobs` at a time, with `grader`'s seed; returns the reports, sorted.
pub fn run(
    grader: &Grader,
    dir: &Path,
    out: &Outputs,
    jobs: usize,
    seed: u64,
) -> Result<Vec<Report>> {
    if seed != grader.seed() {
        bail!("the batch's seed is its grader's ({})", grader.seed());
    }
    Ok(run_with(grader, dir, out, &Options::default(), jobs)?.reports)
}

/// Grades the submissions in `dir` with `grader`, `jobs` at a time, as
/// `opts` says: all of them, one shard, or one student into an existing
/// CSV.
pub fn run_with(
    grader: &Grader,
    dir: &Path,
    out: &Outputs,
    opts: &Options,
    jobs: usize,
) -> Result<Batch> {
    install_interrupt_cleanup();
    if let Some((i, n)) = opts.shard
        && (n == 0 || i == 0 || i > n)
    {
        bail!("--shard I/N needs 1 <= I <= N (got {i}/{n})");
    }
    let all = submissions(dir)?;
    let names = report_names(&all);
    let existing = out.csv.exists();
    if opts.only.is_none() && existing && !opts.force {
        bail!(
            "{} already exists: a batch does not overwrite it (pass --force \
             to, or --only NAME to regrade one student into it)",
            out.csv.display()
        );
    }
    let ids = grader.exercise_ids();
    let picked: Vec<usize> = (0..all.len())
        .filter(|&i| match (opts.only, opts.shard) {
            (Some(only), _) => all[i].raw.as_bytes() == only.as_bytes(),
            (None, Some(shard)) => in_shard(&all[i], shard),
            (None, None) => true,
        })
        .collect();
    if let Some(only) = opts.only {
        if !existing {
            bail!(
                "--only {only} regrades into an existing CSV, and {} does not exist",
                out.csv.display()
            );
        }
        if picked.is_empty() {
            bail!("there is no folder `{only}` in {}", dir.display());
        }
        let seed = seed_of_csv(out.csv)?;
        if seed != grader.seed() {
            bail!("--only must grade with the CSV's seed {seed}");
        }
    }
    if let Some(r) = out.reports {
        std::fs::create_dir_all(r)?;
    }
    let partial = partial_path(out.csv);
    if opts.only.is_none() {
        std::fs::write(&partial, csv_header(&ids))
            .with_context(|| format!("creating {}", partial.display()))?;
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<usize, Report>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = picked.get(k) else {
                        break;
                    };
                    let sub = &all[i];
                    if crate::grade::stopping() {
                        break;
                    }
                    let report = grade_one(grader, sub, opts.grade);
                    // Interrupted while it was graded: its row would only
                    // say so; it is left for the next batch.
                    if crate::grade::stopping() {
                        break;
                    }
                    eprintln!(
                        "judge: {}: {} ({} / {})",
                        sub.student,
                        report.status.label(),
                        round(report.total()),
                        round(report.max())
                    );
                    if let Some(dir) = out.reports {
                        let path = dir.join(&names[i]);
                        if let Err(e) = std::fs::write(&path, report.text()) {
                            eprintln!("judge: writing {}: {e}", path.display());
                        }
                    }
                    if opts.only.is_none()
                        && let Ok(mut f) = std::fs::OpenOptions::new()
                            .append(true)
                            .open(&partial)
                    {
                        let _ =
                            f.write_all(csv_row(&report, &ids, "").as_bytes());
                    }
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(i, report);
                }
            });
        }
    });
    if crate::grade::stopping() {
        // Every grading has stopped: nothing can recreate a folder now.
        crate::grade::remove_all_scratch();
        bail!(
            "interrupted: the rows graded before are in {}",
            partial.display()
        );
    }
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // Every picked folder has its report (a thread that died would leave a
    // hole: that too becomes a row).
    for &i in &picked {
        results.entry(i).or_insert_with(|| {
            rejected(grader, &all[i].student, "judge error".into())
        });
    }
    let prints = similarity_prints(grader, &all, &results);
    let similar: BTreeMap<usize, String> = results
        .keys()
        .map(|&i| {
            (
                i,
                similar_cell(i, &all, &prints, grader.reference_fingerprint()),
            )
        })
        .collect();
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    if opts.only.is_some() {
        // Keep every other row exactly as it was.
        let text = std::fs::read_to_string(out.csv)?;
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        if format!("{header}\n") != csv_header(&ids) {
            bail!(
                "{}'s columns are not this chapter's: regrade into the CSV \
                 the batch wrote",
                out.csv.display()
            );
        }
        for l in lines {
            let student = csv_split(l).into_iter().next().unwrap_or_default();
            rows.insert(student, format!("{l}\n"));
        }
    }
    for (i, r) in &results {
        let cell = crate::report::csv_field(&r.student);
        let key = csv_split(&cell).into_iter().next().unwrap_or_default();
        rows.insert(key, csv_row(r, &ids, &similar[i]));
    }
    let mut text = csv_header(&ids);
    for row in rows.values() {
        text.push_str(row);
    }
    let tmp = out.csv.with_extension("csv.tmp");
    std::fs::write(&tmp, &text)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out.csv)?;
    let _ = std::fs::remove_file(&partial);
    let (reports, similar): (Vec<Report>, Vec<String>) = results
        .into_iter()
        .map(|(i, r)| (r, similar.get(&i).cloned().unwrap_or_default()))
        .unzip();
    let batch = Batch { reports, similar };
    let summary = summary(&batch, &ids);
    eprint!("{}", summary_text(&summary));
    if let Some(path) = opts.summary {
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(batch)
}

fn partial_path(csv: &Path) -> PathBuf {
    let mut name = csv.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    csv.with_file_name(name)
}

/// A report with no scores, for `student`, saying `why`.
fn rejected(grader: &Grader, student: &str, why: String) -> Report {
    let mut r = Report::new(
        student,
        &grader.chapter().name,
        grader.points(),
        grader.seed(),
    );
    r.status = Status::Rejected(why);
    r
}

/// An error from grading as a row's status: a deadline passed is
/// `time limit` (an error that is a [`TimeLimit`], or whose message says
/// "time limit" or "deadline"); anything else is `judge error`, with the
/// details for the instructor on stderr, not in the student's report.
pub fn status_of_error(student: &str, e: &anyhow::Error) -> String {
    let timed_out = e.chain().any(|c| {
        c.downcast_ref::<TimeLimit>().is_some() || {
            let m = c.to_string().to_lowercase();
            m.contains("time limit") || m.contains("deadline")
        }
    });
    if timed_out {
        "time limit".into()
    } else if crate::grade::stopping() {
        // Interrupted: this row is not kept, and the error is only that.
        "interrupted".into()
    } else {
        eprintln!("judge: {student}: judge error: {e:#}");
        "judge error".into()
    }
}

/// The error a grading returns when a submission's deadline passes; the
/// batch turns it into `rejected: time limit`.
#[derive(Debug)]
pub struct TimeLimit(pub String);

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "time limit: {}", self.0)
    }
}

impl std::error::Error for TimeLimit {}

/// One submission, never failing and never panicking: a rejection, an
/// error or a panic of the judge's own becomes the row's status (the
/// grading's scratch folder is removed as the panic unwinds).
pub fn grade_one(
    grader: &Grader,
    sub: &Submission,
    grade: Option<&GradeFn<'_>>,
) -> Report {
    if let Some(why) = &sub.skip {
        return rejected(grader, &sub.student, why.clone());
    }
    let is_dir = std::fs::symlink_metadata(&sub.path).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return rejected(
            grader,
            &sub.student,
            "not a folder (a file or a link)".into(),
        );
    }
    let graded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(
            || match grade {
                Some(f) => f(grader, &sub.path, &sub.student),
                None => grader.grade(&sub.path, &sub.student),
            },
        ));
    match graded {
        Ok(Ok(report)) => report,
        Ok(Err(e)) => {
            let why = status_of_error(&sub.student, &e);
            rejected(grader, &sub.student, why)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("judge: {}: the judge panicked: {what}", sub.student);
            rejected(grader, &sub.student, "judge error".into())
        }
    }
}

/// The fingerprint of every picked submission's `src/` (from its report,
/// or read again for one that was not built), and the reference's.
fn similarity_prints(
    grader: &Grader,
    all: &[Submission],
    results: &BTreeMap<usize, Report>,
) -> BTreeMap<usize, u64> {
    let mut prints = BTreeMap::new();
    for (i, sub) in all.iter().enumerate() {
        if sub.skip.is_some() {
            continue;
        }
        if let Some(r) = results.get(&i) {
            // An untouched copy is identical to every other: it says so in
            // its status, not in the similar column.
            if r.status == Status::Unchanged {
                continue;
            }
            if let Some(p) = r.fingerprint {
                prints.insert(i, p);
                continue;
            }
            if matches!(r.status, Status::Rejected(_)) {
                continue;
            }
        }
        let path = nested_crate(&sub.path).unwrap_or_else(|| sub.path.clone());
        if let Ok(intake) = intake::read(&path) {
            let p = fingerprint(&intake.files);
            if p != grader.assignment_fingerprint() {
                prints.insert(i, p);
            }
        }
    }
    prints
}

/// The `similar` cell of submission `i`: the reference solution and the
/// other students whose code is the same once whitespace and comments are
/// removed.
fn similar_cell(
    i: usize,
    all: &[Submission],
    prints: &BTreeMap<usize, u64>,
    reference: u64,
) -> String {
    let Some(mine) = prints.get(&i) else {
        return String::new();
    };
    let mut same: Vec<String> = Vec::new();
    if *mine == reference {
        same.push("the reference solution".into());
    }
    for (j, p) in prints {
        if *j != i && p == mine {
            same.push(all[*j].student.clone());
        }
    }
    if same.is_empty() {
        String::new()
    } else {
        format!("same as {}", same.join("; "))
    }
}

/// The batch's summary: how many, how they went, and per exercise how
/// many submissions earned its full points.
pub fn summary(batch: &Batch, ids: &[String]) -> Value {
    let scored: Vec<&Report> =
        batch.reports.iter().filter(|r| r.status.scored()).collect();
    let mut totals: Vec<f64> = scored.iter().map(|r| r.total()).collect();
    totals.sort_by(f64::total_cmp);
    let mean = (!totals.is_empty())
        .then(|| round(totals.iter().sum::<f64>() / totals.len() as f64));
    let median = (!totals.is_empty()).then(|| {
        let n = totals.len();
        round(if n % 2 == 1 {
            totals[n / 2]
        } else {
            (totals[n / 2 - 1] + totals[n / 2]) / 2.0
        })
    });
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for r in &batch.reports {
        let key = match &r.status {
            Status::Rejected(_) => "rejected".to_string(),
            other => other.label(),
        };
        *statuses.entry(key).or_default() += 1;
    }
    let exercises: Vec<Value> = ids
        .iter()
        .map(|id| {
            let full = scored
                .iter()
                .filter(|r| {
                    r.exercises.iter().any(|e| {
                        &e.id == id && e.points >= e.max && e.max > 0.0
                    })
                })
                .count();
            json!({
                "id": id,
                "full_marks": full,
                "pass_rate": (!scored.is_empty())
                    .then(|| round(full as f64 / scored.len() as f64)),
            })
        })
        .collect();
    let flagged = batch.similar.iter().filter(|s| !s.is_empty()).count();
    json!({
        "count": batch.reports.len(),
        "scored": scored.len(),
        "statuses": statuses,
        "max": batch.reports.first().map(|r| round(r.max())),
        "mean": mean,
        "median": median,
        "exercises": exercises,
        "similar": flagged,
        "seed": batch.reports.first().map(|r| r.seed.to_string()),
    })
}

/// The summary as the lines printed at the end of a batch.
pub fn summary_text(s: &Value) -> String {
    let num = |v: &Value| match v.as_f64() {
        Some(x) => round(x).to_string(),
        None => "-".into(),
    };
    let mut t = format!(
        "summary: {} submissions, {} with a score; mean {}, median {} of {}\n",
        s["count"],
        s["scored"],
        num(&s["mean"]),
        num(&s["median"]),
        num(&s["max"]),
    );
    if let Some(map) = s["statuses"].as_object() {
        let parts: Vec<String> =
            map.iter().map(|(k, v)| format!("{k} {v}")).collect();
        t.push_str(&format!("  status: {}\n", parts.join(", ")));
    }
    for e in s["exercises"].as_array().into_iter().flatten() {
        let rate = e["pass_rate"]
            .as_f64()
            .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0));
        t.push_str(&format!(
            "  exercise {}: full marks {} ({rate})\n",
            e["id"].as_str().unwrap_or_default(),
            e["full_marks"]
        ));
    }
    if s["similar"].as_u64().unwrap_or(0) > 0 {
        t.push_str(&format!(
            "  {} submission(s) flagged in the similar column\n",
            s["similar"]
        ));
    }
    t
}

/// On SIGINT or SIGTERM: remove every scratch folder, say so, and exit
/// (130 or 143, as a shell does). The sandboxes die with the judge
/// (`--die-with-parent`). Installed once per process.
pub fn install_interrupt_cleanup() {
    use std::io::Read;
    use std::os::fd::IntoRawFd;
    use std::sync::atomic::AtomicI32;
    static FD: AtomicI32 = AtomicI32::new(-1);
    static ONCE: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }
    extern "C" fn on_signal(sig: i32) {
        // Only async-signal-safe work here: one write to a socket that a
        // thread of ours reads.
        let b = sig as u8;
        // SAFETY: `write` with a valid one-byte buffer; a closed or unset
        // descriptor only makes it fail.
        unsafe {
            write(FD.load(Ordering::Relaxed), &b, 1);
        }
    }
    ONCE.call_once(|| {
        let Ok((tx, mut rx)) = std::os::unix::net::UnixStream::pair() else {
            return;
        };
        FD.store(tx.into_raw_fd(), Ordering::Relaxed);
        let spawned = std::thread::Builder::new()
            .name("interrupt".into())
            .spawn(move || {
                let mut b = [0u8; 1];
                if rx.read_exact(&mut b).is_ok() {
                    crate::grade::set_stopping();
                    eprintln!(
                        "judge: interrupted: removing scratch folders and \
                         stopping (the rows graded so far are in the \
                         CSV's .partial file)"
                    );
                    crate::grade::remove_all_scratch();
                    std::process::exit(128 + i32::from(b[0]));
                }
            });
        if spawned.is_ok() {
            const SIGINT: i32 = 2;
            const SIGTERM: i32 = 15;
            // SAFETY: installs a handler that only calls `write`.
            unsafe {
                signal(SIGINT, on_signal as *const () as usize);
                signal(SIGTERM, on_signal as *const () as usize);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(raw: &[u8]) -> Submission {
        let raw = OsString::from(std::ffi::OsStr::from_bytes(raw));
        Submission {
            student: display_name(&raw),
            path: PathBuf::from("x"),
            skip: None,
            raw,
        }
    }

    #[test]
    fn report_names_are_safe_and_unique() {
        let subs: Vec<Submission> = [
            &b"alice"[..],
            b"a b",
            b"a_b",
            b"A_B",
            b"../../etc/x",
            b".hidden",
            b"x\xff",
            b"x\xfe",
            b"=cmd|' /C calc'!A0",
            &[b'y'; 300],
        ]
        .iter()
        .map(|r| sub(r))
        .collect();
        let names = report_names(&subs);
        assert_eq!(names[0], "alice.txt");
        let set: std::collections::BTreeSet<String> =
            names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(set.len(), names.len(), "{names:?}");
        for n in &names {
            assert!(!n.starts_with('.') && !n.contains('/'), "{n}");
            assert!(n.len() <= 80, "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)),
                "{n}"
            );
        }
    }

    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        assert_eq!(display_name(&sub(b"x\xff").raw), "x\\xff");
        assert_ne!(
            display_name(&sub(b"x\xff").raw),
            display_name(&sub(b"x\xfe").raw)
        );
        assert_eq!(display_name(&sub(b"a\nb").raw), "a\\u{a}b");
    }

    #[test]
    fn a_deadline_becomes_time_limit_and_anything_else_judge_error() {
        let deadline = anyhow::Error::new(TimeLimit("build".into()))
            .context("grading alice");
        assert_eq!(status_of_error("alice", &deadline), "time limit");
        let said = anyhow::anyhow!("the submission's deadline passed");
        assert_eq!(status_of_error("bob", &said), "time limit");
        let other = anyhow::anyhow!("No space left on device");
        assert_eq!(status_of_error("carol", &other), "judge error");
    }

    #[test]
    fn shards_split_a_class_exactly() {
        let subs: Vec<Submission> =
            (0..50).map(|i| sub(format!("s{i}").as_bytes())).collect();
        for n in 1..5u64 {
            for s in &subs {
                let owners = (1..=n).filter(|&i| in_shard(s, (i, n))).count();
                assert_eq!(owners, 1);
            }
        }
    }
}
