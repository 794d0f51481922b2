//! Running untrusted code: bubblewrap namespaces, resource limits, a time
//! limit, capped output, and the whole process tree killed at the end.
//!
//! On Linux every student process (the build of the student's crate, and
//! each call of its runner) runs under `bwrap` with:
//! - new user, PID, network, IPC, UTS and cgroup namespaces: no network,
//!   no view of other processes, and every process in the sandbox dies
//!   with it (`--die-with-parent`, PID namespace);
//! - a file system made only of the system's `/usr` (read-only), the Rust
//!   toolchain and the crate registry (read-only), the folders a step
//!   needs (`Mount`s), and an empty, size-capped `/tmp`: the book's
//!   repository, the judge, other submissions and the home folder are not
//!   there at all;
//! - `prlimit` limits on address space, processes, file size and open
//!   files; when the judge runs as root, bubblewrap runs privileged and the
//!   program drops to an unprivileged user id of its own (`Limits::uid`)
//!   with no capabilities, since root is exempt from the process limit;
//! - a wall-clock limit, after which the process group is killed;
//! - stdout and stderr read up to a cap, the rest drained and dropped.
//!
//! `Isolation::None` runs the same command without bubblewrap, for
//! systems where it is missing: limits and time still apply, but the code
//! can read whatever the instructor can. The guide says so.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether processes are isolated with bubblewrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// bubblewrap namespaces (Linux).
    Bwrap,
    /// No isolation: only limits and time. For trusted code or systems
    /// without bubblewrap, and said plainly in every report.
    None,
}

impl Isolation {
    /// Bubblewrap if it is installed; otherwise an error that says how to
    /// install it, or how to go on without it knowingly.
    pub fn detect() -> Result<Isolation> {
        let ok = Command::new("bwrap")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Ok(Isolation::Bwrap)
        } else {
            bail!(
                "bubblewrap (`bwrap`) is not installed, and grading runs \
                 student code inside it. Install it (Debian/Ubuntu: `sudo \
                 apt-get install bubblewrap`; Fedora: `sudo dnf install \
                 bubblewrap`), or pass --unsandboxed to grade without \
                 isolation, only for code you trust"
            )
        }
    }

    /// For tests that need the sandbox: bubblewrap if it is installed.
    /// Without it, a test returns early after saying so on one line that
    /// names the fix, written straight to stderr so that the test
    /// harness's capture cannot hide it; where `CI` is set the sandbox is
    /// required, and its absence panics.
    ///
    /// ```ignore
    /// let Some(isolation) = Isolation::for_tests("attacks::honest") else {
    ///     return;
    /// };
    /// ```
    pub fn for_tests(test: &str) -> Option<Isolation> {
        match Isolation::detect() {
            Ok(isolation) => Some(isolation),
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("{test}: CI requires the sandbox tests to run: {e:#}")
            }
            Err(_) => {
                let line = format!(
                    "\nNOT RUN (needs bubblewrap): {test}. Install it to \
                     run the sandbox tests: `sudo apt-get install \
                     bubblewrap` (Debian/Ubuntu) or `sudo dnf install \
                     bubblewrap` (Fedora); CI always runs them.\n"
                );
                // Not eprintln!: libtest captures that for passing tests.
                let _ = std::io::stderr().write_all(line.as_bytes());
                None
            }
        }
    }
}

/// A folder made visible inside the sandbox.
#[derive(Debug, Clone)]
pub struct Mount {
    /// The folder (or file) on the host.
    pub host: PathBuf,
    /// Where it appears inside.
    pub inside: PathBuf,
    /// Whether the sandbox may write to it.
    pub writable: bool,
}

impl Mount {
    /// `host` visible read-only at `inside`.
    pub fn ro(host: impl Into<PathBuf>, inside: impl Into<PathBuf>) -> Mount {
        Mount {
            host: host.into(),
            inside: inside.into(),
            writable: false,
        }
    }

    /// `host` visible read-write at `inside`.
    pub fn rw(host: impl Into<PathBuf>, inside: impl Into<PathBuf>) -> Mount {
        Mount {
            host: host.into(),
            inside: inside.into(),
            writable: true,
        }
    }
}

