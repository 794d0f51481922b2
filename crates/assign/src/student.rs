//! `cargo xtask assign <chapter> --out DIR`: the student crate.

use super::{Chapter, solution_ids};
use crate::walk::files;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// Where an assignment's files come from and what to leave out.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Keep the instructor-only `tests/hidden_*.rs` (grading does).
    pub hidden_tests: bool,
}

/// A whole crate in memory: relative path -> contents.
pub type Files = BTreeMap<PathBuf, Vec<u8>>;

/// Hidden tests are integration tests whose file name starts `hidden_`.
pub fn is_hidden_test(rel: &Path) -> bool {
    rel.starts_with("tests")
        && rel
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("hidden_"))
}

/// Replaces every `// SOLUTION-START(ex N.M)` ... `// SOLUTION-END` region
/// by `todo!("ex N.M: ...")`, quoting the exercise's `// TODO(ex N.M)`
/// line. The TODO guidance, which sits outside the markers, stays.
pub fn strip_solutions(code: &str, file: &str) -> Result<String> {
    let mut out = String::new();
    let mut lines = code.lines().enumerate();
    let mut todos: BTreeMap<String, String> = BTreeMap::new();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("// TODO(ex ")
            && let Some((id, text)) = rest.split_once("):")
        {
            // The guidance may go on over the next comment lines.
            let mut hint = text.trim().to_string();
            let more =
                code.lines().skip(i + 1).map(str::trim).take_while(|l| {
                    l.starts_with("//")
                        && !l.starts_with("// SOLUTION")
                        && !l.starts_with("// TODO")
                });
            for l in more {
                hint.push(' ');
                hint.push_str(l.trim_start_matches('/').trim());
            }
            todos.entry(id.to_string()).or_insert(hint);
        }
        let Some(id) = trimmed
            .strip_prefix("// SOLUTION-START(ex ")
            .map(|r| r.trim_end_matches(')').to_string())
        else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut closed = false;
        for (_, inner) in lines.by_ref() {
            if inner.trim() == "// SOLUTION-END" {
                closed = true;
                break;
            }
            if inner.trim().starts_with("// SOLUTION-START") {
                bail!(
                    "{file}:{}: exercise {id}'s solution is not closed before the next one",
                    i + 1
                );
            }
        }
        if !closed {
            bail!(
                "{file}:{}: exercise {id}'s solution has no `// SOLUTION-END`",
                i + 1
            );
        }
        let hint = todos
            .get(&id)
            .map_or("write your solution here", String::as_str);
        let hint = hint
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('{', "{{")
            .replace('}', "}}");
        out.push_str(&format!("{indent}todo!(\"ex {id}: {hint}\")\n"));
    }
    Ok(out)
}

/// The root `Cargo.toml`'s tables: shared package fields, shared
/// dependencies and profiles.
struct Workspace {
    package: Table,
    dependencies: Table,
    profile: Option<Value>,
}

fn read_toml(path: &Path) -> Result<Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))?;
    text.parse::<Table>()
        .with_context(|| format!("parsing {}", path.display()))
}

fn workspace(root: &Path) -> Result<Workspace> {
    let table = read_toml(&root.join("Cargo.toml"))?;
    let ws = table
        .get("workspace")
        .and_then(Value::as_table)
        .context("no [workspace] in Cargo.toml")?;
    let get = |k: &str| {
        ws.get(k)
            .and_then(Value::as_table)
            .cloned()
            .unwrap_or_default()
    };
    Ok(Workspace {
        package: get("package"),
        dependencies: get("dependencies"),
        profile: table.get("profile").cloned(),
    })
}

