//! Proof that a student copy gives no solution away: every line that
//! stands only inside solution markers, anywhere in the book's crates,
//! must be absent from the copy.

use crate::student::Files;
use crate::walk::files;
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::Path;

/// Lines that occur only inside solution regions of `code` (trimmed,
/// long enough to be distinctive).
fn solution_only_lines(code: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut inside, mut outside) = (BTreeSet::new(), BTreeSet::new());
    let mut in_solution = false;
    for line in code.lines() {
        let t = line.trim();
        if t.starts_with("// SOLUTION-START") {
            in_solution = true;
        } else if t == "// SOLUTION-END" {
            in_solution = false;
        } else if in_solution {
            inside.insert(t.to_string());
        } else {
            outside.insert(t.to_string());
        }
    }
    (inside, outside)
}

/// The solution lines that survive anywhere in `student`, a student copy.
pub fn leaked_solution_lines(
    root: &Path,
    student: &Files,
) -> Result<Vec<String>> {
    let (mut inside, mut outside) = (BTreeSet::new(), BTreeSet::new());
    let crates = std::fs::read_dir(root.join("crates"))?
        .flatten()
        .map(|e| e.path());
    for dir in crates {
        // Every file counts as "outside" text (tests and examples too): a
        // line that also stands outside the solutions gives nothing away.
        for f in files(&dir)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        {
            let (i, o) = solution_only_lines(&std::fs::read_to_string(f)?);
            inside.extend(i);
            outside.extend(o);
        }
    }
    let unique: Vec<String> = inside
        .difference(&outside)
        .filter(|l| l.len() >= 12)
        .cloned()
        .collect();
    let mut leaked = Vec::new();
    for (path, bytes) in student {
        let text = String::from_utf8_lossy(bytes);
        if text.lines().map(str::trim).any(|l| {
            l.starts_with("// SOLUTION-START(") || l == "// SOLUTION-END"
        }) {
            leaked.push(format!("{}: a solution marker", path.display()));
        }
        let lines: BTreeSet<&str> = text.lines().map(str::trim).collect();
        for l in &unique {
            if lines.contains(l.as_str()) {
                leaked.push(format!("{}: {l}", path.display()));
            }
        }
    }
    Ok(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_only_in_solutions_are_found() {
        let code = "let shared = 1;\n// SOLUTION-START(ex 1.1)\nlet shared = 1;\nlet secret = 2;\n// SOLUTION-END\n";
        let (inside, outside) = solution_only_lines(code);
        let unique: Vec<_> = inside.difference(&outside).collect();
        assert_eq!(unique, ["let secret = 2;"]);
    }
}
