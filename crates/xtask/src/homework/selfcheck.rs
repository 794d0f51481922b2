//! `cargo xtask check-exercises`: every chapter's homework works.
//!
//! For each chapter with marked solutions: the student copy holds no
//! solution text and compiles; graded as it is, every exercise scores 0
//! (its tests fail before it is solved); and the chapter's own sources,
//! graded as a submission, score full marks.

use super::assign::{self, Options};
use super::grade::{self, Limits};
use super::{all_chapters, solution_ids};
use crate::walk::files;
use anyhow::{Result, bail};
use std::collections::BTreeSet;
use std::path::Path;

/// Lines that occur only inside solution regions of `code` (trimmed,
/// long enough to be distinctive).
fn solution_only_lines(code: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut inside, mut outside) = (BTreeSet::new(), BTreeSet::new());
    let mut in_solution = false;
    for line in code.lines() {
        let t = line.trim();
        if t.starts_with("// SOLUTION-START") {
            in_solution = true;
        } else if t == "// SOLUTION-END" {
            in_solution = false;
        } else if in_solution {
            inside.insert(t.to_string());
        } else {
            outside.insert(t.to_string());
        }
    }
    (inside, outside)
}

/// The solution lines that survive anywhere in `student`, a student copy.
pub fn leaked_solution_lines(
    root: &Path,
    student: &assign::Files,
) -> Result<Vec<String>> {
    let (mut inside, mut outside) = (BTreeSet::new(), BTreeSet::new());
    let crates = std::fs::read_dir(root.join("crates"))?
        .flatten()
        .map(|e| e.path());
    for dir in crates {
        // Every file counts as "outside" text (tests and examples too): a
        // line that also stands outside the solutions gives nothing away.
        for f in files(&dir)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        {
            let (i, o) = solution_only_lines(&std::fs::read_to_string(f)?);
            inside.extend(i);
            outside.extend(o);
        }
    }
    let unique: Vec<String> = inside
        .difference(&outside)
        .filter(|l| l.len() >= 12)
        .cloned()
        .collect();
    let mut leaked = Vec::new();
    for (path, bytes) in student {
        let text = String::from_utf8_lossy(bytes);
        if text.lines().map(str::trim).any(|l| {
            l.starts_with("// SOLUTION-START(") || l == "// SOLUTION-END"
        }) {
            leaked.push(format!("{}: a solution marker", path.display()));
        }
        let lines: BTreeSet<&str> = text.lines().map(str::trim).collect();
        for l in &unique {
            if lines.contains(l.as_str()) {
                leaked.push(format!("{}: {l}", path.display()));
            }
        }
    }
    Ok(leaked)
}

/// Every file below `dir` with its contents, to see that grading leaves a
/// submission as it was.
fn snapshot_of(dir: &Path) -> Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    files(dir)
        .into_iter()
        .map(|p| Ok((p.clone(), std::fs::read(&p)?)))
        .collect()
}

/// Runs the self-check over every chapter with exercises.
pub fn run(root: &Path, only: Option<&str>) -> Result<()> {
    let only = only.map(|c| super::find_chapter(root, c)).transpose()?;
    let (scratch, target) = grade::scratch_and_target(root);
    let mut problems = Vec::new();
    let mut checked = 0;
    for chapter in all_chapters(root)? {
        if only.as_ref().is_some_and(|o| o.nn != chapter.nn) {
            continue;
        }
        let has_solutions = files(&chapter.dir.join("src")).iter().any(|f| {
            !solution_ids(&std::fs::read_to_string(f).unwrap_or_default())
                .is_empty()
        });
        if !has_solutions {
            continue;
        }
        checked += 1;
        let name = chapter.name.clone();
        let student = assign::student_crate(
            root,
            &chapter,
            Options {
                hidden_tests: false,
            },
        )?;
        for leak in leaked_solution_lines(root, &student)? {
            problems.push(format!("{name}: the student copy leaks {leak}"));
        }
        let student_dir = root.join("target/grading/assigned").join(&name);
        if student_dir.exists() {
            std::fs::remove_dir_all(&student_dir)?;
        }
        assign::write_files(&student_dir, &student)?;
        // A student who empties the visible tests gains nothing: the
        // grader puts the originals back. Grading must not touch the
        // submission either.
        std::fs::write(student_dir.join("tests/exercises.rs"), "")?;
        let before = snapshot_of(&student_dir)?;
        let unsolved = grade::grade(
            root,
            &student_dir,
            Some(&chapter),
            &scratch,
            &target,
            Limits::default(),
        )?;
        if snapshot_of(&student_dir)? != before {
            problems
                .push(format!("{name}: grading changed the submission folder"));
        }
        if let Some(e) = &unsolved.error {
            problems
                .push(format!("{name}: the student copy does not build: {e}"));
        }
        for ex in &unsolved.exercises {
            if ex.tests.is_empty() {
                problems.push(format!(
                    "{name}: exercise {} has no tests named ex_{}_*",
                    ex.id,
                    ex.id.replace('.', "_")
                ));
            } else if ex.points > 0.0 {
                let passing: Vec<&str> = ex
                    .tests
                    .iter()
                    .filter(|(_, o)| *o == grade::Outcome::Passed)
                    .map(|(n, _)| n.as_str())
                    .collect();
                problems.push(format!(
                    "{name}: exercise {} scores {:.2} before it is solved; these tests pass on todo!(): {}",
                    ex.id,
                    ex.points,
                    passing.join(", ")
                ));
            }
        }
        let solved = grade::grade(
            root,
            &chapter.dir,
            Some(&chapter),
            &scratch,
            &target,
            Limits::default(),
        )?;
        if solved.error.is_some() || solved.total() < solved.max() {
            problems.push(format!(
                "{name}: the reference solutions do not score full marks:\n{}",
                solved.text()
            ));
        }
        println!(
            "{name}: student copy {}, scores {:.2} / {:.2} unsolved; reference scores {:.2} / {:.2}",
            if unsolved.error.is_none() {
                "builds"
            } else {
                "DOES NOT BUILD"
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_only_in_solutions_are_found() {
        let code = "let shared = 1;\n// SOLUTION-START(ex 1.1)\nlet shared = 1;\nlet secret = 2;\n// SOLUTION-END\n";
        let (inside, outside) = solution_only_lines(code);
        let unique: Vec<_> = inside.difference(&outside).collect();
        assert_eq!(unique, ["let secret = 2;"]);
    }
}
