//! The student's side of the wire: building a runner from the student's
//! crate inside the sandbox, and asking it for answers.
//!
//! The runner is a small binary the judge adds to the assignment: it
//! reads one request (`{"exercise", "input", "marker"}`) on stdin, calls
//! the chapter's answer function (which calls the student's exercise
//! functions), and prints one line: the marker followed by
//! `{"value": ...}`, `{"error": "..."}` or `{"panic": true}`. The marker is
//! fresh for every call, so nothing the student's code prints can be taken
//! for the answer line.
//!
//! The answer protocol is the judge's, not the student's: the runner
//! compiles the assignment's own `src/answer.rs` (the judge writes it over
//! whatever the submission holds) as a module of the runner binary, which
//! reaches the student's library only through its public exercise
//! functions. A submission whose `lib.rs` points its `answer` module
//! elsewhere (`#[path]`) or wraps it changes nothing the runner calls.
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
use std::time::{Duration, Instant};

/// The runner's source; `CHAPTER` becomes the chapter crate's name.
const RUNNER: &str = r#"//! Added by the judge: answers requests, one per line. Not part of the
//! assignment.

// The assignment's answer module, compiled into this binary: its
// `crate::exercises` (and any other `crate::` path) is the student's
// library, through the glob import below. That import could shadow any
// name at this root, so `main` names everything by its full path.
#[allow(unused_imports)]
use ::CHAPTER::*;
#[allow(dead_code, unused_imports)]
#[path = "../src/answer.rs"]
mod judge_answer;

fn main() {
    use ::std::io::BufRead as _;
    use ::std::result::Result::{Err, Ok};
    ::std::panic::set_hook(::std::boxed::Box::new(|_| {}));
    let mut line = ::std::string::String::new();
    let mut stdin = ::std::io::stdin().lock();
    while stdin.read_line(&mut line).unwrap_or(0) > 0 {
        let request =
            ::attn_common::answer::parse(&line).unwrap_or_default();
        line.clear();
        let exercise = request["exercise"].as_str().unwrap_or("").to_owned();
        let marker = request["marker"].as_str().unwrap_or("").to_owned();
        let input = request["input"].clone();
        let result = ::std::panic::catch_unwind(|| {
            self::judge_answer::answer(&exercise, &input)
        });
        let reply = match result {
            Ok(Ok(value)) => ::attn_common::answer::json!({ "value": value }),
            Ok(Err(e)) => ::attn_common::answer::json!({
                "error": ::std::format!("{e:#}")
            }),
            Err(_) => ::attn_common::answer::json!({ "panic": true }),
        };
        ::std::println!("\n{marker}{reply}");
    }
}
"#;

/// Changes whenever the way the judge builds changes, so that caches made
/// the old way are not reused.
pub const BUILD_VERSION: u32 = 4;

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
    /// Whether rustc may link through its own `lld` wrapper unless told
    /// otherwise: the wrapper finds `rust-lld` through `/proc/self/exe`,
    /// which the sandbox does not have, so the build turns it off.
    pub avoid_lld: bool,
    /// `rust-lld`, relative to the sysroot, if the toolchain has one: the
    /// build then links with it directly (faster than the system's `ld`).
    pub rust_lld: Option<PathBuf>,
}

impl Toolchain {
    /// The toolchain that runs this judge.
    pub fn find() -> Result<Toolchain> {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let out = std::process::Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .context("running rustc --print sysroot")?;
        let sysroot = PathBuf::from(String::from_utf8(out.stdout)?.trim());
        // Only toolchains that know the option accept it.
        let avoid_lld = std::process::Command::new(&rustc)
            .args(["-C", "linker-features=-lld", "--print", "sysroot"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let verbose = std::process::Command::new(&rustc)
            .arg("-vV")
            .output()
            .context("running rustc -vV")?;
        let rust_lld = String::from_utf8_lossy(&verbose.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .map(|host| {
                PathBuf::from(format!(
                    "lib/rustlib/{}/bin/rust-lld",
                    host.trim()
                ))
            })
            .filter(|rel| sysroot.join(rel).is_file());
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
            avoid_lld,
            rust_lld,
        })
    }
}

/// Why a build failed.
#[derive(Debug, Clone)]
pub enum BuildError {
    /// The compiler's errors in the student's files
    /// ([`compiler_errors`]).
    Compiler(String),
    /// The build ran out of its time limit (seconds).
    TimedOut(u64),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Compiler(errors) => f.write_str(errors),
            BuildError::TimedOut(s) => {
                write!(f, "time limit: the build took more than {s} s")
            }
        }
    }
}