/// The crate folders a crate depends on by path (through the workspace),
/// and its manifest rewritten to stand alone: workspace values written
/// out, path dependencies pointing at `path_prefix/<name>`.
fn standalone_manifest(
    root: &Path,
    ws: &Workspace,
    crate_dir: &Path,
    path_prefix: &str,
    is_root: bool,
) -> Result<(String, Vec<(String, PathBuf)>)> {
    let mut table = read_toml(&crate_dir.join("Cargo.toml"))?;
    let mut path_deps = Vec::new();
    if let Some(Value::Table(package)) = table.get_mut("package") {
        for (key, value) in package.iter_mut() {
            if value.get("workspace").and_then(Value::as_bool) == Some(true) {
                *value = ws.package.get(key).cloned().with_context(|| {
                    format!("workspace.package.{key} is missing")
                })?;
            }
        }
    }
    for section in ["dependencies", "dev-dependencies"] {
        let Some(Value::Table(deps)) = table.get_mut(section) else {
            continue;
        };
        for (name, value) in deps.iter_mut() {
            if value.get("workspace").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            let shared =
                ws.dependencies.get(name).cloned().with_context(|| {
                    format!("workspace.dependencies.{name} is missing")
                })?;
            match shared.get("path").and_then(Value::as_str) {
                Some(path) => {
                    if section == "dev-dependencies" {
                        bail!(
                            "{}: a path dev-dependency ({name}) cannot be brought along",
                            crate_dir.display()
                        );
                    }
                    path_deps.push((name.clone(), root.join(path)));
                    let mut t = Table::new();
                    t.insert(
                        "path".into(),
                        Value::String(format!("{path_prefix}{name}")),
                    );
                    *value = Value::Table(t);
                }
                None => *value = shared,
            }
        }
    }
    if is_root {
        // A root of its own, so it never joins a workspace above it.
        table.insert("workspace".into(), Value::Table(Table::new()));
        if let Some(profile) = &ws.profile {
            let mut profile = profile.clone();
            // Per-package settings only for packages this crate has.
            let own = table
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if let Some(Value::Table(per)) =
                profile.get_mut("dev").and_then(|d| d.get_mut("package"))
            {
                per.retain(|name, _| {
                    ws.dependencies
                        .get(name)
                        .is_none_or(|d| d.get("path").is_none())
                        || *name == own
                });
            }
            table.insert("profile".into(), profile);
        }
    }
    let text = toml::to_string(&table)?;
    Ok((text, path_deps))
}

/// Adds every file of `dir` below `prefix`, stripped of solutions.
fn add_tree(
    files_out: &mut Files,
    dir: &Path,
    prefix: &Path,
    keep: impl Fn(&Path) -> bool,
) -> Result<()> {
    for path in files(dir) {
        let rel = path.strip_prefix(dir)?.to_path_buf();
        if !keep(&rel) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let bytes = if rel.extension().is_some_and(|e| e == "rs") {
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8", path.display()))?;
            strip_solutions(&text, &path.display().to_string())?.into_bytes()
        } else {
            bytes
        };
        files_out.insert(prefix.join(rel), bytes);
    }
    Ok(())
}

/// Builds the student crate for `chapter` in memory.
pub fn student_crate(
    root: &Path,
    chapter: &Chapter,
    opts: Options,
) -> Result<Files> {
    let ws = workspace(root)?;
    let mut out = Files::new();
    let (manifest, mut queue) =
        standalone_manifest(root, &ws, &chapter.dir, "vendor/", true)?;
    out.insert("Cargo.toml".into(), manifest.into_bytes());
    add_tree(&mut out, &chapter.dir, Path::new(""), |rel| {
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        // `data/`: files the crate compiles in (chapter 16's corpus and
        // trained weights).
        matches!(top.as_deref(), Some("src" | "tests" | "examples" | "data"))
            && (opts.hidden_tests || !is_hidden_test(rel))
            && !rel.to_string_lossy().ends_with(".snap.new")
    })?;
    // Earlier chapters and shared code, as source, beside the crate.
    let mut seen = std::collections::BTreeSet::new();
    while let Some((name, dir)) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let (manifest, deps) =
            standalone_manifest(root, &ws, &dir, "../", false)?;
        let prefix = Path::new("vendor").join(&name);
        let mut manifest_table: Table = manifest.parse()?;
        manifest_table.remove("dev-dependencies");
        // The student builds this code but does not write it: its warnings
        // (unused arguments of its own stripped exercises) are noise.
        let mut rust = Table::new();
        rust.insert("warnings".into(), Value::String("allow".into()));
        let mut lints = Table::new();
        lints.insert("rust".into(), Value::Table(rust));
        manifest_table.insert("lints".into(), Value::Table(lints));
        out.insert(
            prefix.join("Cargo.toml"),
            toml::to_string(&manifest_table)?.into_bytes(),
        );
        add_tree(&mut out, &dir, &prefix, |rel| {
            rel.starts_with("src") || rel.starts_with("data")
        })?;
        queue.extend(deps);
    }
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        out.insert("Cargo.lock".into(), lock);
    }
    out.insert(".gitignore".into(), b"/target\n".to_vec());
    let readme = student_readme(root, chapter, &out)?;
    out.insert("README.md".into(), readme.into_bytes());
    Ok(out)
}

