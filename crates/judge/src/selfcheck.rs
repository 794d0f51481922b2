//! `cargo xtask check-exercises`: every chapter's homework works, through
//! the same judge and sandbox the students get.
//!
//! For each chapter with marked solutions: the student copy holds no
//! solution line; graded as handed out (every solution a `todo!()`), it
//! builds and fails every check; grading leaves the submission folder as it
//! was; and the chapter's own sources, graded as a submission, score full
//! marks.

use crate::grade::{Grader, Settings, fresh_dir};
use crate::sandbox::Isolation;
use anyhow::{Result, bail};
use assign::student::{Options, student_crate, write_files};
use assign::walk::files;
use assign::{all_chapters, find_chapter, solution_ids};
use std::path::Path;

/// The seed of the self-check's hidden cases: fixed, so CI is repeatable.
pub const SEED: u64 = 2026;

fn contents(dir: &Path) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    files(dir)
        .into_iter()
        .map(|p| Ok((p.clone(), std::fs::read(&p)?)))
        .collect()
}

/// Runs the self-check over every chapter (or `only` one).
pub fn run(
    root: &Path,
    only: Option<&str>,
    isolation: Isolation,
) -> Result<()> {
    let only = only.map(|c| find_chapter(root, c)).transpose()?;
    let mut problems = Vec::new();
    let mut checked = 0;
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
        let student = student_crate(
            root,
            &chapter,
            Options {
                hidden_tests: false,
            },
        )?;
        for leak in assign::leaks::leaked_solution_lines(root, &student)? {
            problems.push(format!("{name}: the student copy leaks {leak}"));
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