/// Builds the runner of the crate in `crate_dir` into `target_dir`,
/// inside the sandbox, offline. Says why when the build fails.
pub fn build(
    tc: &Toolchain,
    crate_dir: &Path,
    target_dir: &Path,
    limits: &Limits,
    isolation: Isolation,
) -> Result<std::result::Result<(), BuildError>> {
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
    let mut env: Vec<(String, String)> = [
        ("PATH", format!("{TOOLCHAIN}/bin:/usr/bin:/bin")),
        ("HOME", "/judge/home".into()),
        ("CARGO_HOME", "/judge/home/cargo".into()),
        ("CARGO_TARGET_DIR", TARGET.into()),
        ("RUSTC", format!("{TOOLCHAIN}/bin/rustc")),
        // There is no /proc in the sandbox, so the loader cannot resolve
        // rustc's `$ORIGIN`-relative library path by itself.
        ("LD_LIBRARY_PATH", format!("{TOOLCHAIN}/lib")),
        // Incremental: the cache holds the unmodified assignment's
        // incremental data, so a submission recompiles only what changed
        // (about ten times faster than a full build of the chapter).
        ("CARGO_INCREMENTAL", "1".into()),
        ("CARGO_TERM_COLOR", "never".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if tc.avoid_lld {
        let mut flags = "-Clinker-features=-lld".to_string();
        // rust-lld itself needs no /proc: `cc` finds it as `ld.lld` in a
        // folder of the build's own that links to it.
        if let Some(lld) = &tc.rust_lld {
            let dir = target_dir.join(".judge-lld");
            let link = dir.join("ld.lld");
            std::fs::create_dir_all(&dir)?;
            let _ = std::fs::remove_file(&link);
            let (to, from_dir) = match isolation {
                Isolation::None => (tc.sysroot.join(lld), dir.clone()),
                Isolation::Bwrap => (
                    Path::new(TOOLCHAIN).join(lld),
                    Path::new(TARGET).join(".judge-lld"),
                ),
            };
            std::os::unix::fs::symlink(to, &link)?;
            flags.push_str(&format!(
                " -Clink-arg=-fuse-ld=lld -Clink-arg=-B{}",
                from_dir.display()
            ));
        }
        env.push(("RUSTFLAGS".into(), flags));
    }
    let mounts = [
        Mount::ro(&tc.sysroot, TOOLCHAIN),
        Mount::ro(crate_dir, CRATE),
        Mount::rw(target_dir, TARGET),
        Mount::ro(&tc.registry, REGISTRY),
    ];
    // cargo wants a writable CARGO_HOME for its lock and cache files:
    // a small tmpfs under the registry's mount point.
    let home = target_dir.join(".judge-home");
    std::fs::create_dir_all(home.join("cargo"))?;
    let registry = home.join("cargo/registry");
    // Whatever the cache holds there (a copy made in the other mode, say)
    // is replaced.
    match std::fs::symlink_metadata(&registry) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&registry)?,
        Ok(_) => std::fs::remove_file(&registry)?,
        Err(_) => {}
    }
    if isolation == Isolation::None {
        // Unsandboxed, the mounts are only a map from inside paths to host
        // paths, and the registry cannot be mounted inside the writable
        // cargo home: a link stands in for that mount.
        std::os::unix::fs::symlink(&tc.registry, &registry)?;
    } else {
        // The mount point of the registry.
        std::fs::create_dir_all(&registry)?;
    }
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
        return Ok(Err(BuildError::TimedOut(limits.time.as_secs())));
    }
    if done.code == Some(0) {
        return Ok(Ok(()));
    }

    Ok(Err(BuildError::Compiler(compiler_errors(
        &String::from_utf8_lossy(&done.stderr),
    ))))
}

