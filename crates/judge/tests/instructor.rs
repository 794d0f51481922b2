//! The instructor's workflow, graded for real on chapter 6: a class of
//! varied submissions in one batch (bubblewrap, a warm dependency cache).
//! Each test checks one promise of the CSV, the reports and the summary;
//! they share one batch, graded once.
//!
//! The tests that grade need bubblewrap: without it they print one
//! NOT RUN line and return (CI requires it); the rest always run.

use judge::batch::{self, Batch, Options, Outputs};
use judge::grade::{Grader, Scratch, Settings};
use judge::report::{Report, Status, csv_split};
use judge::sandbox::Isolation;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const SEED: u64 = 606;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn chapter() -> assign::Chapter {
    assign::find_chapter(&root(), "6").unwrap()
}

fn reference_src() -> String {
    std::fs::read_to_string(chapter().dir.join("src/exercises.rs")).unwrap()
}

/// A submission: the reference `src/` with `exercises.rs` replaced by
/// `code`, written at `dir/name` (a name of any bytes).
fn submission(dir: &Path, name: &[u8], code: &str) -> PathBuf {
    let d = dir.join(OsStr::from_bytes(name));
    std::fs::create_dir_all(d.join("src")).unwrap();
    for f in std::fs::read_dir(chapter().dir.join("src"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(f.path(), d.join("src").join(f.file_name())).unwrap();
    }
    std::fs::write(d.join("src/exercises.rs"), code).unwrap();
    d
}

/// The reference with one exercise's solution replaced by `body`.
fn with_solution(id: &str, body: &str) -> String {
    let src = reference_src();
    let start = src.find(&format!("// SOLUTION-START(ex {id})")).unwrap();
    let end = start + src[start..].find("// SOLUTION-END").unwrap();
    format!("{}{body}\n    {}", &src[..start], &src[end..])
}

/// The assignment as handed out, written at `dir/name`.
fn untouched(dir: &Path, name: &str) -> PathBuf {
    let files = assign::student::student_crate(
        &root(),
        &chapter(),
        assign::student::Options {
            hidden_tests: false,
        },
    )
    .unwrap();
    let d = dir.join(name);
    assign::student::write_files(&d, &files).unwrap();
    d
}

struct Class {
    dir: PathBuf,
    csv: PathBuf,
    reports: PathBuf,
    summary: PathBuf,
    batch: Batch,
    grader: Grader,
    /// The scratch folder the panicking grading made.
    panicked_in: PathBuf,
}

const LONG: usize = 140;

/// Starts test `test`, or says it passed before and returns `None`: its
/// record (`attn_common::record`) is keyed on this executable and on
/// chapter 6's files. While every test's record holds, the class is not
/// graded at all; where `CI` or `ATTN_NO_CACHE` is set, it always is.
fn remembered(test: &str) -> Option<attn_common::record::Pass> {
    // Without bubblewrap, class() says NOT RUN.
    let isolation = Isolation::detect().ok();
    judge::selfcheck::remembered(&root(), test, "6", isolation).unwrap()
}

/// The class, graded once for every test here (None without bubblewrap).
fn class() -> Option<&'static Class> {
    static CLASS: OnceLock<Option<Class>> = OnceLock::new();
    CLASS
        .get_or_init(|| {
            let isolation = Isolation::for_tests("instructor::class")?;
            Some(grade_class(isolation))
        })
        .as_ref()
}

/// The class lives in a static, which is never dropped: its folder and
/// its grader's scratch folder outlive the test process. The next run
/// removes those of runs whose process has ended.
fn remove_earlier_runs() {
    let tmp = std::env::temp_dir();
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("judge-instructor-") else {
            continue;
        };
        if pid.parse::<u32>().is_err() || Path::new("/proc").join(pid).exists()
        {
            continue;
        }
        let _ = std::fs::remove_dir_all(e.path());
        let run = format!("attn-judge-run-{pid}-");
        for f in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            if f.file_name().to_string_lossy().starts_with(&run) {
                let _ = std::fs::remove_dir_all(f.path());
            }
        }
    }
}

