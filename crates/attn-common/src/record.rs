//! Records of slow tests that passed, so a second run can skip them.
//!
//! A few tests cost seconds each and read nothing but their own
//! executable: chapter 15 retrains its model from scratch, and the judge
//! feeds every check hostile answers. When one of them passes, it writes
//! a record under the build folder holding a hash of everything it read
//! (its executable, which holds the code and the data compiled into it,
//! and any further inputs the caller names). While that hash is
//! unchanged, a later run prints one line saying the test was not run
//! again, and how to run it. A clean clone has no records, so it runs
//! everything; where `CI` or `ATTN_NO_CACHE` is set, records are never
//! read.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Whether records of past passes may be read: not where `CI` or
/// `ATTN_NO_CACHE` is set.
pub fn allowed() -> bool {
    std::env::var_os("CI").is_none()
        && std::env::var_os("ATTN_NO_CACHE").is_none()
}

/// The build folder the running test lives in: `CARGO_TARGET_DIR` if set,
/// or else the folder above `<profile>/deps/` in the path of the running
/// executable (`target/debug/deps/outputs-1a2b` gives `target`).
pub fn target_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    Some(deps.parent()?.parent()?.to_path_buf())
}

/// A hash of the running executable, read once per process.
fn executable_hash() -> Option<u64> {
    static HASH: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| {
        let exe = std::fs::read(std::env::current_exe().ok()?).ok()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        exe.hash(&mut h);
        Some(h.finish())
    })
}

/// A slow test's record: where it lives and the key it must hold.
#[derive(Debug, Clone)]
pub struct TestRecord {
    test: String,
    file: PathBuf,
    key: String,
}

