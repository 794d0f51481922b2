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
const RUNNER: &str = r#"//! Added by the judge: answers requests, one per line. Not part of the
//! assignment.
use std::io::BufRead;

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let mut line = String::new();
    let mut stdin = std::io::stdin().lock();
    while stdin.read_line(&mut line).unwrap_or(0) > 0 {
        let request = attn_common::answer::parse(&line).unwrap_or_default();
        line.clear();
        let exercise = request["exercise"].as_str().unwrap_or("").to_string();
        let marker = request["marker"].as_str().unwrap_or("").to_string();
        let input = request["input"].clone();
        let result = std::panic::catch_unwind(|| {
            CHAPTER::answer::answer(&exercise, &input)
        });
        let reply = match result {
            Ok(Ok(value)) => attn_common::answer::json!({ "value": value }),
            Ok(Err(e)) => {
                attn_common::answer::json!({ "error": format!("{e:#}") })
            }
            Err(_) => attn_common::answer::json!({ "panic": true }),
        };
        println!("\n{marker}{reply}");
    }
}
"#;

/// Changes whenever the way the judge builds changes, so that caches made
/// the old way are not reused.
pub const BUILD_VERSION: u32 = 2;

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
        // Incremental: the cache holds the unmodified assignment's
        // incremental data, so a submission recompiles only what changed
        // (about ten times faster than a full build of the chapter).
        ("CARGO_INCREMENTAL", "1".into()),
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

/// One line of a runner's output, or its end.
enum Line {
    Text(String),
    End,
}

/// A running runner: one sandboxed process that answers one exercise's
/// questions in turn.
struct Session {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<Line>,
    exercise: String,
    marker: String,
}

impl Session {
    fn kill(mut self) -> Option<i32> {
        sandbox::kill_group(self.child.id());
        self.child.wait().ok().and_then(|s| s.code())
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
/// starts a new one.
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
    session: Option<Session>,
}

impl<'a> Runner<'a> {
    /// A runner of `binary`, not started yet.
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
            session: None,
        }
    }

    fn start(&mut self, exercise: &str) -> Result<Session> {
        let program = PathBuf::from(RUNNER_INSIDE);
        let mut child = sandbox::spawn(
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
        let stdin = child.stdin.take().context("no stdin")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, lines) = std::sync::mpsc::channel();
        let cap = self.limits.output;
        std::thread::spawn(move || read_lines(stdout, tx, cap));
        Ok(Session {
            child,
            stdin,
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
        use std::io::Write;
        use std::sync::mpsc::RecvTimeoutError;
        self.calls += 1;
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
        let Some(mut session) = self.session.take() else {
            return Reply::Crashed("could not be started".into());
        };
        let request = json!({
            "exercise": exercise,
            "input": input,
            "marker": session.marker,
        });
        if writeln!(session.stdin, "{request}")
            .and_then(|()| session.stdin.flush())
            .is_err()
        {
            let code = session.kill();
            return self.ended(code);
        }
        let deadline = std::time::Instant::now() + self.limits.time;
        let mut printed = 0usize;
        loop {
            let left =
                deadline.saturating_duration_since(std::time::Instant::now());
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