/// Resource limits for one sandboxed process tree.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time.
    pub time: Duration,
    /// Address space per process, bytes.
    pub memory: u64,
    /// Processes (and threads) for the sandbox's user.
    pub processes: u64,
    /// Largest file a process may write, bytes; also the size of `/tmp`.
    pub file_size: u64,
    /// Bytes of stdout (and of stderr) kept.
    pub output: usize,
    /// The user id the sandbox runs as when the judge is root; distinct
    /// per concurrent grading so one sandbox's processes never count
    /// against another's limit.
    pub uid: u32,
}

/// How a sandboxed process ended.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The first `Limits::output` bytes of stdout.
    pub stdout: Vec<u8>,
    /// The first `Limits::output` bytes of stderr.
    pub stderr: Vec<u8>,
    /// Exit code, if it exited.
    pub code: Option<i32>,
    /// Whether the time limit ran out.
    pub timed_out: bool,
    /// Whether stdout went past the cap.
    pub truncated: bool,
}

/// What to run.
pub struct Job<'a> {
    /// The program, as seen inside the sandbox.
    pub program: &'a Path,
    /// Its arguments.
    pub args: &'a [String],
    /// Environment (the rest is cleared).
    pub env: &'a [(String, String)],
    /// Working folder inside.
    pub cwd: &'a Path,
    /// Folders to show.
    pub mounts: &'a [Mount],
    /// Bytes for stdin.
    pub stdin: &'a [u8],
}

fn bwrap_args(job: &Job, limits: &Limits, root: bool) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| s.to_string()));
    if root {
        // Privileged bubblewrap: every namespace but the user one, and
        // only the right to drop to our own user id (done by `setpriv`
        // below, which then drops that right too). A process whose real
        // user is not root is bound by the process limit.
        push(&[
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
        ]);
    } else {
        push(&["--unshare-all"]);
    }
    push(&[
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
    ]);
    a.push(limits.file_size.to_string());
    a.extend(["--tmpfs".into(), "/tmp".into()]);
    a.extend([
        "--perms".into(),
        "0755".into(),
        "--dir".into(),
        "/judge".into(),
    ]);
    // Merged /usr (Debian, Fedora...) has /lib, /bin as links into /usr;
    // elsewhere they are folders of their own.
    for top in ["lib", "lib64", "bin", "sbin", "lib32"] {
        let host = Path::new("/").join(top);
        match std::fs::read_link(&host) {
            Ok(target) => a.extend([
                "--symlink".into(),
                target.display().to_string(),
                host.display().to_string(),
            ]),
            Err(_) if host.is_dir() => a.extend([
                "--ro-bind".into(),
                host.display().to_string(),
                host.display().to_string(),
            ]),
            Err(_) => {}
        }
    }
    // The compiler driver (`cc`) is a link through /etc/alternatives on
    // Debian; the loader's cache names the library folders. Nothing else
    // of /etc is shown.
    a.extend([
        "--perms".into(),
        "0755".into(),
        "--dir".into(),
        "/etc".into(),
    ]);
    for etc in ["/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf"] {
        if Path::new(etc).exists() {
            a.extend(["--ro-bind".into(), etc.into(), etc.into()]);
        }
    }
    for m in job.mounts {
        a.push(if m.writable { "--bind" } else { "--ro-bind" }.into());
        a.push(m.host.display().to_string());
        a.push(m.inside.display().to_string());
    }
    // Nothing else is writable: not even the sandbox's own root.
    a.extend(["--remount-ro".into(), "/".into()]);
    a.extend(["--chdir".into(), job.cwd.display().to_string()]);
    a.push("--clearenv".into());
    for (k, v) in job.env {
        a.extend(["--setenv".into(), k.clone(), v.clone()]);
    }
    a.push("--".into());
    if root {
        a.extend(
            [
                "setpriv",
                &format!("--reuid={}", limits.uid),
                &format!("--regid={}", limits.uid),
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
    }
    a.push(job.program.display().to_string());
    a.extend(job.args.iter().cloned());
    a
}

/// A user id of the process whose `/proc/.../status` is at `status`:
/// `which` 0 is the real one, 1 the effective one (read without a libc
/// dependency).
fn uid(status: &Path, which: usize) -> Option<String> {
    let text = std::fs::read_to_string(status).ok()?;
    let line = text.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1 + which).map(String::from)
}

