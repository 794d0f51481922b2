//! The student's side of the wire: building a runner from the student's
//! crate inside the sandbox, and asking it for answers.
//!
//! The runner is a small binary the judge adds to the assignment: it
//! reads one request (`{"exercise", "input", "marker"}`) on stdin, calls
//! the chapter's `answer::answer` (which calls the student's exercise
//! functions), and prints one line: the marker followed by
//! `{"value": ...}`, `{"error": "..."}` or `{"panic": true}`. The marker is
//! fresh for every call, so nothing the student's code prints can be taken
//! for the answer line.
//!
//! Paths inside the sandbox are the same for every submission (the crate
//! at `/judge/crate`, its target at `/judge/target`), so a submission's
//! build reuses the dependency builds of the shared cache and recompiles
//! only the chapter crate.

use crate::check::{Oracle, Reply};
use crate::sandbox::{self, Isolation, Job, Limits, Mount};
use anyhow::{Context, Result, bail};
use attn_common::answer::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The runner's source; `CHAPTER` becomes the chapter crate's name.
const RUNNER: &str = r#"//! Added by the judge: answers one request. Not part of the assignment.
use std::io::Read;

fn main() {
    let mut text = String::new();
    let _ = std::io::stdin().read_to_string(&mut text);
    let request = attn_common::answer::parse(&text).unwrap_or_default();
    let exercise = request["exercise"].as_str().unwrap_or("").to_string();
    let marker = request["marker"].as_str().unwrap_or("").to_string();
    let input = request["input"].clone();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| {
        CHAPTER::answer::answer(&exercise, &input)
    });
    let reply = match result {
        Ok(Ok(value)) => attn_common::answer::json!({ "value": value }),
        Ok(Err(e)) => attn_common::answer::json!({ "error": format!("{e:#}") }),
        Err(_) => attn_common::answer::json!({ "panic": true }),
    };
    println!("\n{marker}{reply}");
}
"#;

/// Where things are inside the sandbox.
pub const CRATE: &str = "/judge/crate";
/// The target folder inside the sandbox.
pub const TARGET: &str = "/judge/target";
const TOOLCHAIN: &str = "/judge/toolchain";
const REGISTRY: &str = "/judge/home/cargo/registry";
const RUNNER_INSIDE: &str = "/judge/runner";

/// The runner's file and the manifest lines that declare it.
pub fn runner_files(package: &str) -> (String, String) {
    let code = RUNNER.replace("CHAPTER", &package.replace('-', "_"));
    let manifest =
        "\n[[bin]]\nname = \"judge-runner\"\npath = \"judge-runner/main.rs\"\n"
            .to_string();
    (code, manifest)
}

/// The host's Rust toolchain (its sysroot) and crate registry, which the
/// sandbox sees read-only.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// `rustc --print sysroot`.
    pub sysroot: PathBuf,
    /// `$CARGO_HOME/registry`.
    pub registry: PathBuf,
}

impl Toolchain {
    /// The toolchain that runs this judge.
    pub fn find() -> Result<Toolchain> {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let out = std::process::Command::new(rustc)
            .args(["--print", "sysroot"])
            .output()
            .context("running rustc --print sysroot")?;
        let sysroot = PathBuf::from(String::from_utf8(out.stdout)?.trim());
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cargo"))
            })
            .context("neither CARGO_HOME nor HOME is set")?;
        Ok(Toolchain {
            sysroot,
            registry: cargo_home.join("registry"),
        })
    }
}

