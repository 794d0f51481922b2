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
            table.insert("profile".into(), profile.clone());
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
        matches!(top.as_deref(), Some("src" | "tests" | "examples"))
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
        out.insert(
            prefix.join("Cargo.toml"),
            toml::to_string(&manifest_table)?.into_bytes(),
        );
        add_tree(&mut out, &dir, &prefix, |rel| rel.starts_with("src"))?;
        queue.extend(deps);
    }
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        out.insert("Cargo.lock".into(), lock);
    }
    out.insert(".gitignore".into(), b"/target\n".to_vec());
    out.insert(
        "README.md".into(),
        student_readme(root, chapter)?.into_bytes(),
    );
    Ok(out)
}

/// The exercises section of the chapter's text, for the student README.
fn exercise_statements(root: &Path, chapter: &Chapter) -> String {
    let md = root.join("book").join(format!("{}.md", chapter.name));
    let text = std::fs::read_to_string(md).unwrap_or_default();
    match text.find("\n## Exercises") {
        Some(i) => text[i + 1..]
            .lines()
            .skip(1)
            .filter(|l| !l.contains("{{#"))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string(),
        None => "See the chapter's exercises section.".to_string(),
    }
}

fn student_readme(root: &Path, chapter: &Chapter) -> Result<String> {
    let points = super::points(chapter)?;
    let mut table = String::from("| exercise | points |\n| --- | --- |\n");
    for (id, p) in &points {
        table.push_str(&format!("| {id} | {p} |\n"));
    }
    let total: f64 = points.values().sum();
    Ok(format!(
        "# Homework: {name}\n\n\
         This crate is chapter {n} of *Attention, Verified*, with the code \
         exercises' solutions taken out. Each place you have to fill in says \
         `todo!(\"ex N.M: ...\")`, with a `// TODO(ex N.M)` comment above it \
         explaining what to do.\n\n\
         ## The exercises\n\n{statements}\n\n\
         ## Working on them\n\n\
         You need a Rust toolchain and nothing else; the earlier chapters' \
         code this crate uses is in `vendor/`.\n\n\
         ```sh\n\
         cargo test --test exercises            # every exercise's tests\n\
         cargo test --test exercises ex_{first}  # one exercise\n\
         cargo test                             # everything, including the chapter's own tests\n\
         ```\n\n\
         An exercise is done when its tests pass. Do not change the tests: \
         they are not graded from your copy.\n\n\
         ## How the work is graded\n\n\
         The grader copies your `src/` folder into a fresh copy of this \
         assignment, puts the original tests back together with further \
         tests you have not seen, and runs every exercise test on its own, \
         with a time limit. A test passes or it does not; an exercise \
         earns its points in proportion to the tests it passes. Code that \
         does not compile scores 0, so hand in code that builds.\n\n\
         {table}\n**Total: {total}**\n",
        name = chapter.name,
        n = chapter.nn.trim_start_matches('0'),
        statements = exercise_statements(root, chapter),
        first = points
            .keys()
            .next()
            .map_or("1_1".to_string(), |id| id.replace('.', "_")),
    ))
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
    let _ = classroom;
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

    #[test]
    fn hidden_tests_are_recognised_by_name() {
        assert!(is_hidden_test(Path::new("tests/hidden_exercises.rs")));
        assert!(!is_hidden_test(Path::new("tests/exercises.rs")));
        assert!(!is_hidden_test(Path::new("src/hidden_thing.rs")));
    }
}