/// The compiler's errors as far as they concern the student's own files:
/// for each error located in `src/`, its location, code and message, in
/// printable ASCII and cut short; at most ten. Nothing else of the
/// compiler's output is shown (not the source lines it quotes, not notes
/// about other files), so a compile-time panic or `compile_error!` can
/// quote nothing from elsewhere into a report beyond one short message.
///
/// Expects cargo's `--message-format short` lines:
/// `/judge/crate/src/x.rs:3:5: error[E0308]: mismatched types`.
pub fn compiler_errors(stderr: &str) -> String {
    const LINE: usize = 200;
    let clean = |text: &str| -> String {
        let mut out: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(LINE + 1)
            .collect();
        if out.len() > LINE {
            out.truncate(LINE);
            out.push_str("...");
        }
        out
    };
    let mut errors: Vec<String> = Vec::new();
    for line in stderr.lines() {
        let rest = line.strip_prefix(&format!("{CRATE}/")).unwrap_or(line);
        let Some((place, message)) = rest.split_once(": error") else {
            continue;
        };
        // `src/lib.rs:3:5`: a file of the student's, and numbers.
        let mut parts = place.split(':');
        let file = parts.next().unwrap_or_default();
        let numbers: Vec<&str> = parts.collect();
        let file_ok = file.starts_with("src/")
            && !file.contains("..")
            && file.len() <= 120
            && file
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c));
        let numbers_ok = numbers.len() == 2
            && numbers.iter().all(|n| {
                !n.is_empty()
                    && n.len() <= 7
                    && n.bytes().all(|b| b.is_ascii_digit())
            });
        if !file_ok || !numbers_ok {
            continue;
        }
        // `[E0308]: mismatched types` or `: cannot find ...`.
        let (code, message) = match message.strip_prefix('[') {
            Some(m) => match m.split_once("]: ") {
                Some((code, msg))
                    if code.len() == 5
                        && code.starts_with('E')
                        && code[1..].bytes().all(|b| b.is_ascii_digit()) =>
                {
                    (format!("[{code}]"), msg)
                }
                _ => continue,
            },
            None => match message.strip_prefix(": ") {
                Some(msg) => (String::new(), msg),
                None => continue,
            },
        };
        errors.push(format!("{place}: error{code}: {}", clean(message)));
        if errors.len() == 10 {
            break;
        }
    }
    if errors.is_empty() {
        return "the build failed without a compiler error in src/ (a \
                limit was hit, or an error in a file the judge supplies)"
            .into();
    }
    errors.join("\n")
}

/// One line of a runner's output, or its end.
enum Line {
    Text(String),
    End,
}

/// A running runner: one sandboxed process that answers one exercise's
/// questions in turn. Requests go through a writer thread of its own, so
/// that a runner that stops reading (with its pipe full) blocks only that
/// thread, never the judge; killing the sandbox ends the write.
struct Session {
    process: sandbox::Sandboxed,
    requests: std::sync::mpsc::Sender<Vec<u8>>,
    lines: std::sync::mpsc::Receiver<Line>,
    exercise: String,
    marker: String,
}

impl Session {
    fn kill(mut self) -> Option<i32> {
        self.process.kill()
    }
}

/// Reads `out` line by line into `tx`, cutting any line at `cap` bytes.
fn read_lines(
    out: std::process::ChildStdout,
    tx: std::sync::mpsc::Sender<Line>,
    cap: usize,
) {
    use std::io::Read;
    let mut out = out;
    let mut buf = [0u8; 8192];
    let mut line = Vec::new();
    loop {
        let n = match out.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if b == b'\n' || line.len() >= cap {
                let text = String::from_utf8_lossy(&line).into_owned();
                if tx.send(Line::Text(text)).is_err() {
                    return;
                }
                line.clear();
            }
            if b != b'\n' {
                line.push(b);
            }
        }
    }
    let _ = tx.send(Line::End);
}

