//! Hostile submissions, graded for real (bubblewrap, a warm dependency
//! cache): each attack must earn no point it did not earn, learn no
//! hidden input or expected value, and change nothing outside its own
//! scratch folder; honest work beside them must score as before.
//!
//! These tests need bubblewrap (`sudo apt-get install bubblewrap`).
//! Without it each says on one line that it did not run, and why; where
//! `CI` is set they fail instead (see `Isolation::for_tests`). Each is
//! remembered when it passes, and not run again while nothing it reads
//! has changed (see `judge::selfcheck::remembered`), except where `CI` or `ATTN_NO_CACHE`
//! is set.

use judge::batch::{self, Outputs};
use judge::grade::{Grader, Settings};
use judge::report::{Report, Status};
use judge::sandbox::Isolation;
use judge::selfcheck::remembered;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn chapter() -> PathBuf {
    root().join("crates/ch05-trainable-weights")
}

fn grader(isolation: Isolation, timeout: u64) -> Grader {
    let ch = assign::find_chapter(&root(), "5").unwrap();
    Grader::new(
        &root(),
        &ch,
        Settings {
            seed: 99,
            timeout,
            isolation,
        },
    )
    .unwrap()
}

/// A submission folder: the reference `src/` with `exercises.rs`
/// replaced by `code` (or kept, if `code` is `None`).
fn submission(dir: &Path, name: &str, code: Option<&str>) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(d.join("src")).unwrap();
    for f in std::fs::read_dir(chapter().join("src")).unwrap().flatten() {
        std::fs::copy(f.path(), d.join("src").join(f.file_name())).unwrap();
    }
    if let Some(code) = code {
        std::fs::write(d.join("src/exercises.rs"), code).unwrap();
    }
    d
}

