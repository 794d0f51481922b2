//! The sandbox against a hostile student, and against a judge with
//! secrets in its environment: nothing of the instructor's reaches a
//! report, no student stops the judge, and the limits hold for the whole
//! sandbox rather than per process.
//!
//! Every test here needs bubblewrap; without it each says NOT RUN on one
//! line (`Isolation::for_tests`), and CI requires it. The gradings run
//! the judge's own binary, as an instructor would, with small limits so
//! that the tests stay short.

use judge::check::{Oracle, Reply};
use judge::runner::{self, Runner};
use judge::sandbox::{self, Finished, Isolation, Limits, SandboxBox};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A value no report may hold: it is only in the judge's environment.
const SECRET: &str = "h14-secret-7f3c9a1e5b";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("judge-sandbox-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Starts sandbox test `test`, or says it passed before and returns
/// `None`: its record (`attn_common::record`) is keyed on this executable
/// and on chapter 5's files, which the gradings build, and is never read
/// where `CI` or `ATTN_NO_CACHE` is set.
fn remembered(
    test: &str,
    isolation: Isolation,
) -> Option<attn_common::record::Pass> {
    judge::selfcheck::remembered(&root(), test, "5", Some(isolation)).unwrap()
}

/// `script` under `sh` in the sandbox with `limits`.
fn sh(script: &str, isolation: Isolation, limits: &Limits) -> Finished {
    sandbox::shell(script, limits, isolation).unwrap()
}

fn text(f: &Finished) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&f.stdout),
        String::from_utf8_lossy(&f.stderr)
    )
}

#[test]
fn the_sandbox_has_no_proc_a_read_only_dev_and_capped_tmpfs() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::tmpfs") else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::tmpfs", isolation) else {
        return;
    };
    let slot = SandboxBox::take().unwrap();
    let limits = runner::call_limits(slot.uid, 20);
    let cap_kib = limits.file_size >> 10;
    // Files of 10 MiB each (under the file-size limit), four times over.
    let f = sh(
        "ls /proc >/dev/null 2>&1 && echo SAW-PROC; \
         echo x > /dev/x 2>/dev/null && echo WROTE-DEV; \
         for d in /dev/shm /tmp; do for i in 1 2 3 4; do \
           dd if=/dev/zero of=$d/f$i bs=1M count=10 status=none 2>/dev/null; \
         done; echo \"$d $(du -sk $d | cut -f1)\"; done; echo end",
        isolation,
        &limits,
    );
    let out = text(&f);
    assert!(out.contains("end"), "{out}");
    assert!(!out.contains("SAW-PROC"), "{out}");
    assert!(!out.contains("WROTE-DEV"), "{out}");
    for d in ["/dev/shm", "/tmp"] {
        let kib: u64 = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{d} ")))
            .and_then(|k| k.trim().parse().ok())
            .unwrap_or_else(|| panic!("no size for {d}: {out}"));
        // Filled up to its cap, never past it.
        assert!(kib > cap_kib / 2 && kib <= cap_kib, "{d}: {kib} KiB: {out}");
    }
}

#[test]
fn memory_is_summed_over_the_sandboxs_processes() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::memory")
    else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::memory", isolation) else {
        return;
    };
    let slot = SandboxBox::take().unwrap();
    let limits = runner::call_limits(slot.uid, 30);
    assert_eq!(limits.memory, 2 << 30);
    // `dd` holds a block of `mb` MB for as long as it copies: `blocks`
    // of them to /dev/null take a few seconds. On success it says
    // "N+0 records out"; without the memory, "memory exhausted" (or it is
    // killed).
    let hold = |mb: u32, blocks: u32| {
        format!("dd if=/dev/zero of=/dev/null bs={mb}M count={blocks} 2>&1")
    };
    let copied = |f: &Finished, blocks: u32| {
        text(f)
            .lines()
            .filter(|l| l.starts_with(&format!("{blocks}+0 records out")))
            .count()
    };
    // One of 300 MB fits: the test can tell a limit from a broken dd.
    let one = sh(&hold(300, 2), isolation, &limits);
    assert_eq!(copied(&one, 2), 1, "{}", text(&one));
    // Five of 600 MB at once (3 GB) do not all fit in 2 GiB: with a
    // cgroup some are killed; without one, each is refused its block and
    // not all five even start.
    let five = sh(
        &format!("{} wait", format!("{} & ", hold(600, 6)).repeat(5)),
        isolation,
        &limits,
    );
    let done = copied(&five, 6);
    assert!(done < 5, "all five held 600 MB: {}", text(&five));
    eprintln!(
        "five 600 MB processes under 2 GiB: {done} finished (cgroups: {}) \
         after {:?}: {}",
        sandbox::has_cgroups(),
        five.timed_out,
        text(&five).replace('\n', " | ")
    );
}