/// The exercises section of the chapter's text, for the student README.
fn exercise_statements(root: &Path, chapter: &Chapter) -> String {
    let md = root.join("book").join(format!("{}.md", chapter.name));
    let text = std::fs::read_to_string(md).unwrap_or_default();
    let Some(i) = text.find("\n## Exercises") else {
        return "See the chapter's exercises section.".to_string();
    };
    let section = &text[i + 1..];
    // Up to the next section of the same level, without includes.
    let body: Vec<&str> = section
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| !l.contains("{{#"))
        .collect();
    // Paragraphs that speak to a reader of the book (where the solutions
    // are, how to hide them) say nothing true in the student's copy.
    let book_path = format!("crates/{}/", chapter.name);
    body.join("\n")
        .split("\n\n")
        .filter(|p| !p.contains("SOLUTION") && !p.contains("solution"))
        .map(|p| p.replace(&book_path, ""))
        .collect::<Vec<_>>()
        .join("\n\n")
        .trim()
        .to_string()
}

/// Where the published book lives, from `book.toml`'s `[output.html]`:
/// `https://<cname><site-url>` for a custom domain, else GitHub Pages'
/// `https://<owner>.github.io<site-url>` with the owner of
/// `git-repository-url`. A chapter is `<book_url><name>.html`. A fork
/// changes these keys, and every student README follows.
pub fn book_url(root: &Path) -> Result<String> {
    let table = read_toml(&root.join("book.toml"))?;
    let html = table.get("output").and_then(|o| o.get("html"));
    let key = |k: &str| html.and_then(|h| h.get(k)).and_then(Value::as_str);
    let path =
        format!("/{}/", key("site-url").unwrap_or("/").trim_matches('/'))
            .replace("//", "/");
    let host = match (key("cname"), key("git-repository-url")) {
        (Some(cname), _) => cname.trim_matches('/').to_string(),
        (None, Some(repo)) => {
            let owner = repo
                .strip_prefix("https://github.com/")
                .and_then(|r| r.split('/').next())
                .filter(|o| !o.is_empty())
                .with_context(|| {
                    format!("book.toml: git-repository-url `{repo}` is not https://github.com/<owner>/<repository>")
                })?;
            format!("{}.github.io", owner.to_lowercase())
        }
        (None, None) => bail!(
            "book.toml: [output.html] needs git-repository-url (or cname) \
             to say where the book is published"
        ),
    };
    Ok(format!("https://{host}{path}"))
}