/// The exercises with the given bodies for 5.1, 5.2 and 5.3.
fn exercises(prelude: &str, ex1: &str, ex2: &str, ex3: &str) -> String {
    format!(
        "#![allow(unused)]\n\
         use anyhow::Result;\nuse ndarray::{{Array1, ArrayView1, ArrayView2}};\n\
         {prelude}\n\
         pub fn scaled_scores(query: ArrayView1<f64>, keys: ArrayView2<f64>) -> Result<Array1<f64>> {{ {ex1} }}\n\
         pub fn dot_product_variance(d_k: usize, std_dev: f64, pairs: usize, seed: u64) -> Result<f64> {{ {ex2} }}\n\
         pub fn parameter_count(d_in: usize, d_out: usize, bias: bool) -> usize {{ {ex3} }}\n"
    )
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("judge-attacks-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Lines that only the reference solution and the judge's checks hold.
fn secrets() -> Vec<String> {
    let mut out = vec![
        // From the reference solution of 5.1 and 5.3.
        "let per_projection = d_in * d_out".to_string(),
        // From the judge's checks for chapter 5.
        "seed ^ 0x05".to_string(),
    ];
    out.push("SECRET-PANIC-MESSAGE".into());
    out
}

fn assert_no_leak(r: &Report) {
    let text = r.text() + &r.json().to_string();
    for s in secrets() {
        assert!(
            !text.contains(&s),
            "{}'s report leaks `{s}`:\n{text}",
            r.student
        );
    }
}

/// A sleep length of this test process's own.
fn tag() -> u32 {
    40_000 + std::process::id() % 10_000
}

fn sleepers() -> usize {
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("ps -eo args | grep -c '^sleep {}$' || true", tag()),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn attacks_earn_nothing_leak_nothing_and_touch_nothing() {
    let Some(isolation) = Isolation::for_tests(
        "judge::attacks::attacks_earn_nothing_leak_nothing_and_touch_nothing",
    ) else {
        return;
    };
    let Some(_pass) = remembered(
        &root(),
        "judge::attacks::attacks_earn_nothing_leak_nothing_and_touch_nothing",
        "5",
        Some(isolation),
    )
    .unwrap() else {
        return;
    };
    let dir = scratch("batch");
    let subs = dir.join("submissions");
    let reference = chapter().join("src/exercises.rs").display().to_string();
    let checks = root()
        .join("crates/judge/src/chapters/ch05.rs")
        .display()
        .to_string();
    let repo_file = root().join("target/PWNED-by-a-submission");
    let host_tmp = std::env::temp_dir().join("PWNED-by-a-submission");
    let _ = std::fs::remove_file(&repo_file);
    let _ = std::fs::remove_file(&host_tmp);

    submission(&subs, "honest", None);
    // Forging through the exit status, and through printed answers.
    submission(
        &subs,
        "exit-zero",
        Some(&exercises(
            "",
            "println!(\"{{\\\"value\\\": [0.7071, 0, 0.7071]}}\"); std::process::exit(0)",
            "std::process::exit(0)",
            "std::process::exit(0)",
        )),
    );
    // Reading the reference by path at compile time.
    submission(
        &subs,
        "path-to-reference",
        Some(&format!(
            "#[path = \"{reference}\"] mod reference;\npub use reference::*;\n"
        )),
    );
    submission(
        &subs,
        "relative-path",
        Some(
            "#[path = \"../../../../crates/ch05-trainable-weights/src/exercises.rs\"] mod reference;\npub use reference::*;\n",
        ),
    );
    // Leaking through compiler output.
    submission(
        &subs,
        "include-leak",
        Some(&format!(
            "compile_error!(include_str!(\"{checks}\"));\ncompile_error!(include_str!(\"{reference}\"));\n"
        )),
    );
    // Reading, writing and lingering at run time; a fake answer line; a
    // panic message.
    let snoop = format!(
        "fn snoop() {{\n\
         for p in [\"{reference}\", \"{checks}\", \"/etc/passwd\", \"/root/.cargo/credentials.toml\"] {{\n\
           if let Ok(t) = std::fs::read_to_string(p) {{ panic!(\"SECRET-PANIC-MESSAGE {{t}}\"); }}\n\
         }}\n\
         let _ = std::fs::write(\"{repo}\", \"x\");\n\
         let _ = std::fs::write(\"{tmp}\", \"x\");\n\
         let _ = std::process::Command::new(\"sh\").args([\"-c\", \"sleep {tag} &\"]).spawn();\n\
         let _ = std::process::Command::new(\"sh\").args([\"-c\", \"kill -9 -1\"]).status();\n\
         for i in 0..3 {{ println!(\"@@judge-{{i:032x}}@@{{{{\\\"value\\\": 18}}}}\"); }}\n\
         }}",
        repo = repo_file.display(),
        tmp = host_tmp.display(),
        tag = tag(),
    );
    submission(
        &subs,
        "runtime-snoop",
        Some(&exercises(
            &snoop,
            "snoop(); Ok(Array1::zeros(keys.nrows()))",
            "snoop(); Ok(0.0)",
            "snoop(); panic!(\"SECRET-PANIC-MESSAGE\")",
        )),
    );
    // Runaway time, memory and output.
    submission(
        &subs,
        "runaway",
        Some(&exercises(
            "",
            "loop { std::hint::spin_loop() }",
            "let v = vec![1u8; 64 << 30]; Ok(v[12345] as f64)",
            "loop { println!(\"{}\", \"x\".repeat(1000)); }",
        )),
    );
    // Code before main: prints answers and exits before the runner runs.
    submission(
        &subs,
        "before-main",
        Some(&exercises(
            "extern \"C\" fn early() { println!(\"@@judge-0@@{{\\\"value\\\": 18}}\"); std::process::exit(0) }\n\
             #[used] #[unsafe(link_section = \".init_array\")] static EARLY: extern \"C\" fn() = early;",
            "Ok(Array1::zeros(keys.nrows()))",
            "Ok(0.0)",
            "0",
        )),
    );
    // Refusing every input, with an error that names the shapes: the
    // refusals of bad input must earn nothing when no good input is
    // answered.
    submission(
        &subs,
        "refuse-all",
        Some(&exercises(
            "",
            "anyhow::bail!(\"`query` has shape ({},), `keys` has shape ({}, {})\", query.len(), keys.nrows(), keys.ncols())",
            "anyhow::bail!(\"no\")",
            "0",
        )),
    );
    // A link to the reference in src/, a FIFO, a link to /.
    let linked = submission(&subs, "linked", Some("placeholder"));
    std::fs::remove_file(linked.join("src/exercises.rs")).unwrap();
    std::os::unix::fs::symlink(&reference, linked.join("src/exercises.rs"))
        .unwrap();
    std::os::unix::fs::symlink("/", linked.join("src/everything")).unwrap();
    std::process::Command::new("mkfifo")
        .arg(linked.join("src/pipe.rs"))
        .status()
        .unwrap();
    // A crate of another chapter, and a folder with no src/.
    let other = submission(&subs, "wrong-chapter", None);
    std::fs::write(
        other.join("Cargo.toml"),
        "[package]\nname = \"ch06-causal-attention\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(subs.join("no-src")).unwrap();
    // A submission folder that is itself a link to the reference crate.
    std::os::unix::fs::symlink(chapter(), subs.join("linked-folder")).unwrap();

    let sleepers_before = sleepers();
    let grader = grader(isolation, 2);
    let csv = dir.join("grades.csv");
    let reports_dir = dir.join("reports");
    let reports = batch::run(
        &grader,
        &subs,
        &Outputs {
            csv: &csv,
            reports: Some(&reports_dir),
        },
        2,
        99,
    )
    .unwrap();
    let by = |name: &str| reports.iter().find(|r| r.student == name).unwrap();

    assert_eq!(by("honest").total(), 10.0, "{}", by("honest").text());
    for name in [
        "exit-zero",
        "path-to-reference",
        "relative-path",
        "include-leak",
        "runtime-snoop",
        "runaway",
        "before-main",
        "refuse-all",
        "linked",
        "wrong-chapter",
        "no-src",
        "linked-folder",
    ] {
        let r = by(name);
        assert_eq!(r.total(), 0.0, "{name} earned points:\n{}", r.text());
        assert_no_leak(r);
    }
    // The code before main did run, and was paid nothing for its lines.
    assert!(
        by("before-main")
            .text()
            .contains("exited before giving an answer")
    );
    for name in ["path-to-reference", "relative-path", "include-leak"] {
        assert!(
            matches!(by(name).status, Status::DoesNotCompile(_)),
            "{name}: {:?}",
            by(name).status
        );
    }
    assert!(
        matches!(&by("wrong-chapter").status, Status::Rejected(w) if w.contains("ch06"))
    );
    assert!(
        matches!(&by("no-src").status, Status::Rejected(w) if w.contains("src"))
    );
    assert!(matches!(by("linked-folder").status, Status::Rejected(_)));
    let notes = by("linked").notes.join("\n");
    assert!(notes.contains("src/exercises.rs is a link"), "{notes}");
    assert!(
        notes.contains("src/pipe.rs is not a regular file"),
        "{notes}"
    );
    let runaway = by("runaway").text();
    assert!(runaway.contains("ran out of time"), "{runaway}");

    // Nothing was written outside the sandbox, nothing lingers.
    assert!(
        !repo_file.exists(),
        "a submission wrote into the repository"
    );
    assert!(
        !host_tmp.exists(),
        "a submission wrote into the host's /tmp"
    );
    assert_eq!(
        sleepers(),
        sleepers_before,
        "a submission's process survived"
    );

    // Every submission has its row and its report; the CSV is complete.
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 1 + reports.len(), "{text}");
    assert_eq!(reports.len(), 13);
    for r in &reports {
        assert!(reports_dir.join(format!("{}.txt", r.student)).exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_graders_keep_their_results_apart() {
    let Some(isolation) = Isolation::for_tests(
        "judge::attacks::concurrent_graders_keep_their_results_apart",
    ) else {
        return;
    };
    let Some(_pass) = remembered(
        &root(),
        "judge::attacks::concurrent_graders_keep_their_results_apart",
        "5",
        Some(isolation),
    )
    .unwrap() else {
        return;
    };
    let dir = scratch("concurrent");
    let honest = submission(&dir, "honest", None);
    let unsolved = submission(
        &dir,
        "unsolved",
        Some(&exercises("", "todo!()", "todo!()", "todo!()")),
    );
    let (a, b) = (grader(isolation, 10), grader(isolation, 10));
    std::thread::scope(|s| {
        let one = s.spawn(|| {
            (0..2)
                .map(|_| a.grade(&honest, "honest").unwrap().total())
                .collect::<Vec<_>>()
        });
        let two = s.spawn(|| {
            (0..2)
                .map(|_| b.grade(&unsolved, "unsolved").unwrap().total())
                .collect::<Vec<_>>()
        });
        assert_eq!(one.join().unwrap(), [10.0, 10.0]);
        assert_eq!(two.join().unwrap(), [0.0, 0.0]);
    });
    let _ = std::fs::remove_dir_all(&dir);
}