fn grade_class(isolation: Isolation) -> Class {
    remove_earlier_runs();
    let dir = std::env::temp_dir()
        .join(format!("judge-instructor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let subs = dir.join("submissions");
    std::fs::create_dir_all(&subs).unwrap();
    let honest = reference_src();
    // The same code as another's, laid out and commented differently.
    let reformatted = format!(
        "// my own work, honest\n{}",
        honest.replace("    ", "  ").replace('\n', "\n\n")
    );
    submission(&subs, b"copy-a", &with_solution("6.1", "    todo!()"));
    submission(
        &subs,
        b"copy-b",
        &format!("/* mine */\n{}", with_solution("6.1", "        todo!()")),
    );
    submission(&subs, b"reference-copy", &reformatted);
    submission(
        &subs,
        b"partial",
        &with_solution("6.3", "        todo!(\"ex 6.3: later\")"),
    );
    std::fs::create_dir_all(subs.join("no-src")).unwrap();
    untouched(&subs, "untouched");
    // A learning platform's zip: the crate two folders down.
    let nested = subs.join("nested");
    std::fs::create_dir_all(nested.join("student")).unwrap();
    submission(&nested.join("student"), b"hw06", &honest);
    // Names a spreadsheet, a file system or a report folder could trip on.
    for name in [
        &b"=HYPERLINK(\"x\",\"y\")"[..],
        b"a b",
        b"a_b",
        b".hidden",
        b"odd\xff",
        b"odd\xfe",
        &[b'l'; LONG][..],
    ] {
        submission(&subs, name, &honest);
    }
    submission(&subs, b"panics-the-judge", &honest);
    let grader = Grader::new(
        &root(),
        &chapter(),
        Settings {
            seed: SEED,
            timeout: 10,
            isolation,
        },
    )
    .unwrap();
    let panicked_in = std::sync::Mutex::new(PathBuf::new());
    let hook = |g: &Grader, path: &Path, student: &str| {
        if student == "panics-the-judge" {
            let scratch = Scratch::new("hook").unwrap();
            *panicked_in.lock().unwrap() = scratch.path().to_path_buf();
            let n: Vec<u8> = Vec::new();
            // An index out of range, as a judge bug would be.
            let _ = n[std::hint::black_box(3)];
        }
        g.grade(path, student)
    };
    let csv = dir.join("grades.csv");
    let reports = dir.join("reports");
    let summary = dir.join("summary.json");
    let batch = batch::run_with(
        &grader,
        &subs,
        &Outputs {
            csv: &csv,
            reports: Some(&reports),
        },
        &Options {
            summary: Some(&summary),
            grade: Some(&hook),
            ..Options::default()
        },
        2,
    )
    .unwrap();
    let panicked_in = panicked_in.into_inner().unwrap();
    Class {
        dir,
        csv,
        reports,
        summary,
        batch,
        grader,
        panicked_in,
    }
}

impl Class {
    fn report(&self, student: &str) -> &Report {
        self.batch
            .reports
            .iter()
            .find(|r| r.student == student)
            .unwrap_or_else(|| panic!("no report for {student}"))
    }

    fn similar(&self, student: &str) -> &str {
        let i = self
            .batch
            .reports
            .iter()
            .position(|r| r.student == student)
            .unwrap();
        &self.batch.similar[i]
    }

    /// The CSV's rows as fields, by student cell.
    fn rows(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(&self.csv)
            .unwrap()
            .lines()
            .skip(1)
            .map(csv_split)
            .collect()
    }

    fn row(&self, student: &str) -> Vec<String> {
        self.rows()
            .into_iter()
            .find(|r| r[0] == student)
            .unwrap_or_else(|| panic!("no row for {student}"))
    }
}

fn header() -> Vec<String> {
    let text =
        judge::report::csv_header(&["6.1".into(), "6.2".into(), "6.3".into()]);
    csv_split(text.trim_end())
}

fn col(name: &str) -> usize {
    header().iter().position(|h| h == name).unwrap()
}

#[test]
fn every_folder_gets_one_row_and_one_report_sorted_by_student() {
    let Some(_pass) = remembered(
        "instructor::every_folder_gets_one_row_and_one_report_sorted_by_student",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    let folders = std::fs::read_dir(c.dir.join("submissions"))
        .unwrap()
        .count();
    let rows = c.rows();
    assert_eq!(rows.len(), folders);
    let students: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
    let mut sorted = students.clone();
    sorted.sort();
    assert_eq!(students, sorted, "rows are sorted by student");
    let mut unique = students.clone();
    unique.dedup();
    assert_eq!(unique.len(), folders, "{students:?}");
    let reports = std::fs::read_dir(&c.reports).unwrap().count();
    assert_eq!(reports, folders, "one report per folder");
    assert!(!c.csv.with_extension("csv.partial").exists());
}

#[test]
fn formula_like_colliding_and_hidden_names_each_get_one_safe_row() {
    let Some(_pass) = remembered(
        "instructor::formula_like_colliding_and_hidden_names_each_get_one_safe_row",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    let formula = c.row("'=HYPERLINK(\"x\",\"y\")");
    assert_eq!(formula[col("status")], "graded");
    let raw = std::fs::read_to_string(&c.csv).unwrap();
    assert!(
        raw.lines().all(|l| !l.starts_with('=')),
        "a row starts a formula:\n{raw}"
    );
    assert_eq!(c.row("a b")[col("status")], "graded");
    assert_eq!(c.row("a_b")[col("status")], "graded");
    let hidden = c.row(".hidden");
    assert!(
        hidden[col("status")].contains("starts with '.'"),
        "{hidden:?}"
    );
    for odd in ["odd\\xfe", "odd\\xff"] {
        assert!(c.row(odd)[col("status")].contains("not UTF-8"), "{odd}");
    }
    let long = c.row(&"l".repeat(LONG));
    assert!(long[col("status")].contains("longer than"), "{long:?}");
    for f in std::fs::read_dir(&c.reports).unwrap().flatten() {
        let name = f.file_name().into_string().unwrap();
        assert!(name.len() <= 80 && !name.starts_with('.'), "{name}");
    }
}

#[test]
fn a_rejected_row_has_empty_scores_and_says_why() {
    let Some(_pass) =
        remembered("instructor::a_rejected_row_has_empty_scores_and_says_why")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let row = c.row("no-src");
    assert!(row[col("status")].starts_with("rejected: "), "{row:?}");
    for cell in ["ex 6.1", "ex 6.2", "ex 6.3", "total"] {
        assert_eq!(row[col(cell)], "", "{cell} of {row:?}");
    }
    assert_eq!(row[col("max")], "10");
    assert_eq!(row[col("seed")], SEED.to_string());
}

#[test]
fn an_untouched_copy_is_unchanged_in_a_few_lines() {
    let Some(_pass) =
        remembered("instructor::an_untouched_copy_is_unchanged_in_a_few_lines")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let r = c.report("untouched");
    assert_eq!(r.status, Status::Unchanged);
    let text = r.text();
    assert!(text.lines().count() <= 8, "{text}");
    assert!(!text.contains("FAILED"), "{text}");
    let row = c.row("untouched");
    assert_eq!(row[col("status")], "unchanged");
    assert_eq!(row[col("total")], "");
}

#[test]
fn an_exercise_left_as_todo_is_not_attempted_in_one_line() {
    let Some(_pass) = remembered(
        "instructor::an_exercise_left_as_todo_is_not_attempted_in_one_line",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    let r = c.report("partial");
    assert_eq!(r.status, Status::Graded);
    let text = r.text();
    assert!(
        text.contains("Exercise 6.3: 0 / 4 points: not attempted"),
        "{text}"
    );
    assert!(!text.contains("FAILED"), "{text}");
    assert_eq!(r.total(), 6.0, "{text}");
    assert!(text.lines().count() <= 12, "{text}");
}

#[test]
fn repeated_failures_collapse_into_one_line_per_category() {
    let Some(_pass) = remembered(
        "instructor::repeated_failures_collapse_into_one_line_per_category",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    // copy-a's 6.1 is a bare todo!() (not the assignment's): every check
    // of 6.1 fails, reported one line per category.
    let text = c.report("copy-a").text();
    let failed: Vec<&str> =
        text.lines().filter(|l| l.contains("FAILED")).collect();
    // Every check of 6.1 crashed the same way: one line says so.
    assert_eq!(failed.len(), 1, "{text}");
    assert!(failed[0].contains("22 checks: panicked"), "{text}");
    assert!(text.lines().count() <= 12, "{text}");
}

#[test]
fn a_nested_crate_is_graded_with_a_note() {
    let Some(_pass) =
        remembered("instructor::a_nested_crate_is_graded_with_a_note")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let r = c.report("nested");
    assert_eq!(r.status, Status::Graded, "{}", r.text());
    assert_eq!(r.total(), 10.0, "{}", r.text());
    assert!(
        r.notes.iter().any(|n| n.contains("student/hw06")),
        "{:?}",
        r.notes
    );
}

#[test]
fn identical_and_reference_identical_submissions_are_flagged() {
    let Some(_pass) = remembered(
        "instructor::identical_and_reference_identical_submissions_are_flagged",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    assert_eq!(c.similar("copy-a"), "same as copy-b");
    assert_eq!(c.similar("copy-b"), "same as copy-a");
    assert!(
        c.similar("reference-copy")
            .contains("the reference solution"),
        "{}",
        c.similar("reference-copy")
    );
    assert_eq!(c.similar("partial"), "");
    assert_eq!(c.row("copy-a")[col("similar")], "same as copy-b");
}

#[test]
fn a_judge_panic_becomes_a_row_and_the_batch_goes_on() {
    let Some(_pass) = remembered(
        "instructor::a_judge_panic_becomes_a_row_and_the_batch_goes_on",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    let row = c.row("panics-the-judge");
    assert_eq!(row[col("status")], "rejected: judge error");
    assert_eq!(row[col("total")], "");
    assert!(
        !c.panicked_in.as_os_str().is_empty(),
        "the hook did not run"
    );
    assert!(
        !c.panicked_in.exists(),
        "the panicking grading's scratch folder was left behind"
    );
    // Graded after it, in order: the batch went on.
    assert_eq!(c.row("reference-copy")[col("status")], "graded");
}

#[test]
fn the_summary_counts_and_rates_the_class() {
    let Some(_pass) =
        remembered("instructor::the_summary_counts_and_rates_the_class")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&c.summary).unwrap())
            .unwrap();
    assert_eq!(s["count"], c.batch.reports.len());
    let scored: Vec<f64> = c
        .batch
        .reports
        .iter()
        .filter(|r| r.status.scored())
        .map(|r| r.total())
        .collect();
    assert_eq!(s["scored"], scored.len());
    let mean = scored.iter().sum::<f64>() / scored.len() as f64;
    assert!((s["mean"].as_f64().unwrap() - mean).abs() < 0.006, "{s}");
    let full_63 = c
        .batch
        .reports
        .iter()
        .filter(|r| r.status.scored() && r.points_for("6.3") == 4.0)
        .count();
    assert_eq!(s["exercises"][2]["full_marks"], full_63, "{s}");
    assert_eq!(s["seed"], SEED.to_string());
}

#[test]
fn a_batch_never_overwrites_a_csv_without_force() {
    let Some(_pass) =
        remembered("instructor::a_batch_never_overwrites_a_csv_without_force")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let before = std::fs::read_to_string(&c.csv).unwrap();
    let err = batch::run_with(
        &c.grader,
        &c.dir.join("submissions"),
        &Outputs {
            csv: &c.csv,
            reports: None,
        },
        &Options::default(),
        1,
    )
    .err()
    .expect("a second batch into the same CSV must refuse");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&c.csv).unwrap(), before);
}

#[test]
fn a_regrade_of_one_student_keeps_the_seed_and_replaces_only_that_row() {
    let Some(_pass) = remembered(
        "instructor::a_regrade_of_one_student_keeps_the_seed_and_replaces_only_that_row",
    ) else {
        return;
    };
    let Some(c) = class() else { return };
    let csv = c.dir.join("regrade.csv");
    std::fs::copy(&c.csv, &csv).unwrap();
    let before = std::fs::read_to_string(&csv).unwrap();
    // The late student hands in a finished 6.3.
    let late = c.dir.join("late");
    std::fs::create_dir_all(&late).unwrap();
    for f in std::fs::read_dir(c.dir.join("submissions"))
        .unwrap()
        .flatten()
    {
        let to = late.join(f.file_name());
        if f.file_name() == "partial" {
            submission(&late, b"partial", &reference_src());
        } else {
            std::fs::create_dir_all(&to).unwrap();
        }
    }
    assert_eq!(batch::seed_of_csv(&csv).unwrap(), SEED);
    let done = batch::run_with(
        &c.grader,
        &late,
        &Outputs {
            csv: &csv,
            reports: None,
        },
        &Options {
            only: Some("partial"),
            ..Options::default()
        },
        1,
    )
    .unwrap();
    assert_eq!(done.reports.len(), 1);
    let after = std::fs::read_to_string(&csv).unwrap();
    let (b, a): (Vec<&str>, Vec<&str>) =
        (before.lines().collect(), after.lines().collect());
    assert_eq!(a.len(), b.len());
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert_eq!(changed.len(), 1, "{before}\n---\n{after}");
    let row = csv_split(a[changed[0]]);
    assert_eq!(row[0], "partial");
    assert_eq!(row[col("total")], "10");
    assert_eq!(row[col("seed")], SEED.to_string());
    assert_eq!(batch::seed_of_csv(&csv).unwrap(), SEED);
}

#[test]
fn a_regrade_with_another_seed_is_refused() {
    let Some(_pass) =
        remembered("instructor::a_regrade_with_another_seed_is_refused")
    else {
        return;
    };
    let Some(c) = class() else { return };
    let Some(isolation) = Isolation::for_tests("instructor::other_seed") else {
        return;
    };
    let other = Grader::new(
        &root(),
        &chapter(),
        Settings {
            seed: SEED + 1,
            timeout: 10,
            isolation,
        },
    )
    .unwrap();
    let csv = c.dir.join("other-seed.csv");
    std::fs::copy(&c.csv, &csv).unwrap();
    let err = batch::run_with(
        &other,
        &c.dir.join("submissions"),
        &Outputs {
            csv: &csv,
            reports: None,
        },
        &Options {
            only: Some("partial"),
            ..Options::default()
        },
        1,
    )
    .err()
    .expect("a regrade must use the CSV's seed");
    assert!(err.to_string().contains(&SEED.to_string()), "{err}");
}

/// A copy of the workspace's chapter crates, shared code and records
/// (enough to prepare a grader), in a fresh folder.
fn copy_of_workspace(tag: &str) -> PathBuf {
    let to = std::env::temp_dir()
        .join(format!("judge-ws-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(to.join("crates/judge")).unwrap();
    let root = root();
    for f in ["Cargo.toml", "Cargo.lock", "book.toml"] {
        std::fs::copy(root.join(f), to.join(f)).unwrap();
    }
    std::fs::copy(
        root.join(judge::committed::LOCK),
        to.join(judge::committed::LOCK),
    )
    .unwrap();
    // The book's text, not its figures (5 MB that grading never reads).
    let mut dirs: Vec<String> = std::fs::read_dir(root.join("book"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "figures")
        .map(|name| format!("book/{name}"))
        .collect();
    std::fs::create_dir_all(to.join("book")).unwrap();
    dirs.extend(["crates/attn-common".into(), "crates/xtask".into()]);
    for ch in assign::all_chapters(&root).unwrap() {
        dirs.push(format!("crates/{}", ch.name));
    }
    for d in dirs {
        let ok = std::process::Command::new("cp")
            .args(["-a"])
            .arg(root.join(&d))
            .arg(to.join(&d).parent().unwrap())
            .status()
            .unwrap()
            .success();
        assert!(ok, "copying {d}");
    }
    to
}

#[test]
fn the_committed_record_matches_the_chapter_crates() {
    let root = root();
    let recorded =
        std::fs::read_to_string(root.join(judge::committed::LOCK)).unwrap();
    assert_eq!(
        recorded,
        judge::committed::lock_text(&root).unwrap(),
        "crates/judge/references.lock is stale: after an intended change \
         to a chapter's code, run `cargo xtask grade --lock-references` and \
         commit it"
    );
}

#[test]
fn a_modified_reference_in_the_working_tree_is_never_graded_against() {
    let ws = copy_of_workspace("modified");
    let ch = assign::find_chapter(&ws, "6").unwrap();
    // As the copy is, the reference is the committed one.
    assert_eq!(
        judge::committed::differences(&ws, std::slice::from_ref(&ch.name))
            .unwrap(),
        Vec::<String>::new()
    );
    // A learner keeps the markers around a buggy attempt.
    let file = ch.dir.join("src/exercises.rs");
    let src = std::fs::read_to_string(&file).unwrap();
    let start = src.find("// SOLUTION-START(ex 6.1)").unwrap();
    let end = start + src[start..].find("// SOLUTION-END").unwrap();
    let buggy = format!(
        "{}// SOLUTION-START(ex 6.1)\n    todo!()\n    {}",
        &src[..start],
        &src[end..]
    );
    std::fs::write(&file, buggy).unwrap();
    let diff =
        judge::committed::differences(&ws, std::slice::from_ref(&ch.name))
            .unwrap();
    assert_eq!(
        diff,
        [format!("crates/{}/src/exercises.rs (changed)", ch.name)]
    );
    // A chapter that uses chapter 6's code is refused too; one that does
    // not is not.
    let seven = assign::find_chapter(&ws, "7").unwrap();
    let uses_six = std::fs::read_to_string(seven.dir.join("Cargo.toml"))
        .unwrap()
        .contains("ch06");
    let diff7 = judge::committed::differences(
        &ws,
        &[seven.name.clone(), ch.name.clone()][..if uses_six { 2 } else { 1 }],
    )
    .unwrap();
    assert_eq!(diff7.is_empty(), !uses_six);
    // Preparing a grader refuses, naming the file and the way back.
    let err = Grader::new(
        &ws,
        &ch,
        Settings {
            seed: SEED,
            timeout: 10,
            isolation: Isolation::None,
        },
    )
    .err()
    .expect("a grader must refuse a modified reference")
    .to_string();
    assert!(err.contains("src/exercises.rs (changed)"), "{err}");
    assert!(err.contains("git checkout"), "{err}");
    let _ = std::fs::remove_dir_all(&ws);
}