/// The sandbox as a non-root judge runs it (this test binary again, as
/// user `nobody`), and as a root judge without `CAP_SYS_ADMIN` runs it (as
/// in a Docker container), each with the secret in its environment,
/// running [`child_of_a_judge`].
#[test]
fn a_non_root_judge_leaks_no_secret_and_no_host_path() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::non_root")
    else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::non_root", isolation) else {
        return;
    };
    let me = std::env::current_exe().unwrap();
    let ways: Vec<(&str, Vec<&str>)> = if sandbox::is_root() {
        vec![
            (
                "nobody",
                vec!["--reuid=65534", "--regid=65534", "--clear-groups"],
            ),
            (
                "root without CAP_SYS_ADMIN",
                vec!["--inh-caps=-sys_admin", "--bounding-set=-sys_admin"],
            ),
        ]
    } else {
        vec![("this user", vec![])]
    };
    for (who, setpriv) in ways {
        let mut cmd = Command::new("setpriv");
        cmd.args(&setpriv).arg("--").arg(&me);
        let out = cmd
            .args(["--ignored", "--exact", "child_of_a_judge"])
            .args(["--nocapture", "--test-threads=1"])
            .env("JUDGE_TEST_SECRET", SECRET)
            .env("GITHUB_TOKEN", SECRET)
            .current_dir("/tmp")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{who}: {all}");
        let sandbox_part = all
            .split("SANDBOX-OUTPUT-START")
            .nth(1)
            .and_then(|s| s.split("SANDBOX-OUTPUT-END").next())
            .unwrap_or_else(|| panic!("{who}: no sandbox output: {all}"));
        // The sandbox ran, not as root, and tried every file.
        let uid = sandbox_part
            .lines()
            .find_map(|l| l.strip_prefix("SANDBOX-RAN uid="))
            .unwrap_or_else(|| panic!("{who}: {all}"));
        assert_ne!(uid.trim(), "0", "{who}: {all}");
        assert!(!sandbox_part.contains(SECRET), "{who}: {sandbox_part}");
        for host in ["/work", "/root", &root().display().to_string()] {
            assert!(
                !sandbox_part.contains(host),
                "{who}: {host}: {sandbox_part}"
            );
        }
    }
}

/// Run only by the test above, with secrets in its environment: prints
/// what a sandbox of this judge can see.
#[test]
#[ignore = "run by a_non_root_judge_leaks_no_secret_and_no_host_path"]
fn child_of_a_judge() {
    assert_eq!(std::env::var("JUDGE_TEST_SECRET").unwrap(), SECRET);
    let slot = SandboxBox::take().unwrap();
    let limits = runner::call_limits(slot.uid, 10);
    let f = sh(
        "echo SANDBOX-RAN uid=$(id -u); \
         for f in /proc/1/environ /proc/self/environ /proc/1/cmdline \
                  /proc/self/mountinfo /proc/self/cgroup; do \
           cat $f 2>/dev/null | tr '\\0' ' '; done; \
         for f in /proc/*/cmdline /proc/*/environ; do \
           cat $f 2>/dev/null | tr '\\0' ' '; done; \
         env; cat /etc/passwd /etc/hostname 2>/dev/null; echo",
        Isolation::Bwrap,
        &limits,
    );
    println!("SANDBOX-OUTPUT-START\n{}\nSANDBOX-OUTPUT-END", text(&f));
}

