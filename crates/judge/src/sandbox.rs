//! Running untrusted code: bubblewrap namespaces, limits for the whole
//! sandbox, a time limit, capped output, and every process killed at the
//! end.
//!
//! On Linux every student process (the build of the student's crate, and
//! each call of its runner) runs under `bwrap` with:
//! - new PID, network, IPC, UTS, cgroup and user namespaces: no network,
//!   no view of other processes, and every process in the sandbox dies
//!   with it (`--die-with-parent`, PID namespace). The user namespace is
//!   fresh for every run, so kernel state keyed on it (the user's
//!   keyrings) does not outlive the run;
//! - no `/proc` at all: no process's environment, command line or mount
//!   table (which names host paths) can be read, not even the sandbox's
//!   own;
//! - a file system made only of the system's `/usr` (read-only), the Rust
//!   toolchain and the crate registry (read-only), the folders a step
//!   needs (`Mount`s), a read-only `/dev` with the usual devices, and an
//!   empty, size-capped `/tmp` and `/dev/shm`: the book's repository, the
//!   judge, other submissions and the home folder are not there at all;
//! - limits for the whole sandbox ([`Limits`]): with a cgroup of its own
//!   (v2, or v1's memory and pids controllers, when the judge may create
//!   them) memory and processes are summed over every process of the
//!   sandbox and CPU is shared fairly between sandboxes; without one, the
//!   stated fallback is fewer processes, each with a smaller address
//!   space, so that their sum stays under the same total;
//! - when the judge is root, the sandbox runs as a user id of its own,
//!   drawn from a reserved range ([`SandboxBox`]) with a lock file per id,
//!   so that two gradings at once on one machine never share one;
//! - a wall-clock limit, after which the process group is killed;
//! - stdout and stderr read up to a cap, the rest drained and dropped.
//!
//! The launcher itself (`prlimit`, `bwrap`) starts with an empty
//! environment but for `PATH`: nothing of the instructor's environment
//! reaches the sandbox, not even through its first process.
//!
//! `Isolation::None` runs the same command without bubblewrap, for
//! systems where it cannot run: limits and time still apply, and a root
//! judge still runs the code as a sandbox user id when the toolchain is
//! readable by every user, but the code can read whatever that user (or
//! the instructor) can. The guide says so.

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

/// Resource limits for one sandbox (all the processes of one run).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time.
    pub time: Duration,
    /// Memory for the whole sandbox, bytes: every process's, with its
    /// files in `/tmp` and `/dev/shm`, summed (a cgroup's limit).
    pub memory: u64,
    /// Processes (and threads) for the whole sandbox.
    pub processes: u64,
    /// Without a cgroup: the processes allowed instead of `processes`.
    pub fallback_processes: u64,
    /// Without a cgroup: the address space of each process, bytes, chosen
    /// so that `fallback_processes` of them stay within `memory` wherever
    /// student code can start processes.
    pub fallback_process_memory: u64,
    /// Largest file a process may write, bytes; also the size of `/tmp`
    /// and of `/dev/shm`.
    pub file_size: u64,
    /// Bytes of stdout (and of stderr) kept.
    pub output: usize,
    /// The user id the sandbox runs as when the judge is root (from a
    /// [`SandboxBox`], so that no two gradings at once share it).
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

/// The first user id of the range the judge reserves for its sandboxes
/// when it runs as root, unless `ATTN_JUDGE_FIRST_UID` says otherwise:
/// box `id` runs as `first_uid() + id`, for ids below [`BOXES`]. Nothing
/// else on the machine may use these ids (the instructor's guide says
/// so); they are far above the ids that user databases hand out.
pub const FIRST_UID: u32 = 1_879_048_192;

/// The first sandbox user id: `ATTN_JUDGE_FIRST_UID` (at least 1000, and
/// leaving room for [`BOXES`] ids below 2^32 - 1), or [`FIRST_UID`]. A
/// container whose user namespace maps only 65536 ids (rootless Podman)
/// needs a range inside them; the container recipe sets 60000.
pub fn first_uid() -> u32 {
    std::env::var("ATTN_JUDGE_FIRST_UID")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&u| u >= 1000 && u.checked_add(BOXES + 1).is_some())
        .unwrap_or(FIRST_UID)
}
/// How many sandboxes can run at once on one machine.
pub const BOXES: u32 = 1000;