/// Asks a built runner for answers. Each exercise gets a fresh sandboxed
/// process, which answers that exercise's questions in turn (so nothing
/// one exercise's code does can reach another's); a process that crashes,
/// runs out of time or prints too much is killed, and the next question
/// starts a new one. Past the submission's deadline every question is
/// answered "out of time" at once, and [`Runner::out_of_time`] says so.
pub struct Runner<'a> {
    /// The runner binary on the host.
    pub binary: PathBuf,
    /// Limits per process; `time` is per question.
    pub limits: Limits,
    /// Isolation.
    pub isolation: Isolation,
    /// Fresh markers.
    pub rng: &'a mut attn_common::rng::SplitMix64,
    /// Questions asked, for the report.
    pub calls: usize,
    /// When the whole submission's time runs out.
    pub deadline: Option<Instant>,
    out_of_time: bool,
    session: Option<Session>,
}

impl<'a> Runner<'a> {
    /// A runner of `binary`, not started yet, with no deadline of its own
    /// beyond each question's.
    pub fn new(
        binary: PathBuf,
        limits: Limits,
        isolation: Isolation,
        rng: &'a mut attn_common::rng::SplitMix64,
    ) -> Runner<'a> {
        Runner {
            binary,
            limits,
            isolation,
            rng,
            calls: 0,
            deadline: None,
            out_of_time: false,
            session: None,
        }
    }

    /// The same, with the submission's deadline: no question waits past
    /// it.
    pub fn with_deadline(mut self, deadline: Instant) -> Runner<'a> {
        self.deadline = Some(deadline);
        self
    }

    /// Whether the submission's deadline passed while asking.
    pub fn out_of_time(&self) -> bool {
        self.out_of_time
    }

    fn start(&mut self, exercise: &str) -> Result<Session> {
        let program = PathBuf::from(RUNNER_INSIDE);
        let mut process = sandbox::spawn(
            &Job {
                program: &program,
                args: &[],
                env: &[],
                cwd: Path::new("/tmp"),
                mounts: &[Mount::ro(&self.binary, RUNNER_INSIDE)],
                stdin: b"",
            },
            &self.limits,
            self.isolation,
        )?;
        let mut stdin = process.child.stdin.take().context("no stdin")?;
        let stdout = process.child.stdout.take().context("no stdout")?;
        let (tx, lines) = std::sync::mpsc::channel();
        let cap = self.limits.output;
        std::thread::spawn(move || read_lines(stdout, tx, cap));
        let (requests, inbox) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            use std::io::Write;
            // Ends when the session is dropped (the channel closes) or the
            // process is killed (the write fails).
            while let Ok(bytes) = inbox.recv() {
                if stdin
                    .write_all(&bytes)
                    .and_then(|()| stdin.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        Ok(Session {
            process,
            requests,
            lines,
            exercise: exercise.to_string(),
            marker: format!(
                "@@judge-{:016x}{:016x}@@",
                self.rng.next_u64(),
                self.rng.next_u64()
            ),
        })
    }

    fn ended(&self, code: Option<i32>) -> Reply {
        Reply::Crashed(match code {
            Some(0) => "exited before giving an answer".into(),
            Some(c) => format!("exited with status {c} before answering"),
            None => "was killed (out of memory, or a crash)".into(),
        })
    }

    fn time_is_up(&mut self) -> Reply {
        self.out_of_time = true;
        if let Some(s) = self.session.take() {
            s.kill();
        }
        Reply::Crashed("ran out of the time for the whole submission".into())
    }
}

impl Drop for Runner<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            s.kill();
        }
    }
}

