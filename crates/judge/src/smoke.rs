//! `grade --self-test`: does grading work on this machine? It starts one
//! sandbox, then grades the chapter's reference solution (expecting full
//! marks) and an untouched student copy (expecting it to build and earn
//! nothing), and says plainly what it found.

use crate::grade::{Grader, Settings};
use crate::report::Status;
use crate::sandbox::{self, Isolation, SandboxBox};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Runs the smoke test for chapter `spec` (`"5"`) with `isolation`,
/// printing each step; fails, naming the step, unless all went as
/// expected.
pub fn run(root: &Path, spec: &str, isolation: Isolation) -> Result<()> {
    let chapter = assign::find_chapter(root, spec)?;
    println!("self-test: {}", sandbox::describe(isolation));
    // 1. One sandbox, by itself.
    let slot = SandboxBox::take()?;
    let limits = crate::runner::call_limits(slot.uid, 10);
    let done = sandbox::shell(
        "echo started; ls /proc >/dev/null 2>&1 && echo proc",
        &limits,
        isolation,
    )
    .context("self-test: starting a sandbox")?;
    drop(slot);
    let out = String::from_utf8_lossy(&done.stdout);
    if !out.contains("started") {
        bail!(
            "self-test: the sandbox does not start here: {}",
            String::from_utf8_lossy(&done.stderr).trim()
        );
    }
    if isolation == Isolation::Bwrap && out.contains("proc") {
        bail!("self-test: the sandbox shows /proc, which it must not");
    }
    println!("self-test: a sandbox starts");
    // 2. The reference and an untouched copy, graded for real.
    let grader = Grader::new(
        root,
        &chapter,
        Settings {
            seed: 1,
            timeout: 10,
            isolation,
        },
    )
    .context("self-test: preparing the grader")?;
    let dir = crate::grade::fresh_dir("selftest")?;
    let result = grade_both(root, &chapter, &grader, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    println!(
        "self-test: grading works here ({})",
        if isolation == Isolation::Bwrap {
            "sandboxed"
        } else {
            "UNSANDBOXED"
        }
    );
    Ok(())
}

fn grade_both(
    root: &Path,
    chapter: &assign::Chapter,
    grader: &Grader,
    dir: &Path,
) -> Result<()> {
    let reference = dir.join("reference");
    let copy = assign::walk::files(&chapter.dir.join("src"));
    for file in copy {
        let rel = file.strip_prefix(&chapter.dir)?;
        let to = reference.join(rel);
        std::fs::create_dir_all(to.parent().context("a file in src/")?)?;
        std::fs::copy(&file, &to)?;
    }
    let r = grader.grade(&reference, "reference")?;
    println!(
        "self-test: the reference solution: {}, {:.1} / {:.1}",
        r.status.label(),
        r.total(),
        r.max()
    );
    if !matches!(r.status, Status::Graded) || r.total() < r.max() - 1e-9 {
        bail!("self-test: the reference solution does not get full marks");
    }
    let untouched = dir.join("untouched");
    let student = assign::student::student_crate(
        root,
        chapter,
        assign::student::Options {
            hidden_tests: false,
        },
    )?;
    for (rel, bytes) in student.iter().filter(|(r, _)| r.starts_with("src")) {
        let to = untouched.join(rel);
        std::fs::create_dir_all(to.parent().context("a file in src/")?)?;
        std::fs::write(&to, bytes)?;
    }
    let u = grader.grade(&untouched, "untouched")?;
    println!(
        "self-test: an untouched copy: {}, {:.1} / {:.1}",
        u.status.label(),
        u.total(),
        u.max()
    );
    if matches!(u.status, Status::DoesNotCompile(_)) || u.total() > 0.0 {
        bail!("self-test: an untouched copy should build and earn nothing");
    }
    Ok(())
}