/// One sandbox slot: a box id held by a lock file for as long as this
/// value lives, and the user id that goes with it. Two gradings at once
/// on one machine (in one judge or several) never hold the same box.
#[derive(Debug)]
pub struct SandboxBox {
    /// The box id, below [`BOXES`].
    pub id: u32,
    /// `first_uid() + id` when the judge is root; the judge's own user id
    /// otherwise (a non-root judge cannot take another).
    pub uid: u32,
    _lock: std::fs::File,
}

impl SandboxBox {
    /// The folder of the lock files: `/run/attn-judge` for root (only root
    /// may write there), a folder of the user's own under the temp folder
    /// otherwise.
    fn lock_dir() -> Result<PathBuf> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let me: u32 = uid(Path::new("/proc/self/status"), 1)
            .and_then(|u| u.parse().ok())
            .context("reading the judge's own user id")?;
        let dir = if me == 0 && Path::new("/run").is_dir() {
            PathBuf::from("/run/attn-judge")
        } else {
            std::env::temp_dir().join(format!("attn-judge-boxes-{me}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => std::fs::set_permissions(
                &dir,
                std::fs::Permissions::from_mode(0o755),
            )?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).context(format!("creating {}", dir.display()));
            }
        }
        // Not a link, ours, and writable by no one else: nobody can hold
        // our boxes' locks for us or swap them.
        let meta = std::fs::symlink_metadata(&dir)?;
        if !meta.is_dir() || meta.uid() != me || meta.mode() & 0o022 != 0 {
            bail!(
                "{} is not a folder of the judge's own user that only it \
                 can write: remove it",
                dir.display()
            );
        }
        Ok(dir)
    }

    /// The first free box.
    pub fn take() -> Result<SandboxBox> {
        let dir = SandboxBox::lock_dir()?;
        let root = is_root();
        let own: u32 = uid(Path::new("/proc/self/status"), 0)
            .and_then(|u| u.parse().ok())
            .unwrap_or(0);
        for id in 0..BOXES {
            let path = dir.join(format!("box-{id}.lock"));
            let file = std::fs::File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            match file.try_lock() {
                Ok(()) => {
                    return Ok(SandboxBox {
                        id,
                        uid: if root { first_uid() + id } else { own },
                        _lock: file,
                    });
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e)
                        .context(format!("locking {}", path.display()));
                }
            }
        }
        bail!("all {BOXES} sandbox boxes are in use on this machine")
    }
}

/// How the judge can give a sandbox limits of its own.
#[derive(Debug, Clone)]
enum CgroupMode {
    /// cgroup v2: the judge's own cgroup, whose subtree it controls.
    V2(PathBuf),
    /// cgroup v1: the judge's folders in the memory, pids and cpu
    /// hierarchies (cpu may be missing).
    V1 {
        memory: PathBuf,
        pids: PathBuf,
        cpu: Option<PathBuf>,
    },
    /// No cgroup: the fallback limits.
    None,
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Removes the empty cgroups that judges no longer running left under
/// `base` (one killed before it could remove its own).
fn remove_stale(base: &Path) {
    let Ok(dir) = std::fs::read_dir(base) else {
        return;
    };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("attn-judge-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir(e.path());
        }
    }
}