impl TestRecord {
    /// The record of `test` in the folder `dir`, keyed on the running
    /// executable and `inputs`; `None` where records are not read (see
    /// [`allowed`]) or the executable cannot be read.
    pub fn new(dir: &Path, test: &str, inputs: &[&[u8]]) -> Option<Self> {
        if !allowed() {
            return None;
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        test.hash(&mut h);
        executable_hash()?.hash(&mut h);
        inputs.hash(&mut h);
        Some(Self {
            test: test.to_string(),
            file: dir.join(test.replace("::", "-")),
            key: format!("{:016x}", h.finish()),
        })
    }

    /// [`TestRecord::new`] in `<target>/tests-passed/` (see
    /// [`target_dir`]), for a test whose only input is its executable.
    pub fn of_executable(test: &str) -> Option<Self> {
        Self::new(&target_dir()?.join("tests-passed"), test, &[])
    }

    /// Whether the test passed before with these very inputs; if so, says
    /// on one line (straight to stderr, past the test harness's capture)
    /// that it is not run again, and how to run it.
    pub fn unchanged(&self) -> bool {
        let same = self.holds();
        if same {
            let line = format!(
                "\nNOT RUN AGAIN (passed before with these exact inputs): \
                 {}. ATTN_NO_CACHE=1 runs it; CI always does.\n",
                self.test
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        same
    }

    /// [`TestRecord::unchanged`] without the line: whether the record
    /// holds (a stale record is removed).
    pub fn holds(&self) -> bool {
        let same =
            std::fs::read_to_string(&self.file).is_ok_and(|k| k == self.key);
        if !same {
            let _ = std::fs::remove_file(&self.file);
        }
        same
    }

    /// Records that the test passed: call it at the test's very end.
    pub fn passed(&self) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&self.file, &self.key)
    }
}

/// A test under way: records its pass when dropped, unless dropped by
/// a panic (a failed assertion).
#[derive(Debug)]
#[must_use = "bind it to a name such as `_pass`: `_` drops it at once"]
pub struct Pass(Option<TestRecord>);

impl Drop for Pass {
    fn drop(&mut self) {
        if let Some(record) = &self.0
            && !std::thread::panicking()
        {
            // A record that cannot be written only means the test runs
            // again next time.
            let _ = record.passed();
        }
    }
}

/// Starts a test that `record` remembers: `None` when it passed before
/// with the same inputs (the test should return), or else a [`Pass`] to
/// hold until the test's end. With no record (`CI`, `ATTN_NO_CACHE`), the
/// test always runs.
///
/// ```ignore
/// let Some(_pass) = record::begin(TestRecord::of_executable("t")) else {
///     return;
/// };
/// ```
pub fn begin(record: Option<TestRecord>) -> Option<Pass> {
    if record.as_ref().is_some_and(TestRecord::unchanged) {
        return None;
    }
    Some(Pass(record))
}

/// Starts snapshot test `name` of the crate at `manifest_dir`, or returns
/// `None` when it passed before with this executable and this very
/// snapshot file (`tests/snapshots/<name>.snap`). Used by [`crate::lock!`]:
/// the first snapshot skipped in a process says so on one line for all.
pub fn begin_snapshot(manifest_dir: &str, name: &str) -> Option<Pass> {
    if !allowed() {
        // CI or ATTN_NO_CACHE: no record to read the snapshot for.
        return Some(Pass(None));
    }
    let snap = Path::new(manifest_dir)
        .join("tests/snapshots")
        .join(format!("{name}.snap"));
    let stored = std::fs::read(&snap).unwrap_or_default();
    let crate_name = Path::new(manifest_dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = target_dir().map(|t| t.join("tests-passed").join("snapshots"));
    let record = dir.and_then(|d| {
        TestRecord::new(&d, &format!("{crate_name}-{name}"), &[&stored])
    });
    if record.as_ref().is_some_and(TestRecord::holds) {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            let line = format!(
                "\nNOT RUN AGAIN (passed before with these exact inputs): \
                 {crate_name}'s snapshot tests whose executable and \
                 snapshot are unchanged. ATTN_NO_CACHE=1 runs them; CI \
                 always does.\n"
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        });
        return None;
    }
    Some(Pass(record))
}

/// Runs `body` unless its record says test `test` passed before with the
/// same executable, and records the pass.
///
/// For a whole `#[test]` function whose only input is the test
/// executable: `unless_passed("no_panic::extremes", || { ... })`.
pub fn unless_passed(test: &str, body: impl FnOnce()) {
    if let Some(_pass) = begin(TestRecord::of_executable(test)) {
        body();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("attn-record-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_record_holds_only_for_the_same_inputs() {
        if !allowed() {
            // Where records are off, `new` must say so.
            assert!(TestRecord::new(Path::new("."), "t", &[]).is_none());
            return;
        }
        let dir = scratch("inputs");
        let a = TestRecord::new(&dir, "t", &[b"one"]).unwrap();
        assert!(!a.unchanged(), "no record yet");
        a.passed().unwrap();
        assert!(a.unchanged(), "same inputs");
        let b = TestRecord::new(&dir, "t", &[b"two"]).unwrap();
        assert!(!b.unchanged(), "other inputs");
        // Asking with other inputs removed the stale record.
        assert!(!a.unchanged());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_pass_is_recorded_only_when_the_test_does_not_panic() {
        if !allowed() {
            return;
        }
        let dir = scratch("pass");
        let record = || TestRecord::new(&dir, "t", &[]);
        let failed = std::panic::catch_unwind(|| {
            let _pass = begin(record()).expect("no record yet");
            panic!("a failed assertion");
        });
        assert!(failed.is_err());
        assert!(!record().unwrap().unchanged(), "a panic records nothing");
        {
            let _pass = begin(record()).expect("still no record");
        }
        assert!(begin(record()).is_none(), "the pass was recorded");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_snapshot_is_skipped_only_while_its_file_is_unchanged() {
        if !allowed() {
            return;
        }
        let dir = scratch("snapshot");
        let snaps = dir.join("tests/snapshots");
        std::fs::create_dir_all(&snaps).unwrap();
        std::fs::write(snaps.join("table.snap"), "one").unwrap();
        let manifest = dir.to_str().unwrap();
        drop(begin_snapshot(manifest, "table").expect("never passed"));
        assert!(begin_snapshot(manifest, "table").is_none(), "recorded");
        std::fs::write(snaps.join("table.snap"), "two").unwrap();
        let again = begin_snapshot(manifest, "table");
        assert!(again.is_some(), "the snapshot file changed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_target_folder_is_found_from_the_test_executable() {
        let dir = target_dir().expect("a test runs from <target>/<profile>");
        assert!(dir.join("debug").is_dir() || dir.join("release").is_dir());
    }
}