/// Rewrites the links of a passage of chapter `chapter`'s text for the
/// student's copy, where the book's files are not: a link to a chapter
/// (`ch05-x.md#y`) or to another page or file of the book goes to the
/// published book; an anchor of this chapter (`#y`) to this chapter
/// online; a link to a file of the chapter's crate to that file in the
/// student crate when it holds it. Any other relative link keeps only its
/// text.
fn rewrite_links(
    text: &str,
    url: &str,
    chapter: &Chapter,
    crate_files: &Files,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let Some(len) = rest[i + 2..].find(')') else {
            break;
        };
        let target = &rest[i + 2..i + 2 + len];
        let open = rest[..i].rfind('[');
        let new = if target.contains("://") || target.starts_with("mailto:") {
            Some(target.to_string())
        } else if let Some(anchor) = target.strip_prefix('#') {
            Some(format!("{url}{}.html#{anchor}", chapter.name))
        } else {
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, format!("#{a}")),
                None => (target, String::new()),
            };
            let in_crate = format!("../crates/{}/", chapter.name);
            if let Some(rel) = path.strip_prefix(&in_crate) {
                crate_files
                    .contains_key(Path::new(rel))
                    .then(|| rel.to_string())
            } else if path.starts_with("../") || path.starts_with('/') {
                None
            } else if let Some(page) = path.strip_suffix(".md") {
                Some(format!("{url}{page}.html{anchor}"))
            } else {
                Some(format!("{url}{path}{anchor}"))
            }
        };
        match (new, open) {
            (Some(new), _) => {
                out.push_str(&rest[..i + 2]);
                out.push_str(&new);
                out.push(')');
            }
            // Only the link's text.
            (None, Some(o)) => {
                out.push_str(&rest[..o]);
                out.push_str(&rest[o + 1..i]);
            }
            (None, None) => out.push_str(&rest[..i + 3 + len]),
        }
        rest = &rest[i + 3 + len..];
    }
    out.push_str(rest);
    out
}

fn student_readme(
    root: &Path,
    chapter: &Chapter,
    crate_files: &Files,
) -> Result<String> {
    let url = book_url(root)?;
    let points = super::points(chapter)?;
    let mut table = String::from("| exercise | points |\n| --- | --- |\n");
    for (id, p) in &points {
        table.push_str(&format!("| {id} | {p} |\n"));
    }
    let total: f64 = points.values().sum();
    let ws = workspace(root)?;
    let msrv = ws
        .package
        .get("rust-version")
        .and_then(Value::as_str)
        .unwrap_or("1.89")
        .to_string();
    let ids: Vec<String> = points.keys().cloned().collect();
    let first = ids
        .first()
        .map_or("1_1".to_string(), |id| id.replace('.', "_"));
    Ok(format!(
        "# Homework: chapter {n} of *Attention, Verified*\n\n\
         This crate is the code of chapter {n} ([read the chapter online]\
         ({url}{name}.html)), with the code exercises left for you to write. \
         Each place to fill in is a `todo!(\"ex N.M: ...\")` in \
         `src/exercises.rs`, below a `// TODO(ex N.M)` comment that says what \
         to do and gives a small example.\n\n\
         ## The exercises\n\n{statements}\n\n\
         ## What you need\n\n\
         Rust {msrv} or newer, and nothing else. The earlier chapters' code \
         this crate uses is in `vendor/`: read it, but do not change it (it \
         is not graded, and the grader uses its own copy).\n\n\
         ## Working on them\n\n\
         ```sh\n\
         cargo test --test exercises              # every exercise's tests\n\
         cargo test --test exercises ex_{first}    # one exercise\n\
         cargo test                               # the chapter's own tests too\n\
         ```\n\n\
         ## What to hand in, and how it is graded\n\n\
         Hand in the crate folder as your instructor asks. Only `src/` is \
         read: changes to `Cargo.toml`, `tests/` or `vendor/` are ignored, so \
         do not add dependencies. Keep every function's signature as it is.\n\n\
         The grader builds your `src/` inside a fresh copy of this \
         assignment, offline, and asks each exercise for its answers: to the \
         examples in the statements, to inputs you have not seen (other \
         sizes, magnitudes and bad inputs), and to properties that hold for \
         every input. Each answer is compared with the expected one within a \
         small tolerance. Passing the visible tests is a good sign, not a \
         guarantee. What your program prints, its exit status and the test \
         results earn nothing: only answers do. An exercise's points are \
         shared out over its checks; each call has a time limit of 10 s; code \
         that does not compile scores 0, so hand in code that builds.\n\n\
         {table}\n**Total: {total}**\n\n\
         The chapter's other exercises (worked on paper) are not graded by \
         the grader: hand them in as your instructor asks.\n",
        n = chapter.nn.trim_start_matches('0'),
        name = chapter.name,
        statements = rewrite_links(
            &exercise_statements(root, chapter),
            &url,
            chapter,
            crate_files
        ),
    ))
}