/// Whether the judge can make a child cgroup under `mode` (made and
/// removed once); stale cgroups of judges gone are removed first.
fn probe(mode: &CgroupMode) -> bool {
    let name = format!("attn-judge-probe-{}", std::process::id());
    let dirs: Vec<PathBuf> = match mode {
        CgroupMode::V2(base) => {
            remove_stale(base);
            vec![base.join(&name)]
        }
        CgroupMode::V1 { memory, pids, cpu } => {
            for base in [Some(memory), Some(pids), cpu.as_ref()]
                .into_iter()
                .flatten()
            {
                remove_stale(base);
            }
            vec![memory.join(&name), pids.join(&name)]
        }
        CgroupMode::None => return false,
    };
    let mut ok = true;
    for d in &dirs {
        ok &= std::fs::create_dir(d).is_ok();
    }
    if ok {
        ok = match mode {
            CgroupMode::V2(_) => {
                dirs[0].join("memory.max").exists()
                    && dirs[0].join("pids.max").exists()
            }
            _ => {
                dirs[0].join("memory.limit_in_bytes").exists()
                    && dirs[1].join("pids.max").exists()
            }
        };
    }
    for d in &dirs {
        let _ = std::fs::remove_dir(d);
    }
    ok
}

/// The cgroups this judge may use, found once; none when
/// `ATTN_JUDGE_CGROUPS=off` (to try the fallback limits).
fn cgroup_mode() -> &'static CgroupMode {
    static MODE: std::sync::OnceLock<CgroupMode> = std::sync::OnceLock::new();
    MODE.get_or_init(|| {
        if std::env::var("ATTN_JUDGE_CGROUPS").is_ok_and(|v| v == "off") {
            return CgroupMode::None;
        }
        let own =
            std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let path_of = |controller: &str| -> Option<String> {
            own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, list, path) =
                    (parts.next()?, parts.next()?, parts.next()?);
                list.split(',')
                    .any(|c| c == controller)
                    .then(|| path.trim_start_matches('/').to_string())
            })
        };
        let fs = Path::new("/sys/fs/cgroup");
        // v2 alone at /sys/fs/cgroup, with memory and pids delegated to
        // the judge's cgroup.
        if fs.join("cgroup.controllers").exists()
            && let Some(line) = own.lines().find(|l| l.starts_with("0::"))
        {
            let base = fs.join(line.trim_start_matches("0::/"));
            let _ = write_file(
                &base.join("cgroup.subtree_control"),
                "+memory +pids +cpu",
            );
            let mode = CgroupMode::V2(base);
            if probe(&mode) {
                return mode;
            }
            return CgroupMode::None;
        }
        // v1: one hierarchy per controller.
        let hierarchy = |names: &[&str], controller: &str| -> Option<PathBuf> {
            let rel = path_of(controller)?;
            names
                .iter()
                .map(|n| fs.join(n))
                .find(|d| d.is_dir())
                .map(|d| d.join(rel))
        };
        if let (Some(memory), Some(pids)) = (
            hierarchy(&["memory"], "memory"),
            hierarchy(&["pids"], "pids"),
        ) {
            let cpu = hierarchy(&["cpu", "cpu,cpuacct"], "cpu")
                .filter(|d| d.join("cpu.shares").exists());
            let mode = CgroupMode::V1 { memory, pids, cpu };
            if probe(&mode) {
                return mode;
            }
        }
        CgroupMode::None
    })
}

/// How sandboxes are started and limited here, in words, for
/// `grade --self-test`.
pub fn describe(isolation: Isolation) -> String {
    let limits = match cgroup_mode() {
        CgroupMode::V2(_) => "a cgroup (v2) per sandbox",
        CgroupMode::V1 { .. } => "a cgroup (v1 memory and pids) per sandbox",
        CgroupMode::None => {
            "no cgroups: fewer processes with a smaller address space each"
        }
    };
    let start = match (isolation, launch()) {
        (Isolation::None, Launch::User) => {
            "NO sandbox (--unsandboxed), as the judge's own user".to_string()
        }
        (Isolation::None, _) => format!(
            "NO sandbox (--unsandboxed); as box user ids from {} when every \
             user can read the toolchain",
            first_uid()
        ),
        (Isolation::Bwrap, Launch::Privileged) => format!(
            "bubblewrap as root, then box user ids from {}{}",
            first_uid(),
            if nested_userns() {
                " in a user namespace of their own"
            } else {
                " (no user namespace: unprivileged ones are disabled here)"
            }
        ),
        (Isolation::Bwrap, Launch::DropFirst) => format!(
            "box user ids from {}, then bubblewrap with a user namespace \
             (root without CAP_SYS_ADMIN)",
            first_uid()
        ),
        (Isolation::Bwrap, Launch::User) => {
            "bubblewrap with a user namespace, as the judge's own user"
                .to_string()
        }
    };
    format!("{start}; limits: {limits}")
}