#[test]
fn a_runner_that_stops_reading_does_not_block_the_judge() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::stuck") else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::stuck", isolation) else {
        return;
    };
    // A "runner" that never reads its input and ignores what signals it
    // can, given a request far bigger than a pipe holds.
    let dir = scratch("stuck");
    let binary = dir.join("runner");
    std::fs::write(
        &binary,
        "#!/bin/sh\ntrap '' HUP INT QUIT TERM USR1 USR2 PIPE ALRM\n\
         while :; do :; done\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755))
        .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .unwrap();
    let slot = SandboxBox::take().unwrap();
    let mut limits = runner::call_limits(slot.uid, 2);
    limits.time = Duration::from_secs(2);
    let mut rng = attn_common::rng::SplitMix64::new(1);
    let big = attn_common::answer::json!({ "x": "a".repeat(4 << 20) });
    let start = Instant::now();
    let mut oracle = Runner::new(binary.clone(), limits, isolation, &mut rng)
        .with_deadline(Instant::now() + Duration::from_secs(5));
    // Each question ends at its own limit; past the deadline, at once.
    for _ in 0..4 {
        let reply = oracle.ask("5.1", &big);
        assert!(matches!(reply, Reply::Crashed(_)), "{reply:?}");
    }
    assert!(oracle.out_of_time());
    let took = start.elapsed();
    drop(oracle);
    assert!(took < Duration::from_secs(9), "took {took:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the judge binary on `submission`, with `env` and the secret in
/// its environment; returns the JSON report and the wall time.
fn grade(
    submission: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (serde_json::Value, Duration) {
    let report = submission.with_extension("json");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_judge"))
        .args(["grade", "--chapter", "5", "--seed", "7", "--json"])
        .arg("--report")
        .arg(&report)
        .args(extra)
        .arg(submission)
        .envs(env.iter().copied())
        .env("JUDGE_TEST_SECRET", SECRET)
        .env("GITHUB_TOKEN", SECRET)
        .current_dir(root())
        .output()
        .unwrap();
    let took = start.elapsed();
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "no report: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(!text.contains(SECRET), "the secret leaked: {text}");
    for host in ["/work/", "/root/", &root().display().to_string()] {
        assert!(!text.contains(host), "a host path {host} leaked: {text}");
    }
    (serde_json::from_str(&text).unwrap(), took)
}

/// A chapter 5 submission: the student copy's `src/` with `files`
/// written over it.
fn submission(dir: &Path, name: &str, files: &[(&str, String)]) -> PathBuf {
    let ch = assign::find_chapter(&root(), "5").unwrap();
    let copy = assign::student::student_crate(
        &root(),
        &ch,
        assign::student::Options {
            hidden_tests: false,
        },
    )
    .unwrap();
    let d = dir.join(name);
    for (rel, bytes) in copy.iter().filter(|(r, _)| r.starts_with("src")) {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    for (rel, text) in files {
        std::fs::write(d.join(rel), text).unwrap();
    }
    d
}

fn reference(file: &str) -> String {
    std::fs::read_to_string(
        root().join("crates/ch05-trainable-weights/src").join(file),
    )
    .unwrap()
}

fn status(report: &serde_json::Value) -> String {
    report["status"].as_str().unwrap_or_default().to_string()
}

/// The reference's exercises, with `extra` code at the top of 5.1.
fn exercises_with(extra: &str, prelude: &str) -> String {
    let code = reference("exercises.rs");
    let at = code
        .find("pub fn scaled_scores")
        .expect("exercise 5.1 is scaled_scores");
    let body = code[at..].find('{').unwrap() + at + 1;
    format!("{prelude}\n{}\n{extra}\n{}", &code[..body], &code[body..])
}

#[test]
fn hostile_submissions_end_in_rows_within_their_deadlines_and_leak_nothing() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::hostile")
    else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::hostile", isolation) else {
        return;
    };
    let dir = scratch("hostile");
    // What a snooping student can read, returned as 5.1's error message.
    let snoop = submission(
        &dir,
        "snoop",
        &[(
            "src/exercises.rs",
            exercises_with(
                r#"{
                    let mut seen = String::new();
                    for f in ["/proc/1/environ", "/proc/self/environ",
                              "/proc/1/cmdline", "/proc/self/mountinfo",
                              "/judge/runner", "/etc/passwd"] {
                        if let Ok(b) = std::fs::read(f) {
                            seen.push_str(&String::from_utf8_lossy(&b[..b.len().min(3000)]));
                        }
                    }
                    for (k, v) in std::env::vars() { seen.push_str(&format!("{k}={v} ")); }
                    if !seen.is_empty() { anyhow::bail!("seen: {seen}"); }
                }"#,
                "",
            ),
        )],
    );
    let (r, _) = grade(&snoop, &[], &[]);
    assert!(status(&r).starts_with("graded"), "{r}");
    // A compile-time panic quoting files: it does not compile, and quotes
    // nothing of the instructor's (the files are not there).
    let quote = submission(
        &dir,
        "quote",
        &[(
            "src/exercises.rs",
            exercises_with(
                "",
                r#"const _: () = panic!("{}", concat!(
                    include_str!("/proc/1/environ"),
                    include_str!("/proc/self/mountinfo")));"#,
            ),
        )],
    );
    let (r, _) = grade(&quote, &[], &[]);
    assert!(status(&r).contains("compile"), "{r}");
    // A constant that never finishes evaluating: the build's limit.
    let bomb = submission(
        &dir,
        "bomb",
        &[(
            "src/exercises.rs",
            exercises_with(
                "",
                "#![allow(long_running_const_eval)]\n\
                 const SPIN: u64 = { let mut i = 1u64; \
                 while i != 0 { i = i.wrapping_mul(3); } i };",
            )
            .replacen(
                "pub fn scaled_scores",
                "pub const _S: u64 = SPIN;\npub fn scaled_scores",
                1,
            ),
        )],
    );
    let (r, took) = grade(&bomb, &[], &[("ATTN_JUDGE_BUILD_SECONDS", "8")]);
    assert!(status(&r).contains("time limit"), "{r}");
    assert!(took < Duration::from_secs(8 + 40), "took {took:?}");
    eprintln!("compile-time loop: {} after {took:?}", status(&r));
    // A runner that shrinks its input pipe, ignores every signal it can
    // and spins: each call runs out, then the whole submission's time.
    let spin = submission(
        &dir,
        "spin",
        &[(
            "src/exercises.rs",
            exercises_with(
                r#"unsafe {
                    unsafe extern "C" {
                        fn fcntl(fd: i32, cmd: i32, ...) -> i32;
                        fn signal(sig: i32, handler: usize) -> usize;
                    }
                    fcntl(0, 1031, 4096);
                    for s in 1..32 { signal(s, 1); }
                }
                loop { std::hint::spin_loop(); }"#,
                "",
            ),
        )],
    );
    let (r, took) = grade(
        &spin,
        &["--timeout", "2"],
        &[
            ("ATTN_JUDGE_BUILD_SECONDS", "20"),
            ("ATTN_JUDGE_CALLS_SECONDS", "6"),
        ],
    );
    // 22 calls of 2 s would take 44 s: the whole deadline (26 s from
    // the start of the grading) comes first.
    assert!(status(&r).contains("time limit"), "{r}");
    assert!(took < Duration::from_secs(20 + 6 + 20), "took {took:?}");
    eprintln!("spinning runner: {} after {took:?}", status(&r));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_submission_cannot_replace_the_answer_protocol() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::protocol")
    else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::protocol", isolation) else {
        return;
    };
    let dir = scratch("protocol");
    // Exercises left as handed out (todo!()), and an answer module of the
    // student's own, through #[path], that answers with the reference's
    // code: the judge must not call it.
    let lib = std::fs::read_to_string(
        submission(&dir, "plain", &[]).join("src/lib.rs"),
    )
    .unwrap();
    assert!(lib.contains("pub mod answer;"), "{lib}");
    let lib = lib.replace(
        "pub mod answer;",
        "#[path = \"mine.rs\"]\npub mod answer;\npub mod real;",
    );
    let mine = reference("answer.rs")
        .replace("use crate::exercises;", "use crate::real as exercises;");
    let forged = submission(
        &dir,
        "forged",
        &[
            ("src/lib.rs", lib),
            ("src/mine.rs", mine),
            ("src/real.rs", reference("exercises.rs")),
        ],
    );
    let (r, _) = grade(&forged, &[], &[]);
    assert!(status(&r).starts_with("graded"), "{r}");
    assert_eq!(r["total"].as_f64(), Some(0.0), "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unsandboxed_grading_gives_the_reference_full_marks() {
    let Some(isolation) = Isolation::for_tests("sandbox_attacks::unsandboxed")
    else {
        return;
    };
    let Some(_pass) = remembered("sandbox_attacks::unsandboxed", isolation)
    else {
        return;
    };
    let dir = scratch("unsandboxed");
    let solved = submission(
        &dir,
        "solved",
        &[("src/exercises.rs", reference("exercises.rs"))],
    );
    // Unsandboxed, the dependencies are built again at host paths: give
    // the build the time that takes.
    let (r, took) = grade(
        &solved,
        &["--unsandboxed"],
        &[("ATTN_JUDGE_BUILD_SECONDS", "900")],
    );
    assert!(status(&r).starts_with("graded"), "{r}");
    assert!(r["max"].as_f64().unwrap() > 0.0, "{r}");
    assert_eq!(r["total"], r["max"], "{r}");
    eprintln!("unsandboxed reference: {} in {took:?}", r["total"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