/// A GitHub Classroom workflow that runs each exercise's visible tests
/// with its points on every push: quick feedback for the student. Final
/// marks come from `cargo xtask grade`, which the student cannot fool.
pub fn classroom_workflow(chapter: &Chapter) -> Result<String> {
    let points = super::points(chapter)?;
    let mut steps = String::new();
    let mut runners = Vec::new();
    let mut env = String::new();
    for (id, p) in &points {
        let slug = format!("ex-{}", id.replace('.', "-"));
        let test = format!("ex_{}", id.replace('.', "_"));
        steps.push_str(&format!(
            "      - name: Exercise {id}\n\
             \x20       id: {slug}\n\
             \x20       uses: classroom-resources/autograding-command-grader@v1\n\
             \x20       with:\n\
             \x20         test-name: Exercise {id}\n\
             \x20         command: cargo test --quiet --test exercises {test}\n\
             \x20         timeout: 10\n\
             \x20         max-score: {p}\n"
        ));
        env.push_str(&format!(
            "          {}_RESULTS: \"${{{{ steps.{slug}.outputs.result }}}}\"\n",
            slug.to_uppercase()
        ));
        runners.push(slug);
    }
    Ok(format!(
        "# Written by `cargo xtask assign --classroom`: runs the visible\n\
         # exercise tests on every push, with each exercise's points, so you\n\
         # get feedback at once. Final marks come from your instructor's\n\
         # grader, which also uses inputs you have not seen.\n\
         name: Autograding\n\
         on:\n  push:\n  workflow_dispatch:\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n\
         \x20 autograding:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20     - name: Build once\n\
         \x20       run: cargo test --no-run --test exercises\n\
         {steps}\
         \x20     - name: Report\n\
         \x20       uses: classroom-resources/autograding-grading-reporter@v1\n\
         \x20       env:\n{env}\
         \x20       with:\n\
         \x20         runners: {runners}\n",
        runners = runners.join(","),
    ))
}

/// Lets cargo trim the book's lock file down to this crate's packages,
/// offline, keeping every version, so that the student's first build
/// leaves `Cargo.lock` as it is.
///
/// `cargo update --workspace` re-resolves from the registry index alone
/// (which a build of the book has already fetched, for every platform);
/// `cargo metadata` would also need the downloaded sources of every
/// platform's packages, which a fresh cargo home does not hold.
pub fn prune_lock(dir: &Path) -> Result<()> {
    prune_lock_with(dir, None)
}