/// Whether sandboxes get cgroups (limits summed over their processes) on
/// this machine, rather than the fallback.
pub fn has_cgroups() -> bool {
    !matches!(cgroup_mode(), CgroupMode::None)
}

/// A sandbox's own cgroup(s), made for one run and removed after it.
struct Cgroup {
    /// Folders whose `cgroup.procs` the sandbox joins.
    dirs: Vec<PathBuf>,
}

impl Cgroup {
    /// A fresh cgroup with `limits`, or `None` without cgroups here.
    fn create(limits: &Limits) -> Option<Cgroup> {
        static N: std::sync::atomic::AtomicU64 =
            std::sync::atomic::AtomicU64::new(0);
        let name = format!(
            "attn-judge-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mem = limits.memory.to_string();
        let procs = limits.processes.to_string();
        let made = |dirs: Vec<PathBuf>| -> std::io::Result<Cgroup> {
            let cg = Cgroup { dirs };
            for d in &cg.dirs {
                std::fs::create_dir(d)?;
            }
            Ok(cg)
        };
        let result = match cgroup_mode() {
            CgroupMode::None => return None,
            CgroupMode::V2(base) => {
                made(vec![base.join(&name)]).and_then(|cg| {
                    let d = &cg.dirs[0];
                    write_file(&d.join("memory.max"), &mem)?;
                    // Swap would let the sandbox hold more than its memory.
                    let _ = write_file(&d.join("memory.swap.max"), "0");
                    write_file(&d.join("pids.max"), &procs)?;
                    Ok(cg)
                })
            }
            CgroupMode::V1 { memory, pids, cpu } => {
                let mut dirs = vec![memory.join(&name), pids.join(&name)];
                dirs.extend(cpu.iter().map(|c| c.join(&name)));
                made(dirs).and_then(|cg| {
                    write_file(
                        &cg.dirs[0].join("memory.limit_in_bytes"),
                        &mem,
                    )?;
                    let _ = write_file(
                        &cg.dirs[0].join("memory.memsw.limit_in_bytes"),
                        &mem,
                    );
                    write_file(&cg.dirs[1].join("pids.max"), &procs)?;
                    Ok(cg)
                })
            }
        };
        // A cgroup half made is removed when `result` drops it.
        result.ok()
    }

    /// Kills whatever is left in it and removes it.
    fn remove(&self) {
        for _ in 0..200 {
            let mut left = false;
            for d in &self.dirs {
                if let Ok(procs) =
                    std::fs::read_to_string(d.join("cgroup.procs"))
                {
                    for pid in procs.split_whitespace() {
                        left = true;
                        let _ = Command::new("kill")
                            .args(["-KILL", pid])
                            .stderr(Stdio::null())
                            .status();
                    }
                }
            }
            let gone = self
                .dirs
                .iter()
                .all(|d| std::fs::remove_dir(d).is_ok() || !d.exists());
            if gone && !left {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        self.remove();
    }
}

/// `s` quoted for `sh`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Whether a process of a sandbox user id may make a user namespace here
/// (found once): then the sandbox of a root judge gets one too.
fn nested_userns() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        Command::new("setpriv")
            .args([
                &format!("--reuid={}", first_uid() + BOXES),
                &format!("--regid={}", first_uid() + BOXES),
                "--clear-groups",
                "--",
                "unshare",
                "--user",
                "--",
                "true",
            ])
            .env_clear()
            .env("PATH", LAUNCHER_PATH)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// The only environment variable the launcher keeps.
const LAUNCHER_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

/// How bubblewrap is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Launch {
    /// Root with `CAP_SYS_ADMIN` (a machine's root, the root of a rootless
    /// Podman container): bubblewrap makes the namespaces as root, then
    /// the program drops to the box's user id and enters a user namespace
    /// of its own.
    Privileged,
    /// Root without `CAP_SYS_ADMIN` (Docker's default capabilities): drop
    /// to the box's user id first, then an unprivileged bubblewrap with a
    /// user namespace. The toolchain must be readable by every user.
    DropFirst,
    /// Not root: an unprivileged bubblewrap with a user namespace, as the
    /// judge's own user.
    User,
}

/// Whether this process has `CAP_SYS_ADMIN` (bit 21) in its effective set.
fn has_sys_admin() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            let hex = t.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(hex.trim(), 16).ok()
        })
        .is_some_and(|caps| caps & (1 << 21) != 0)
}

