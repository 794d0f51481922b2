//! What a grading produced: a score per exercise, and a report that can be
//! handed to the student as it is (no hidden input, no expected value, no
//! instructor advice, compiler errors cut short).

use attn_common::answer::{Value, json};

/// One check's outcome.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// The check's name (safe to show).
    pub name: String,
    /// `None` when it passed, or why it failed (safe to show).
    pub failure: Option<String>,
}

/// One exercise's outcome.
#[derive(Debug, Clone)]
pub struct ExerciseResult {
    /// `"5.1"`.
    pub id: String,
    /// Its points in `grading.toml`.
    pub max: f64,
    /// Points earned: `max` times the share of checks passed.
    pub points: f64,
    /// Every check, in order.
    pub checks: Vec<CheckResult>,
    /// The exercise still holds the assignment's `todo!()` and earned
    /// nothing: its report says "not attempted" instead of listing every
    /// check the `todo!()` failed.
    pub not_attempted: bool,
}

/// How grading went as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Built and judged.
    Graded,
    /// The submission's `src/` is the assignment's, as handed out: nothing
    /// was built and there are no scores.
    Unchanged,
    /// The crate did not build; the compiler's first errors.
    DoesNotCompile(String),
    /// Not graded: why (no `src/`, too large, wrong chapter, time limit,
    /// judge error, ...).
    Rejected(String),
}

impl Status {
    /// The short status for the CSV.
    pub fn label(&self) -> String {
        match self {
            Status::Graded => "graded".into(),
            Status::Unchanged => "unchanged".into(),
            Status::DoesNotCompile(_) => "does not compile".into(),
            Status::Rejected(why) => format!("rejected: {why}"),
        }
    }

    /// Whether this submission has scores (a build that failed scores 0;
    /// a rejected or unchanged one has none).
    pub fn scored(&self) -> bool {
        matches!(self, Status::Graded | Status::DoesNotCompile(_))
    }
}

/// Most notes one report holds, and the longest note, in characters.
pub const MAX_NOTES: usize = 20;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 300;

