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
}

/// How grading went as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Built and judged.
    Graded,
    /// The crate did not build; the compiler's first errors.
    DoesNotCompile(String),
    /// Not graded: why (no `src/`, too large, wrong chapter, ...).
    Rejected(String),
}

impl Status {
    /// The short status for the CSV.
    pub fn label(&self) -> String {
        match self {
            Status::Graded => "graded".into(),
            Status::DoesNotCompile(_) => "does not compile".into(),
            Status::Rejected(why) => format!("rejected: {why}"),
        }
    }
}

/// A graded submission.
#[derive(Debug, Clone)]
pub struct Report {
    /// The student: the submission folder's name.
    pub student: String,
    /// The chapter crate's name.
    pub chapter: String,
    /// How it went.
    pub status: Status,
    /// Per exercise, in order (empty unless graded).
    pub exercises: Vec<ExerciseResult>,
    /// Points of every exercise, from `grading.toml`.
    pub points: Vec<(String, f64)>,
    /// Notes for the student (ignored files, links left out).
    pub notes: Vec<String>,
}

impl Report {
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

    /// The report for the student.
    pub fn text(&self) -> String {
        let mut t = format!("{} — {}\n", self.student, self.chapter);
        match &self.status {
            Status::Graded => {}
            Status::DoesNotCompile(errors) => {
                t.push_str(
                    "\nYour crate does not compile, so every exercise scores \
                     0. The compiler's first errors:\n\n",
                );
                t.push_str(errors);
                t.push('\n');
            }
            Status::Rejected(why) => {
                t.push_str(&format!("\nNot graded: {why}.\n"));
            }
        }
        for e in &self.exercises {
            let passed =
                e.checks.iter().filter(|c| c.failure.is_none()).count();
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
            for c in &e.checks {
                match &c.failure {
                    None => t.push_str(&format!("  passed  {}\n", c.name)),
                    Some(why) => {
                        t.push_str(&format!("  FAILED  {}: {why}\n", c.name))
                    }
                }
            }
        }
        if !self.notes.is_empty() {
            t.push_str("\nNotes:\n");
            for n in &self.notes {
                t.push_str(&format!("  - {n}\n"));
            }
        }
        t.push_str(&format!(
            "\nTotal: {} / {}\n",
            round(self.total()),
            round(self.max())
        ));
        t
    }

    /// The same as JSON.
    pub fn json(&self) -> Value {
        let exercises: Vec<Value> = self
            .exercises
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "points": round(e.points),
                    "max": e.max,
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
        json!({
            "student": self.student,
            "chapter": self.chapter,
            "status": self.status.label(),
            "compiler_errors": errors,
            "exercises": exercises,
            "notes": self.notes,
            "total": round(self.total()),
            "max": round(self.max()),
        })
    }
}

/// Points to two decimals, for reports and the CSV.
pub fn round(x: f64) -> f64 {
    // `+ 0.0` turns the -0 of an empty sum into 0.
    (x * 100.0).round() / 100.0 + 0.0
}

/// One CSV field, quoted when it needs to be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV header for exercises `ids`.
pub fn csv_header(ids: &[String]) -> String {
    let mut cols =
        vec!["student".to_string(), "chapter".into(), "status".into()];
    cols.extend(ids.iter().map(|id| format!("ex {id}")));
    cols.extend(["total".into(), "max".into(), "seed".into()]);
    cols.join(",") + "\n"
}

/// One CSV row.
pub fn csv_row(r: &Report, ids: &[String], seed: u64) -> String {
    let mut cols = vec![
        csv_field(&r.student),
        csv_field(&r.chapter),
        csv_field(&r.status.label()),
    ];
    cols.extend(ids.iter().map(|id| round(r.points_for(id)).to_string()));
    cols.push(round(r.total()).to_string());
    cols.push(round(r.max()).to_string());
    cols.push(seed.to_string());
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
}