fn launch() -> Launch {
    if !is_root() {
        Launch::User
    } else if has_sys_admin() {
        Launch::Privileged
    } else {
        Launch::DropFirst
    }
}

fn bwrap_args(job: &Job, limits: &Limits, root: bool) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| s.to_string()));
    if root {
        // Privileged bubblewrap: every namespace but the user one, and
        // only the right to drop to the box's user id (done by `setpriv`
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
    // No --proc: see the module's documentation.
    push(&[
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
    ]);
    a.extend(["--dev".into(), "/dev".into()]);
    for tmp in ["/tmp", "/dev/shm"] {
        a.extend(["--perms".into(), "1777".into(), "--size".into()]);
        a.push(limits.file_size.to_string());
        a.extend(["--tmpfs".into(), tmp.into()]);
    }
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
    // Nothing else is writable: not the sandbox's own root, not /dev
    // (only its devices, /dev/shm and /tmp, which have a size).
    a.extend(["--remount-ro".into(), "/".into()]);
    a.extend(["--remount-ro".into(), "/dev".into()]);
    a.extend(["--chdir".into(), job.cwd.display().to_string()]);
    a.push("--clearenv".into());
    for (k, v) in job.env {
        a.extend(["--setenv".into(), k.clone(), v.clone()]);
    }
    a.push("--".into());
    if root {
        a.extend(drop_to(limits.uid));
        if nested_userns() {
            a.extend(["unshare".into(), "--user".into(), "--".into()]);
        }
    }
    a.push(job.program.display().to_string());
    a.extend(job.args.iter().cloned());
    a
}

/// `setpriv` to `uid` with no groups and no capabilities.
fn drop_to(uid: u32) -> Vec<String> {
    [
        "setpriv",
        &format!("--reuid={uid}"),
        &format!("--regid={uid}"),
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
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

/// How many tasks (processes and their threads, as the kernel's process
/// limit counts them) the judge's own user has now: a sandbox of a
/// non-root judge counts against the same total.
fn own_process_count() -> u64 {
    let me = uid(Path::new("/proc/self/status"), 0);
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("status")).ok()?;
            let line = text.lines().find(|l| l.starts_with("Uid:"))?;
            (line.split_whitespace().nth(1) == me.as_deref()).then_some(())?;
            let threads = text
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|t| t.trim().parse::<u64>().ok())
                .unwrap_or(1);
            Some(threads)
        })
        .sum()
}

/// Whether every user may reach and read `path` (each folder above it
/// searchable by others): a sandbox user id of an unsandboxed root judge
/// can then use it.
fn readable_by_all(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.ancestors().all(|p| {
        std::fs::metadata(p)
            .is_ok_and(|m| m.permissions().mode() & 0o005 == 0o005)
    })
}

/// The host path that `inside` stands for, under the mount with the
/// longest matching inside path (so a mount inside another wins).
fn host_path(mounts: &[Mount], inside: &Path) -> PathBuf {
    mounts
        .iter()
        .filter(|m| inside.starts_with(&m.inside))
        .max_by_key(|m| m.inside.components().count())
        .and_then(|m| {
            inside
                .strip_prefix(&m.inside)
                .ok()
                // `join("")` would add a trailing slash to a file's path.
                .map(|rest| match rest.as_os_str().is_empty() {
                    true => m.host.clone(),
                    false => m.host.join(rest),
                })
        })
        .unwrap_or_else(|| inside.to_path_buf())
}