/// `s` as one line of printable text: control characters (newlines
/// included) and other invisible ones are written as `\u{..}`, and the
/// whole is cut at `cap` characters. File and folder names a student
/// chose go through here before they reach a report or a CSV.
pub fn printable(s: &str, cap: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n >= cap {
            out.push_str("...");
            break;
        }
        let invisible = c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
        if invisible {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A graded submission.
#[derive(Debug, Clone)]
pub struct Report {
    /// The student: the submission folder's name (printable, see
    /// [`printable`]).
    pub student: String,
    /// The chapter crate's name.
    pub chapter: String,
    /// How it went.
    pub status: Status,
    /// Per exercise, in order (empty unless graded).
    pub exercises: Vec<ExerciseResult>,
    /// Points of every exercise, from `grading.toml`.
    pub points: Vec<(String, f64)>,
    /// Notes for the student (ignored files, links left out). Add them
    /// with [`Report::note`], which filters and caps them.
    pub notes: Vec<String>,
    /// The seed of the hidden cases this grading used.
    pub seed: u64,
    /// A fingerprint of the submission's `src/` with whitespace and
    /// comments removed (for the batch's `similar` column), when read.
    pub fingerprint: Option<u64>,
}

/// The category of each of `names` (one exercise's checks), for reports
/// and `--list-checks`: checks whose names differ only in a trailing
/// number ("hidden random case 3", "hidden random case 4") are one
/// category, named without it; any other check is a category of its own.
pub fn categories(names: &[&str]) -> Vec<String> {
    let stem = |n: &str| -> Option<String> {
        let t = n.trim_end_matches(|c: char| c.is_ascii_digit());
        (t.len() < n.len() && t.ends_with(' ')).then(|| t.trim_end().into())
    };
    names
        .iter()
        .map(|n| match stem(n) {
            Some(s)
                if names
                    .iter()
                    .filter(|o| stem(o) == Some(s.clone()))
                    .count()
                    > 1 =>
            {
                s
            }
            _ => n.to_string(),
        })
        .collect()
}

impl Report {
    /// An empty report for `student`, with no exercise graded yet.
    pub fn new(
        student: &str,
        chapter: &str,
        points: Vec<(String, f64)>,
        seed: u64,
    ) -> Report {
        Report {
            student: printable(student, 200),
            chapter: chapter.to_string(),
            status: Status::Graded,
            exercises: Vec::new(),
            points,
            notes: Vec::new(),
            seed,
            fingerprint: None,
        }
    }

    /// Adds a note, as printable text, at most [`MAX_NOTES`] of them.
    pub fn note(&mut self, text: &str) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(printable(text, MAX_NOTE_CHARS));
        } else if self.notes.len() == MAX_NOTES {
            self.notes.push("(more notes left out)".into());
        }
    }

    /// Points earned.
    pub fn total(&self) -> f64 {
        self.exercises.iter().map(|e| e.points).sum()
    }

    /// Points available.
    pub fn max(&self) -> f64 {
        self.points.iter().map(|(_, p)| p).sum()
    }

    /// Points earned for exercise `id` (0 unless graded).
    pub fn points_for(&self, id: &str) -> f64 {
        self.exercises
            .iter()
            .find(|e| e.id == id)
            .map_or(0.0, |e| e.points)
    }

    /// The report for the student: per exercise its points, then one line
    /// per kind of failure (repeated failures collapsed into one line with
    /// their count).
    pub fn text(&self) -> String {
        let mut t =
            format!("{} — {}\n", printable(&self.student, 200), self.chapter);
        match &self.status {
            Status::Graded => {}
            Status::Unchanged => {
                t.push_str(
                    "\nUnchanged: this is the assignment as it was handed \
                     out, with no exercise attempted. Nothing was built or \
                     scored.\n",
                );
            }
            Status::DoesNotCompile(errors) => {
                t.push_str(
                    "\nYour crate does not compile, so every exercise scores \
                     0. The compiler's first errors:\n\n",
                );
                t.push_str(errors);
                t.push('\n');
            }
            Status::Rejected(why) => {
                t.push_str(&format!(
                    "\nNot graded: {}.\n",
                    printable(why, 1000)
                ));
            }
        }
        for e in &self.exercises {
            let passed =
                e.checks.iter().filter(|c| c.failure.is_none()).count();
            if e.not_attempted {
                t.push_str(&format!(
                    "\nExercise {}: 0 / {} points: not attempted (it still \
                     holds its todo!())\n",
                    e.id,
                    round(e.max)
                ));
                continue;
            }
            t.push_str(&format!(
                "\nExercise {}: {} / {} points ({passed} of {} checks passed)\n",
                e.id,
                round(e.points),
                round(e.max),
                e.checks.len()
            ));
            if e.points == 0.0 && passed > 0 {
                t.push_str(
                    "  (no valid input was answered correctly, so the \
                     refusals of bad input below earn nothing yet)\n",
                );
            }
            t.push_str(&failure_lines(e));
        }
        if !self.notes.is_empty() {
            t.push_str("\nNotes:\n");
            for n in self.notes.iter().take(MAX_NOTES + 1) {
                t.push_str(&format!("  - {}\n", printable(n, MAX_NOTE_CHARS)));
            }
        }
        if self.status.scored() {
            t.push_str(&format!(
                "\nTotal: {} / {}\n",
                round(self.total()),
                round(self.max())
            ));
        } else {
            t.push_str(&format!(
                "\nTotal: no score (of {})\n",
                round(self.max())
            ));
        }
        t
    }

    /// The same as JSON, with the seed of the hidden cases (`--seed` grades
    /// the same ones again). `total` is null when there is no score.
    pub fn json(&self) -> Value {
        let exercises: Vec<Value> = self
            .exercises
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "points": round(e.points),
                    "max": e.max,
                    "not_attempted": e.not_attempted,
                    "checks": e.checks.iter().map(|c| json!({
                        "name": c.name,
                        "passed": c.failure.is_none(),
                        "failure": c.failure,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let errors = match &self.status {
            Status::DoesNotCompile(e) => Some(e.clone()),
            _ => None,
        };
        let total = self.status.scored().then(|| round(self.total()));
        json!({
            "student": self.student,
            "chapter": self.chapter,
            "status": self.status.label(),
            "compiler_errors": errors,
            "exercises": exercises,
            "notes": self.notes,
            "total": total,
            "max": round(self.max()),
            // A string: a u64 does not survive every JSON reader.
            "seed": self.seed.to_string(),
        })
    }
}

/// The failures of exercise `e`, collapsed: per reason, one line per
/// category of checks that failed for it (with how many checks it
/// stands for), or a single line when three categories or more failed
/// for the same reason (a crash that every check meets).
fn failure_lines(e: &ExerciseResult) -> String {
    let names: Vec<&str> = e.checks.iter().map(|c| c.name.as_str()).collect();
    let cats = categories(&names);
    /// A category: its name, checks failed, checks in it.
    type Line<'a> = (&'a str, usize, usize);
    let mut by_reason: Vec<(&str, Vec<Line>)> = Vec::new();
    for (c, cat) in e.checks.iter().zip(&cats) {
        let Some(why) = &c.failure else { continue };
        let of = cats.iter().filter(|o| *o == cat).count();
        let entry = match by_reason.iter_mut().find(|(w, _)| *w == why.as_str())
        {
            Some(entry) => entry,
            None => {
                by_reason.push((why, Vec::new()));
                by_reason.last_mut().expect("just pushed")
            }
        };
        match entry.1.iter_mut().find(|(k, _, _)| *k == cat.as_str()) {
            Some(line) => line.1 += 1,
            None => entry.1.push((cat, 1, of)),
        }
    }
    let mut t = String::new();
    for (why, cats) in by_reason {
        if cats.len() >= 3 {
            let n: usize = cats.iter().map(|c| c.1).sum();
            let shown: Vec<&str> = cats.iter().take(3).map(|c| c.0).collect();
            let more = match cats.len() - shown.len() {
                0 => String::new(),
                k => format!(", and {k} more"),
            };
            t.push_str(&format!(
                "  FAILED  {n} checks: {why}\n          ({}{more})\n",
                shown.join("; ")
            ));
            continue;
        }
        for (cat, n, of) in cats {
            let count = match (n, of) {
                (1, 1) => String::new(),
                (n, of) if n == of => format!(" (all {n} checks)"),
                (n, of) => format!(" ({n} of {of} checks)"),
            };
            t.push_str(&format!("  FAILED  {cat}{count}: {why}\n"));
        }
    }
    t
}

/// Points to two decimals, for reports and the CSV.
pub fn round(x: f64) -> f64 {
    // `+ 0.0` turns the -0 of an empty sum into 0.
    (x * 100.0).round() / 100.0 + 0.0
}

/// One CSV field: a cell a spreadsheet would read as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`
/// and quotes, as the OWASP guidance on CSV injection says; a cell with a
/// comma, a quote or a line break is quoted.
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", s.replace('"', "\"\""))
    } else if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Splits one CSV line (as [`csv_row`] writes them) into its fields,
/// unquoted. A neutralised formula keeps its leading `'`.
pub fn csv_split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The CSV header for exercises `ids`.
pub fn csv_header(ids: &[String]) -> String {
    let mut cols =
        vec!["student".to_string(), "chapter".into(), "status".into()];
    cols.extend(ids.iter().map(|id| format!("ex {id}")));
    cols.extend([
        "total".into(),
        "max".into(),
        "similar".into(),
        "seed".into(),
    ]);
    cols.join(",") + "\n"
}

/// One CSV row. A submission without scores (rejected or unchanged) has
/// empty score cells and says why in its status; `similar` names the
/// submissions (or the reference) whose code is the same as this one's.
pub fn csv_row(r: &Report, ids: &[String], similar: &str) -> String {
    let mut cols = vec![
        csv_field(&r.student),
        csv_field(&r.chapter),
        csv_field(&printable(&r.status.label(), 300)),
    ];
    let scored = r.status.scored();
    let cell = |x: f64| {
        if scored {
            round(x).to_string()
        } else {
            String::new()
        }
    };
    cols.extend(ids.iter().map(|id| cell(r.points_for(id))));
    cols.push(cell(r.total()));
    cols.push(round(r.max()).to_string());
    cols.push(csv_field(similar));
    cols.push(r.seed.to_string());
    cols.join(",") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn formula_like_cells_are_neutralised() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let cell = csv_field(bad);
            assert!(cell.starts_with("\"'"), "{bad:?} -> {cell}");
            assert_eq!(csv_split(&cell), vec![format!("'{bad}")]);
        }
        assert_eq!(
            csv_field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
    }

    #[test]
    fn csv_lines_split_back_into_their_fields() {
        let fields = ["a,b", "say \"hi\"", "", "=x", "plain"];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        let back = csv_split(&line.join(","));
        assert_eq!(back, ["a,b", "say \"hi\"", "", "'=x", "plain"]);
    }

    #[test]
    fn notes_are_one_printable_line_and_capped() {
        let mut r = Report::new("a", "ch06", vec![], 1);
        r.note("x.rs\nTotal: 10 / 10\u{202E}");
        assert_eq!(r.notes[0], "x.rs\\u{a}Total: 10 / 10\\u{202e}");
        for _ in 0..50 {
            r.note(&"y".repeat(1000));
        }
        assert_eq!(r.notes.len(), MAX_NOTES + 1);
        assert!(r.notes[1].chars().count() <= MAX_NOTE_CHARS + 3);
    }

    fn check(name: &str, failure: Option<&str>) -> CheckResult {
        CheckResult {
            name: name.into(),
            failure: failure.map(String::from),
        }
    }

    #[test]
    fn failures_are_one_line_per_category_and_reason() {
        let mut checks = vec![check("the statement's example", None)];
        for i in 1..=8 {
            let why = if i <= 5 { Some("wrong answer") } else { None };
            checks.push(check(&format!("hidden random case {i}"), why));
        }
        checks.push(check(
            "rejects a NaN",
            Some("accepted an input it should refuse"),
        ));
        let e = ExerciseResult {
            id: "6.3".into(),
            max: 4.0,
            points: 1.0,
            checks,
            not_attempted: false,
        };
        assert_eq!(
            failure_lines(&e),
            "  FAILED  hidden random case (5 of 8 checks): wrong answer\n\
             \x20 FAILED  rejects a NaN: accepted an input it should refuse\n"
        );
        // One crash met by every check is one line.
        let e = ExerciseResult {
            checks: (1..=6)
                .map(|i| {
                    check(
                        &format!("case {i} of its own kind"),
                        Some("panicked"),
                    )
                })
                .collect(),
            ..e
        };
        let lines = failure_lines(&e);
        assert_eq!(lines.lines().count(), 2, "{lines}");
        assert!(
            lines.starts_with("  FAILED  6 checks: panicked\n"),
            "{lines}"
        );
        assert!(lines.contains(", and 3 more)"), "{lines}");
    }

    #[test]
    fn categories_drop_a_trailing_number_shared_by_siblings() {
        let cats = categories(&[
            "hidden random case 1",
            "hidden random case 12",
            "saying w = 0",
            "the statement's example",
        ]);
        assert_eq!(
            cats,
            [
                "hidden random case",
                "hidden random case",
                "saying w = 0",
                "the statement's example"
            ]
        );
    }
}
