//! Grading a folder of submissions: one CSV row and one report each,
//! written as each finishes, `jobs` at a time. No submission can stop the
//! batch: whatever happens to one becomes its row.

use crate::grade::Grader;
use crate::report::{Report, Status, csv_header, csv_row};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a batch's results go.
pub struct Outputs<'a> {
    /// The CSV file.
    pub csv: &'a Path,
    /// A folder for one report per student, if wanted.
    pub reports: Option<&'a Path>,
}

/// The submissions in `dir`: every entry, named by its folder name.
pub fn submissions(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    Ok(out)
}

/// A file name for `student`'s report that stays inside the folder.
fn report_name(student: &str) -> String {
    let safe: String = student
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}.txt", safe.trim_start_matches('.'))
}

/// Grades every submission in `dir` with `grader`, `jobs` at a time.
/// Returns the reports in folder order.
pub fn run(
    grader: &Grader,
    dir: &Path,
    out: &Outputs,
    jobs: usize,
    seed: u64,
) -> Result<Vec<Report>> {
    let subs = submissions(dir)?;
    let ids = grader.exercise_ids();
    let csv = Mutex::new(
        std::fs::File::create(out.csv)
            .with_context(|| format!("creating {}", out.csv.display()))?,
    );
    {
        let mut f = csv.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(csv_header(&ids).as_bytes())?;
        f.flush()?;
    }
    if let Some(r) = out.reports {
        std::fs::create_dir_all(r)?;
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Report>>> =
        Mutex::new(vec![None; subs.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((student, path)) = subs.get(i) else {
                        break;
                    };
                    let report = grade_one(grader, path, student);
                    eprintln!(
                        "judge: {student}: {} ({} / {})",
                        report.status.label(),
                        crate::report::round(report.total()),
                        crate::report::round(report.max())
                    );
                    if let Some(dir) = out.reports {
                        let _ = std::fs::write(
                            dir.join(report_name(student)),
                            report.text(),
                        );
                    }
                    if let Ok(mut f) = csv.lock() {
                        let _ = f
                            .write_all(csv_row(&report, &ids, seed).as_bytes());
                        let _ = f.flush();
                    }
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(report);
                    }
                }
            });
        }
    });
    Ok(results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect())
}

/// One submission, never failing: a problem of the judge's own becomes
/// the row's status.
fn grade_one(grader: &Grader, path: &Path, student: &str) -> Report {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    let report = if is_dir {
        grader.grade(path, student)
    } else {
        Err(anyhow::anyhow!("not a folder (a file or a link)"))
    };
    report.unwrap_or_else(|e| Report {
        student: student.to_string(),
        chapter: grader.chapter().name.clone(),
        status: Status::Rejected(format!("{e:#}")),
        exercises: Vec::new(),
        points: grader.points(),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_stay_in_their_folder() {
        assert_eq!(report_name("alice"), "alice.txt");
        assert_eq!(report_name("../../etc/x"), "_.._etc_x.txt");
        assert_eq!(report_name(".hidden"), "hidden.txt");
    }
}