/// A launcher that runs `job` under `limits`, and the cgroup it joins.
fn command(
    job: &Job,
    limits: &Limits,
    isolation: Isolation,
) -> (Command, Option<Cgroup>) {
    let how = launch();
    let cgroup = Cgroup::create(limits);
    let (processes, address_space) = match cgroup {
        Some(_) => (limits.processes, limits.memory),
        None => (
            limits.fallback_processes.min(limits.processes),
            limits.fallback_process_memory.min(limits.memory),
        ),
    };
    // A box's user id is its own; the judge's user is shared with the
    // judge's own processes and threads.
    let nproc = if how == Launch::User {
        own_process_count() + processes
    } else {
        processes
    };
    // The launcher's environment is empty but for PATH: bwrap's own first
    // process, and everything it starts, inherit nothing of the judge's.
    let mut cmd = Command::new("sh");
    cmd.env_clear().env("PATH", LAUNCHER_PATH);
    // Join the cgroup first (the shell is still the judge's), then become
    // prlimit, bwrap and the program.
    let mut script = String::new();
    if let Some(cg) = &cgroup {
        for d in &cg.dirs {
            script.push_str(&format!(
                "echo $$ > {} || exit 125; ",
                quote(&d.join("cgroup.procs").display().to_string())
            ));
        }
    }
    script.push_str("exec \"$@\"");
    cmd.arg("-c").arg(script).arg("sh");
    cmd.arg("prlimit")
        .arg(format!("--as={address_space}"))
        .arg(format!("--nproc={nproc}"))
        .arg(format!("--fsize={}", limits.file_size))
        .arg("--nofile=256")
        .arg("--core=0")
        .arg("--");
    match isolation {
        Isolation::Bwrap => {
            if how == Launch::DropFirst {
                cmd.args(drop_to(limits.uid));
            }
            cmd.arg("bwrap").args(bwrap_args(
                job,
                limits,
                how == Launch::Privileged,
            ));
        }
        Isolation::None => {
            // Mounts become real paths: the program sees the host's
            // folders. A root judge still drops to the box's user id, if
            // that user can read every folder the job uses (the container
            // recipe installs the toolchain so); otherwise the code runs
            // with the judge's rights, and main says so.
            if how != Launch::User
                && job
                    .mounts
                    .iter()
                    .filter(|m| !m.writable)
                    .all(|m| readable_by_all(&m.host))
            {
                cmd.args(drop_to(limits.uid));
            }
            cmd.arg("env").arg("-i");
            for (k, v) in job.env {
                let v = v
                    .split(':')
                    .map(|part| {
                        host_path(job.mounts, Path::new(part))
                            .display()
                            .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(":");
                cmd.arg(format!("{k}={v}"));
            }
            cmd.arg(host_path(job.mounts, job.program));
            cmd.args(job.args);
            cmd.current_dir(host_path(job.mounts, job.cwd));
        }
    }
    (cmd, cgroup)
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

/// `script` run by `/bin/sh` under `limits`, in `/tmp`, with only `PATH`
/// set and nothing of the host's mounted: how the self-test and the
/// sandbox's tests probe a sandbox.
pub fn shell(
    script: &str,
    limits: &Limits,
    isolation: Isolation,
) -> Result<Finished> {
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
}

/// Runs `job` with `limits`, killing its whole process group when it
/// ends or its time runs out.
pub fn run(
    job: &Job,
    limits: &Limits,
    isolation: Isolation,
) -> Result<Finished> {
    use std::os::unix::process::CommandExt;
    let (mut cmd, cgroup) = command(job, limits, isolation);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().context("starting the sandbox (prlimit)")?;
    let pgid = child.id();
    let mut stdin = child.stdin.take().context("no stdin")?;
    let input = job.stdin.to_vec();
    // A child that never reads its input must not block us: the feeder
    // is never waited for (killing the sandbox ends its write).
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.stdout.take().context("no stdout")?;
    let err = child.stderr.take().context("no stderr")?;
    let cap = limits.output;
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || out_tx.send(read_capped(out, cap)));
    std::thread::spawn(move || err_tx.send(read_capped(err, cap)));
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
    // PID namespace this is what stops a detached grandchild), and
    // anything left in its cgroup.
    kill_group(pgid);
    drop(cgroup);
    // A process that escaped both (only possible unsandboxed) may hold
    // the pipes open: wait for the output a little, not forever.
    let grace = Duration::from_secs(2);
    let (stdout, truncated) = out_rx.recv_timeout(grace).unwrap_or_default();
    let (stderr, _) = err_rx.recv_timeout(grace).unwrap_or_default();
    Ok(Finished {
        stdout,
        stderr,
        code: status.code(),
        timed_out,
        truncated,
    })
}

/// A sandboxed process started for a conversation: piped stdin and
/// stdout (stderr dropped), in a process group of its own, and its
/// cgroup. [`Sandboxed::kill`] ends it; so does dropping it.
pub struct Sandboxed {
    /// The process (the launcher; the program is inside).
    pub child: std::process::Child,
    cgroup: Option<Cgroup>,
}

impl Sandboxed {
    /// Kills everything in the sandbox and returns the exit code, if the
    /// program had exited by itself.
    pub fn kill(&mut self) -> Option<i32> {
        kill_group(self.child.id());
        let code = self.child.wait().ok().and_then(|s| s.code());
        if let Some(cg) = self.cgroup.take() {
            cg.remove();
        }
        code
    }
}

impl Drop for Sandboxed {
    fn drop(&mut self) {
        if self.cgroup.is_some()
            || self.child.try_wait().ok().flatten().is_none()
        {
            self.kill();
        }
    }
}

/// Starts `job` under `limits` for a conversation; the time limit is the
/// caller's to enforce, per question.
pub fn spawn(
    job: &Job,
    limits: &Limits,
    isolation: Isolation,
) -> Result<Sandboxed> {
    use std::os::unix::process::CommandExt;
    let (mut cmd, cgroup) = command(job, limits, isolation);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let child = cmd.spawn().context("starting the sandbox (prlimit)")?;
    Ok(Sandboxed { child, cgroup })
}

/// Kills process group `pgid` (a sandbox and everything it started).
pub fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .env_clear()
        .env("PATH", LAUNCHER_PATH)
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
            fallback_processes: 64,
            fallback_process_memory: 1 << 30,
            file_size: 1 << 20,
            output: 1000,
            uid: FIRST_UID + BOXES + 1,
        }
    }

    fn sh(script: &str, isolation: Isolation, limits: &Limits) -> Finished {
        shell(script, limits, isolation).unwrap()
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
    fn boxes_held_at_once_are_distinct() {
        let held: Vec<SandboxBox> =
            (0..5).map(|_| SandboxBox::take().unwrap()).collect();
        let ids: std::collections::BTreeSet<u32> =
            held.iter().map(|b| b.id).collect();
        assert_eq!(ids.len(), held.len(), "{held:?}");
        if is_root() {
            let uids: std::collections::BTreeSet<u32> =
                held.iter().map(|b| b.uid).collect();
            assert_eq!(uids.len(), held.len(), "{held:?}");
            assert!(
                held.iter().all(
                    |b| b.uid >= first_uid() && b.uid < first_uid() + BOXES
                )
            );
        }
    }

    #[test]
    fn unsandboxed_paths_map_through_the_longest_mount() {
        let mounts = [
            Mount::rw("/h/home", "/judge/home"),
            Mount::ro("/h/registry", "/judge/home/cargo/registry"),
            Mount::ro("/h/target/debug/runner", "/judge/runner"),
        ];
        let map = |p: &str| host_path(&mounts, Path::new(p));
        assert_eq!(map("/judge/home/cargo"), Path::new("/h/home/cargo"));
        assert_eq!(
            map("/judge/home/cargo/registry/src"),
            Path::new("/h/registry/src")
        );
        assert_eq!(map("/judge/runner"), Path::new("/h/target/debug/runner"));
        assert_eq!(map("/tmp"), Path::new("/tmp"));
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
        let slot = SandboxBox::take().unwrap();
        l.uid = slot.uid;
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