/// Builds the runner of the crate in `crate_dir` into `target_dir`,
/// inside the sandbox, offline. Returns the compiler's messages when the
/// build fails.
pub fn build(
    tc: &Toolchain,
    crate_dir: &Path,
    target_dir: &Path,
    limits: &Limits,
    isolation: Isolation,
) -> Result<std::result::Result<(), String>> {
    let args: Vec<String> = [
        "build",
        "--offline",
        "--locked",
        "--quiet",
        "--color",
        "never",
        "--message-format",
        "short",
        "--bin",
        "judge-runner",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let env: Vec<(String, String)> = [
        ("PATH", format!("{TOOLCHAIN}/bin:/usr/bin:/bin")),
        ("HOME", "/judge/home".into()),
        ("CARGO_HOME", "/judge/home/cargo".into()),
        ("CARGO_TARGET_DIR", TARGET.into()),
        ("RUSTC", format!("{TOOLCHAIN}/bin/rustc")),
        ("CARGO_INCREMENTAL", "0".into()),
        ("CARGO_TERM_COLOR", "never".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mounts = [
        Mount::ro(&tc.sysroot, TOOLCHAIN),
        Mount::ro(crate_dir, CRATE),
        Mount::rw(target_dir, TARGET),
        Mount::ro(&tc.registry, REGISTRY),
    ];
    // cargo wants a writable CARGO_HOME for its lock and cache files:
    // a small tmpfs under the registry's mount point.
    let home = target_dir.join(".judge-home");
    std::fs::create_dir_all(home.join("cargo/registry"))?;
    let mut all = vec![Mount::rw(&home, "/judge/home")];
    all.extend(mounts);
    let cargo = PathBuf::from(format!("{TOOLCHAIN}/bin/cargo"));
    let done = sandbox::run(
        &Job {
            program: &cargo,
            args: &args,
            env: &env,
            cwd: Path::new(CRATE),
            mounts: &all,
            stdin: b"",
        },
        limits,
        isolation,
    )?;
    if done.timed_out {
        return Ok(Err(format!(
            "the build ran out of time ({} s)",
            limits.time.as_secs()
        )));
    }
    if done.code == Some(0) {
        return Ok(Ok(()));
    }
    Ok(Err(compiler_errors(&String::from_utf8_lossy(&done.stderr))))
}

/// The first compiler errors, cut short, with sandbox paths made relative.
pub fn compiler_errors(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("warning"))
        .map(|l| l.replace(&format!("{CRATE}/"), ""))
        .collect();
    let errors: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("error"))
        .take(10)
        .collect();
    let mut text = errors
        .iter()
        .map(|l| {
            let mut l = l.to_string();
            l.truncate(300);
            l
        })
        .collect::<Vec<_>>()
        .join("\n");
    if text.is_empty() {
        text = "the build failed without a compiler error (a limit was hit?)"
            .into();
    }
    text
}

/// Asks a built runner for answers, one sandboxed process per question.
pub struct Runner<'a> {
    /// The runner binary on the host.
    pub binary: PathBuf,
    /// Limits per call.
    pub limits: Limits,
    /// Isolation.
    pub isolation: Isolation,
    /// Fresh markers.
    pub rng: &'a mut attn_common::rng::SplitMix64,
    /// Calls made, for the report.
    pub calls: usize,
}

impl Oracle for Runner<'_> {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        self.calls += 1;
        let marker = format!(
            "@@judge-{:016x}{:016x}@@",
            self.rng.next_u64(),
            self.rng.next_u64()
        );
        let request =
            json!({ "exercise": exercise, "input": input, "marker": marker });
        let program = PathBuf::from(RUNNER_INSIDE);
        let done = sandbox::run(
            &Job {
                program: &program,
                args: &[],
                env: &[],
                cwd: Path::new("/tmp"),
                mounts: &[Mount::ro(&self.binary, RUNNER_INSIDE)],
                stdin: request.to_string().as_bytes(),
            },
            &self.limits,
            self.isolation,
        );
        let done = match done {
            Ok(d) => d,
            Err(e) => {
                return Reply::Crashed(format!("could not be started: {e}"));
            }
        };
        let out = String::from_utf8_lossy(&done.stdout);
        let line = out.lines().rev().find_map(|l| l.strip_prefix(&marker));
        match line.and_then(|l| attn_common::answer::parse(l).ok()) {
            Some(reply) => {
                if let Some(v) = reply.get("value") {
                    Reply::Value(v.clone())
                } else if let Some(e) = reply.get("error") {
                    Reply::Error(e.as_str().unwrap_or_default().to_string())
                } else {
                    Reply::Crashed(
                        "panicked (a todo!() still there, an unwrap on an \
                         error, an index out of range, ...)"
                            .into(),
                    )
                }
            }
            None if done.timed_out => Reply::Crashed(format!(
                "ran out of time ({} s)",
                self.limits.time.as_secs()
            )),
            None if done.truncated => {
                Reply::Crashed("printed more output than allowed".into())
            }
            None if done.code == Some(0) => {
                Reply::Crashed("exited before giving an answer".into())
            }
            None => Reply::Crashed(match done.code {
                Some(c) => format!("exited with status {c} before answering"),
                None => "was killed (out of memory, or a crash)".into(),
            }),
        }
    }
}

/// The reference, asked in-process.
pub struct Reference(pub crate::chapters::Reference);

impl Oracle for Reference {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        let f = self.0;
        match std::panic::catch_unwind(|| f(exercise, input)) {
            Ok(Ok(v)) => Reply::Value(v),
            Ok(Err(e)) => Reply::Error(format!("{e:#}")),
            Err(_) => Reply::Crashed("the reference panicked".into()),
        }
    }
}

/// Limits for the build of one submission.
pub fn build_limits(uid: u32) -> Limits {
    Limits {
        time: Duration::from_secs(300),
        memory: 8 << 30,
        processes: 256,
        file_size: 1 << 30,
        output: 256 << 10,
        uid,
    }
}

/// Limits for one call of a runner.
pub fn call_limits(uid: u32, seconds: u64) -> Limits {
    Limits {
        time: Duration::from_secs(seconds),
        memory: 2 << 30,
        processes: 32,
        file_size: 16 << 20,
        output: 8 << 20,
        uid,
    }
}

/// Fails unless `dir` holds a built runner.
pub fn binary(target_dir: &Path) -> Result<PathBuf> {
    let b = target_dir.join("debug/judge-runner");
    if !b.is_file() {
        bail!("the runner was not built: {}", b.display());
    }
    Ok(b)
}