impl Oracle for Runner<'_> {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        use std::sync::mpsc::RecvTimeoutError;
        self.calls += 1;
        let now = Instant::now();
        if self.out_of_time || self.deadline.is_some_and(|d| now >= d) {
            return self.time_is_up();
        }
        // A new exercise gets a new process.
        if self
            .session
            .as_ref()
            .is_some_and(|s| s.exercise != exercise)
            && let Some(s) = self.session.take()
        {
            s.kill();
        }
        if self.session.is_none() {
            match self.start(exercise) {
                Ok(s) => self.session = Some(s),
                Err(e) => {
                    return Reply::Crashed(format!(
                        "could not be started: {e}"
                    ));
                }
            }
        }
        let Some(session) = self.session.take() else {
            return Reply::Crashed("could not be started".into());
        };
        let request = json!({
            "exercise": exercise,
            "input": input,
            "marker": session.marker,
        });
        if session
            .requests
            .send(format!("{request}\n").into_bytes())
            .is_err()
        {
            let code = session.kill();
            return self.ended(code);
        }
        // The question's own limit, and never past the submission's.
        let mut deadline = Instant::now() + self.limits.time;
        let whole = self.deadline.is_some_and(|d| d < deadline);
        if let Some(d) = self.deadline.filter(|_| whole) {
            deadline = d;
        }
        let mut printed = 0usize;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match session.lines.recv_timeout(left) {
                Ok(Line::Text(line)) => {
                    if let Some(rest) = line.strip_prefix(&session.marker) {
                        let Ok(reply) = attn_common::answer::parse(rest) else {
                            session.kill();
                            return Reply::Crashed(
                                "gave a malformed answer".into(),
                            );
                        };
                        let answer = if let Some(v) = reply.get("value") {
                            Reply::Value(v.clone())
                        } else if let Some(e) = reply.get("error") {
                            Reply::Error(
                                e.as_str().unwrap_or_default().to_string(),
                            )
                        } else {
                            Reply::Crashed(
                                "panicked (a todo!() still there, an unwrap \
                                 on an error, an index out of range, ...)"
                                    .into(),
                            )
                        };
                        self.session = Some(session);
                        return answer;
                    }
                    printed += line.len() + 1;
                    if printed > self.limits.output {
                        session.kill();
                        return Reply::Crashed(
                            "printed more output than allowed".into(),
                        );
                    }
                }
                Ok(Line::End) | Err(RecvTimeoutError::Disconnected) => {
                    // Its output ended: it exited or was killed. Give it a
                    // moment to finish, for its status.
                    std::thread::sleep(Duration::from_millis(20));
                    let code = session.kill();
                    return self.ended(code);
                }
                Err(RecvTimeoutError::Timeout) => {
                    session.kill();
                    if whole {
                        return self.time_is_up();
                    }
                    return Reply::Crashed(format!(
                        "ran out of time ({} s)",
                        self.limits.time.as_secs()
                    ));
                }
            }
        }
    }
}

/// The reference, asked in-process.
pub struct Reference(pub crate::chapters::Reference);

impl Oracle for Reference {
    fn ask(&mut self, exercise: &str, input: &Value) -> Reply {
        let f = self.0;
        // The student's runner reads the input from JSON text: so does the
        // reference, so that both see exactly the same numbers.
        let Ok(input) = attn_common::answer::parse(&input.to_string()) else {
            return Reply::Crashed("the input does not survive JSON".into());
        };
        match std::panic::catch_unwind(|| f(exercise, &input)) {
            Ok(Ok(v)) => Reply::Value(v),
            Ok(Err(e)) => Reply::Error(format!("{e:#}")),
            Err(_) => Reply::Crashed("the reference panicked".into()),
        }
    }
}

/// The build's time limit when `ATTN_JUDGE_BUILD_SECONDS` does not set
/// one: what a compile-time bomb (a loop in constant evaluation, say)
/// can cost at most. An honest build of one chapter takes a few seconds.
pub const BUILD_SECONDS: u64 = 60;