/// Whether the judge runs as root (its effective uid is 0).
pub fn is_root() -> bool {
    uid(Path::new("/proc/self/status"), 1).as_deref() == Some("0")
}

/// How many processes the judge's own user has now: a sandbox of a
/// non-root judge counts against the same total.
fn own_process_count() -> u64 {
    let me = uid(Path::new("/proc/self/status"), 0);
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter(|e| uid(&e.path().join("status"), 0) == me)
        .count() as u64
}

/// The command that runs `job` under `limits`: `prlimit` around `bwrap`
/// around the program.
fn command(job: &Job, limits: &Limits, isolation: Isolation) -> Command {
    let root = is_root();
    let nproc = if root {
        limits.processes
    } else {
        own_process_count() + limits.processes
    };
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={}", limits.memory))
        .arg(format!("--nproc={nproc}"))
        .arg(format!("--fsize={}", limits.file_size))
        .arg("--nofile=256")
        .arg("--core=0")
        .arg("--");
    match isolation {
        Isolation::Bwrap => {
            cmd.arg("bwrap").args(bwrap_args(job, limits, root));
        }
        Isolation::None => {
            // Mounts become real paths: the program sees the host's
            // folders. Only for trusted code.
            let map = |p: &Path| -> PathBuf {
                for m in job.mounts {
                    if let Ok(rest) = p.strip_prefix(&m.inside) {
                        return m.host.join(rest);
                    }
                }
                p.to_path_buf()
            };
            cmd.arg("env").arg("-i");
            for (k, v) in job.env {
                let v = v
                    .split(':')
                    .map(|part| map(Path::new(part)).display().to_string())
                    .collect::<Vec<_>>()
                    .join(":");
                cmd.arg(format!("{k}={v}"));
            }
            cmd.arg(map(job.program));
            cmd.args(job.args);
            cmd.current_dir(map(job.cwd));
        }
    }
    cmd
}

/// Reads at most `cap` bytes from `r`, draining and dropping the rest.
fn read_capped(mut r: impl Read, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut over = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                over |= n > room;
            }
        }
    }
    (kept, over)
}