/// [`prune_lock`] with cargo's home at `cargo_home` instead of the
/// caller's.
fn prune_lock_with(dir: &Path, cargo_home: Option<&Path>) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    if let Some(home) = cargo_home {
        cmd.env("CARGO_HOME", home);
    }
    let out = cmd
        .args(["update", "--workspace", "--offline", "--quiet"])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .stdout(std::process::Stdio::null())
        .output()?;
    if !out.status.success() {
        bail!(
            "cargo update --workspace --offline in {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Writes `files` under `dir`, leaving files whose contents did not
/// change untouched (so cargo does not rebuild them) and removing files
/// that are no longer part of the crate (but never `target/`).
pub fn write_files(dir: &Path, files_in: &Files) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for old in files(dir) {
        let rel = old.strip_prefix(dir)?;
        if !files_in.contains_key(rel) {
            std::fs::remove_file(&old)?;
        }
    }
    for (rel, bytes) in files_in {
        let path = dir.join(rel);
        if std::fs::read(&path).is_ok_and(|old| &old == bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// `cargo xtask assign`.
pub fn run(
    root: &Path,
    chapter: &Chapter,
    out: &Path,
    classroom: bool,
) -> Result<()> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} exists and is not empty: choose a new folder",
            out.display()
        );
    }
    let crate_files = student_crate(
        root,
        chapter,
        Options {
            hidden_tests: false,
        },
    )?;
    write_files(out, &crate_files)?;
    prune_lock(out)?;
    if classroom {
        let wf = out.join(".github/workflows/classroom.yml");
        std::fs::create_dir_all(wf.parent().context("no parent")?)?;
        std::fs::write(&wf, classroom_workflow(chapter)?)?;
    }
    let n: usize = files(&chapter.dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            solution_ids(&std::fs::read_to_string(p).unwrap_or_default()).len()
        })
        .sum();
    println!(
        "wrote the student crate for {} to {} ({} files, {n} exercises to solve)\n\
         students run: cd {} && cargo test --test exercises",
        chapter.name,
        out.display(),
        crate_files.len(),
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "\
/// Adds one.
// TODO(ex 9.1): return x + 1,
// e.g. 1 -> 2
pub fn inc(x: i32) -> i32 {
    // SOLUTION-START(ex 9.1)
    let secret_answer_line = x + 1;
    secret_answer_line
    // SOLUTION-END
}
";

    #[test]
    fn solutions_become_todo_with_the_guidance_kept() {
        let out = strip_solutions(CODE, "x.rs").unwrap();
        assert!(!out.contains("secret_answer_line"), "{out}");
        assert!(!out.contains("SOLUTION"), "{out}");
        assert!(out.contains("// TODO(ex 9.1): return x + 1,\n// e.g. 1 -> 2"));
        assert!(
            out.contains("    todo!(\"ex 9.1: return x + 1, e.g. 1 -> 2\")\n"),
            "{out}"
        );
    }

    #[test]
    fn an_unclosed_solution_is_an_error() {
        let code = "// SOLUTION-START(ex 1.1)\nlet x = 1;\n";
        let err = strip_solutions(code, "a.rs").unwrap_err().to_string();
        assert!(err.contains("a.rs:1: exercise 1.1"), "{err}");
    }

    #[test]
    fn braces_in_hints_do_not_break_the_format_string() {
        let code = "// TODO(ex 2.1): return {x}\n// SOLUTION-START(ex 2.1)\n1\n// SOLUTION-END\n";
        let out = strip_solutions(code, "a.rs").unwrap();
        assert!(out.contains("todo!(\"ex 2.1: return {{x}}\")"), "{out}");
    }

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_classroom_workflow_runs_each_exercise_with_its_points() {
        let chapter = crate::find_chapter(&root(), "5").unwrap();
        let points = crate::points(&chapter).unwrap();
        let wf = classroom_workflow(&chapter).unwrap();
        for (id, p) in &points {
            let test = format!("--test exercises ex_{}", id.replace('.', "_"));
            assert!(wf.contains(&test), "{id}: {wf}");
            assert!(wf.contains(&format!("max-score: {p}")), "{id}: {wf}");
        }
        let runners: Vec<String> = points
            .keys()
            .map(|id| format!("ex-{}", id.replace('.', "-")))
            .collect();
        assert!(wf.contains(&format!("runners: {}", runners.join(","))));
    }

    #[test]
    fn the_student_readme_speaks_to_the_student_copy() {
        let chapter = crate::find_chapter(&root(), "5").unwrap();
        let files = student_crate(
            &root(),
            &chapter,
            Options {
                hidden_tests: false,
            },
        )
        .unwrap();
        let readme =
            String::from_utf8(files[Path::new("README.md")].clone()).unwrap();
        assert!(readme.contains("src/exercises.rs"), "{readme}");
        assert!(readme.contains("Only `src/` is read"), "{readme}");
        assert!(!readme.contains("SOLUTION"), "{readme}");
        assert!(!readme.contains("crates/ch05"), "{readme}");
        let url = book_url(&root()).unwrap();
        assert!(readme.contains(&format!("{url}ch05-")), "{readme}");
    }

    #[test]
    fn the_published_address_comes_from_book_toml() {
        let dir = std::env::temp_dir()
            .join(format!("assign-book-url-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |html: &str| {
            std::fs::write(
                dir.join("book.toml"),
                format!("[output.html]\n{html}"),
            )
            .unwrap()
        };
        write(
            "site-url = \"/fork-name/\"\ngit-repository-url = \"https://github.com/Someone/fork-name\"\n",
        );
        assert_eq!(
            book_url(&dir).unwrap(),
            "https://someone.github.io/fork-name/"
        );
        write("site-url = \"/\"\ncname = \"book.example.org\"\n");
        assert_eq!(book_url(&dir).unwrap(), "https://book.example.org/");
        write("site-url = \"/x/\"\n");
        assert!(book_url(&dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn links_point_at_the_published_book_or_at_files_the_crate_holds() {
        let chapter = Chapter {
            nn: "06".into(),
            name: "ch06-x".into(),
            dir: PathBuf::new(),
        };
        let mut files = Files::new();
        files.insert("src/mask.rs".into(), Vec::new());
        let text = "see [chapter 5](ch05-y.md), [this](#masks), \
                    [the code](../crates/ch06-x/src/mask.rs), \
                    [gone](../crates/ch06-x/tests/a.rs), \
                    [a figure](figures/f.svg) and [web](https://e.org/a)";
        let out =
            rewrite_links(text, "https://o.github.io/b/", &chapter, &files);
        assert_eq!(
            out,
            "see [chapter 5](https://o.github.io/b/ch05-y.html), \
             [this](https://o.github.io/b/ch06-x.html#masks), \
             [the code](src/mask.rs), gone, \
             [a figure](https://o.github.io/b/figures/f.svg) and \
             [web](https://e.org/a)"
        );
    }

    /// What a fresh cargo home holds after a build of the book is the
    /// registry index (every platform's entries) and this platform's
    /// packages: the lock file is pruned from the index alone.
    #[test]
    fn the_lock_is_pruned_offline_from_the_registry_index_alone() {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|h| PathBuf::from(h).join(".cargo"))
            })
            .unwrap();
        let tmp = std::env::temp_dir()
            .join(format!("assign-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let bare = tmp.join("cargo-home");
        std::fs::create_dir_all(bare.join("registry")).unwrap();
        let copied = std::process::Command::new("cp")
            .arg("-R")
            .arg(home.join("registry/index"))
            .arg(bare.join("registry/index"))
            .status()
            .unwrap();
        assert!(copied.success());
        let chapter = crate::find_chapter(&root(), "5").unwrap();
        let files = student_crate(
            &root(),
            &chapter,
            Options {
                hidden_tests: false,
            },
        )
        .unwrap();
        let dir = tmp.join("student");
        write_files(&dir, &files).unwrap();
        prune_lock_with(&dir, Some(&bare)).unwrap();
        let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
        assert!(lock.contains("name = \"ndarray\""), "{lock}");
        assert!(!lock.contains("name = \"mdbook-driver\""), "{lock}");
        // Nothing was downloaded or unpacked.
        assert!(!bare.join("registry/cache").exists());
        assert!(!bare.join("registry/src").exists());
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn hidden_tests_are_recognised_by_name() {
        assert!(is_hidden_test(Path::new("tests/hidden_exercises.rs")));
        assert!(!is_hidden_test(Path::new("tests/exercises.rs")));
        assert!(!is_hidden_test(Path::new("src/hidden_thing.rs")));
    }
}