/// The time for a submission's calls, all together, on top of its build,
/// when `ATTN_JUDGE_CALLS_SECONDS` does not set it: with the build's
/// limit, a submission's whole deadline. Honest work needs about a second.
pub const CALLS_SECONDS: u64 = 60;

/// Whole seconds, at least 1, from environment variable `var`, or
/// `default`.
fn seconds(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&s| (1..=86_400).contains(&s))
        .unwrap_or(default)
}

/// The build's time limit: `ATTN_JUDGE_BUILD_SECONDS`, or
/// [`BUILD_SECONDS`].
pub fn build_seconds() -> u64 {
    seconds("ATTN_JUDGE_BUILD_SECONDS", BUILD_SECONDS)
}

/// The time for all of a submission's calls: `ATTN_JUDGE_CALLS_SECONDS`,
/// or [`CALLS_SECONDS`].
pub fn calls_seconds() -> u64 {
    seconds("ATTN_JUDGE_CALLS_SECONDS", CALLS_SECONDS)
}

/// A submission's whole time: its build's limit and its calls'.
pub fn submission_seconds() -> u64 {
    build_seconds() + calls_seconds()
}

/// When a submission whose grading starts now must be done.
pub fn submission_deadline() -> Instant {
    Instant::now() + Duration::from_secs(submission_seconds())
}

/// Limits for the build of one submission. Only one process of the build
/// at a time runs code the student controls (rustc, evaluating constants:
/// the submission has no build script, procedural macro or dependency of
/// its own, and the chapter's library and the runner that needs it are
/// compiled one after the other), so without a cgroup each process may
/// have the whole memory.
pub fn build_limits(uid: u32) -> Limits {
    Limits {
        time: Duration::from_secs(build_seconds()),
        memory: 4 << 30,
        processes: 256,
        fallback_processes: 128,
        fallback_process_memory: 4 << 30,
        file_size: 1 << 30,
        output: 256 << 10,
        uid,
    }
}

/// Limits for one call of a runner: 2 GiB for the whole sandbox; without
/// a cgroup, 4 processes (or threads) of at most 512 MiB each.
pub fn call_limits(uid: u32, seconds: u64) -> Limits {
    Limits {
        time: Duration::from_secs(seconds),
        memory: 2 << 30,
        processes: 32,
        fallback_processes: 4,
        fallback_process_memory: 512 << 20,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_errors_keep_only_the_students_files_in_one_short_line() {
        let secret = "GITHUB_TOKEN=abc123";
        let long = "x".repeat(500);
        let stderr = format!(
            "/judge/crate/src/exercises.rs:3:5: error[E0308]: mismatched types\n\
             src/lib.rs:10:1: error[E0080]: evaluation panicked: {long}\n\
             /judge/home/cargo/registry/src/ndarray/lib.rs:1:1: error: {secret}\n\
             judge-runner/main.rs:2:2: error[E0425]: {secret}\n\
             src/../../etc/x.rs:1:1: error: {secret}\n\
             src/a.rs:1:1: warning: unused {secret}\n\
             src/a.rs:x:1: error: {secret}\n\
             error: could not compile `ch05` (lib) due to 2 previous errors; {secret}\n\
             src/b.rs:4:2: error: bell \u{7} and escape \u{1b}[31m\n"
        );
        let text = compiler_errors(&stderr);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[0],
            "src/exercises.rs:3:5: error[E0308]: mismatched types"
        );
        assert!(lines[1].starts_with("src/lib.rs:10:1: error[E0080]: "));
        assert!(lines[1].len() < 300 && lines[1].ends_with("..."));
        assert_eq!(lines[2], "src/b.rs:4:2: error: bell ? and escape ?[31m");
        assert!(!text.contains(secret), "{text}");
    }

    #[test]
    fn no_error_in_src_says_so_without_quoting_anything() {
        let text = compiler_errors("error: linking with `cc` failed: /root/x");
        assert!(!text.contains("/root"), "{text}");
        assert!(text.contains("without a compiler error in src/"), "{text}");
    }
}