/// Runs `job` with `limits`, killing its whole process group when it
/// ends or its time runs out.
pub fn run(
    job: &Job,
    limits: &Limits,
    isolation: Isolation,
) -> Result<Finished> {
    use std::os::unix::process::CommandExt;
    let mut cmd = command(job, limits, isolation);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().context("starting the sandbox (prlimit)")?;
    let pgid = child.id();
    let mut stdin = child.stdin.take().context("no stdin")?;
    let input = job.stdin.to_vec();
    // A child that never reads its input must not block us.
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.stdout.take().context("no stdout")?;
    let err = child.stderr.take().context("no stderr")?;
    let cap = limits.output;
    let out_reader = std::thread::spawn(move || read_capped(out, cap));
    let err_reader = std::thread::spawn(move || read_capped(err, cap));
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() >= limits.time {
            timed_out = true;
            kill_group(pgid);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Anything the program left behind in its group goes too (outside a
    // PID namespace this is what stops a detached grandchild).
    kill_group(pgid);
    let _ = feeder.join();
    let (stdout, truncated) = out_reader.join().unwrap_or_default();
    let (stderr, _) = err_reader.join().unwrap_or_default();
    Ok(Finished {
        stdout,
        stderr,
        code: status.code(),
        timed_out,
        truncated,
    })
}

/// Starts `job` under `limits` with piped stdin and stdout (stderr
/// dropped), in a process group of its own, for a conversation; the caller
/// kills the group ([`kill_group`]) when done. The time limit is the
/// caller's to enforce, per question.
pub fn spawn(
    job: &Job,
    limits: &Limits,
    isolation: Isolation,
) -> Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    let mut cmd = command(job, limits, isolation);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    cmd.spawn().context("starting the sandbox (prlimit)")
}

/// Kills process group `pgid` (a sandbox and everything it started).
pub fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            time: Duration::from_secs(5),
            memory: 1 << 30,
            processes: 64,
            file_size: 1 << 20,
            output: 1000,
            uid: 60_999,
        }
    }

    fn sh(script: &str, isolation: Isolation, limits: &Limits) -> Finished {
        let args = vec!["-c".to_string(), script.to_string()];
        let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
        run(
            &Job {
                program: Path::new("/bin/sh"),
                args: &args,
                env: &env,
                cwd: Path::new("/tmp"),
                mounts: &[],
                stdin: b"",
            },
            limits,
            isolation,
        )
        .unwrap()
    }

    /// Whether `prlimit` (util-linux, on every Linux; not on macOS),
    /// which sets the limits, is installed: without it a test says on one
    /// line that it did not run, unless `CI` is set, where it fails.
    fn has_prlimit(test: &str) -> bool {
        let ok = Command::new("prlimit")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok && std::env::var_os("CI").is_some() {
            panic!("{test}: CI requires prlimit (util-linux)");
        }
        if !ok {
            let line = format!(
                "\nNOT RUN (needs prlimit, from util-linux on Linux): \
                 sandbox::tests::{test}; CI always runs it.\n"
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        ok
    }

    #[test]
    fn output_is_capped_and_time_runs_out() {
        if !has_prlimit("output_is_capped_and_time_runs_out") {
            return;
        }
        let mut l = limits();
        l.time = Duration::from_millis(500);
        let f = sh("yes; sleep 100", Isolation::None, &l);
        assert!(f.timed_out);
        assert_eq!(f.stdout.len(), 1000);
        assert!(f.truncated);
    }

    #[test]
    fn the_sandbox_sees_no_home_no_repository_and_no_network() {
        let Some(bwrap) = Isolation::for_tests(
            "judge::sandbox::tests::the_sandbox_sees_no_home_no_repository_and_no_network",
        ) else {
            return;
        };
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let script = format!(
            "ls {} 2>/dev/null && echo SAW-REPO; ls /root/.cargo 2>/dev/null \
             && echo SAW-HOME; cat /etc/passwd 2>/dev/null && echo SAW-ETC; \
             echo > /usr/x 2>/dev/null && echo WROTE; \
             (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo NET; echo end",
            here.display()
        );
        let f = sh(&script, bwrap, &limits());
        let out = String::from_utf8_lossy(&f.stdout);
        assert_eq!(out.trim(), "end", "{out}");
    }

    #[test]
    fn a_fork_bomb_hits_the_process_limit_and_everything_dies() {
        let Some(bwrap) = Isolation::for_tests(
            "judge::sandbox::tests::a_fork_bomb_hits_the_process_limit_and_everything_dies",
        ) else {
            return;
        };
        let mut l = limits();
        l.time = Duration::from_secs(2);
        // A sleep length of this process's own, so a test running beside
        // this one (another clone, say) is not counted.
        let tag = 30_000 + std::process::id() % 10_000;
        l.uid = 60_000 + std::process::id() % 10_000;
        let f = sh(
            &format!(
                "i=0; while [ $i -lt 200 ]; do sleep {tag} & i=$((i+1)); \
                 done; echo started; wait"
            ),
            bwrap,
            &l,
        );
        let err = String::from_utf8_lossy(&f.stderr);
        assert!(err.contains("fork") || f.timed_out, "{err}");
        // Nothing of it survives the sandbox.
        std::thread::sleep(Duration::from_millis(200));
        let ps = Command::new("sh")
            .args([
                "-c",
                &format!("ps -eo args | grep -c '^sleep {tag}$' || true"),
            ])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&ps.stdout).trim(), "0");
    }

    #[test]
    fn memory_is_limited() {
        let Some(bwrap) =
            Isolation::for_tests("judge::sandbox::tests::memory_is_limited")
        else {
            return;
        };
        let mut l = limits();
        l.memory = 64 << 20;
        // Ask for 200 MB of /tmp-free memory: `head` keeps it in a pipe,
        // so use a shell variable that grows past the limit.
        let f =
            sh("x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done", bwrap, &l);
        assert!(!f.timed_out, "should die of memory, not time");
        assert_ne!(f.code, Some(0));
    }
}
