//! The end-of-chapter quizzes: read, checked against the locked outputs,
//! and rendered into the page when the book is built.
//!
//! A quiz is a TOML file in `book/quizzes/`, in the shape of
//! `mdbook-quiz` (so it stays portable to that tool):
//!
//! ```toml
//! [[questions]]
//! type = "MultipleChoice"            # or "ShortAnswer"
//! prompt.prompt = "Which key wins?"
//! prompt.distractors = ["key 1", "key 3"]
//! answer.answer = "key 2"             # a number for a numeric answer
//! context = "Why, and which section says so."
//! source = "crates/ch03-.../tests/snapshots/library_search.snap"
//! locked = "winner: key 2"            # text that must be in `source`
//! ```
//!
//! `source` and `locked` are this book's own keys: a numeric answer names
//! the locked output it comes from, and `cargo xtask check` fails when the
//! number (or the `locked` text) is no longer in it. A chapter includes
//! its quiz with `{{#quiz quizzes/chNN.toml}}` at the end of its exercises
//! (a chapter ends with them); the page gets a "Quiz" heading and plain HTML
//! whose answers sit behind a disclosure, and `book/theme/quiz.js` turns it
//! into questions to answer where JavaScript runs.

use crate::numbers::{canonical, scan};
use anyhow::{Context, Result, bail};
use mdbook_driver::book::{Book, BookItem};
use std::path::{Path, PathBuf};

/// The fewest and the most questions a quiz may have.
const SIZE: std::ops::RangeInclusive<usize> = 4..=8;

/// One question of a quiz.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Line of its `[[questions]]` header in the file, from 1.
    pub line: usize,
    pub kind: Kind,
    pub prompt: String,
    /// The wrong choices of a multiple-choice question.
    pub distractors: Vec<String>,
    /// The right answer, as written (a number for a numeric one).
    pub answer: String,
    /// The explanation shown after answering.
    pub context: String,
    /// The locked output the answer comes from, from the book's root.
    pub source: Option<String>,
    /// Text that must appear in `source` for the answer to be right.
    pub locked: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    MultipleChoice,
    /// A short answer that is a number, compared to its printed decimals.
    Number,
    /// A short answer that is a word or phrase.
    Text,
}

/// Reads a quiz file's text.
pub fn parse(text: &str, file: &str) -> Result<Vec<Question>> {
    let table: toml::Table =
        text.parse().with_context(|| format!("parsing {file}"))?;
    let headers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[questions]]")
        .map(|(i, _)| i + 1)
        .collect();
    let list = table
        .get("questions")
        .and_then(|q| q.as_array())
        .with_context(|| format!("{file}: no [[questions]]"))?;
    let mut out = Vec::new();
    for (i, q) in list.iter().enumerate() {
        let line = headers.get(i).copied().unwrap_or(1);
        let at = |what: &str| format!("{file}:{line}: {what}");
        let s = |v: Option<&toml::Value>| -> Option<String> {
            match v? {
                toml::Value::String(s) => Some(s.trim().to_string()),
                toml::Value::Integer(i) => Some(i.to_string()),
                toml::Value::Float(f) => Some(f.to_string()),
                _ => None,
            }
        };
        let prompt = s(q.get("prompt").and_then(|p| p.get("prompt")))
            .with_context(|| at("prompt.prompt is missing"))?;
        let answer = s(q.get("answer").and_then(|a| a.get("answer")))
            .with_context(|| at("answer.answer is missing"))?;
        let context = s(q.get("context")).unwrap_or_default();
        let distractors: Vec<String> = q
            .get("prompt")
            .and_then(|p| p.get("distractors"))
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| s(Some(d)))
            .collect();
        let kind = match q.get("type").and_then(|t| t.as_str()) {
            Some("MultipleChoice") => Kind::MultipleChoice,
            Some("ShortAnswer") if is_number(&answer) => Kind::Number,
            Some("ShortAnswer") => Kind::Text,
            other => bail!(at(&format!(
                "type {other:?}: use \"MultipleChoice\" or \"ShortAnswer\""
            ))),
        };
        out.push(Question {
            line,
            kind,
            prompt,
            distractors,
            answer,
            context,
            source: s(q.get("source")),
            locked: s(q.get("locked")),
        });
    }
    Ok(out)
}

fn is_number(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.matches('.').count() <= 1
        && t.chars().any(|c| c.is_ascii_digit())
}

/// A snapshot's text after its `---` header (a file without one is read
/// whole).
fn body(text: &str) -> &str {
    let mut offset = 0;
    let mut dashes = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            dashes += 1;
            if dashes == 2 {
                return &text[offset..];
            }
        }
    }
    text
}

/// The canonical numbers of a text.
fn numbers(text: &str) -> Vec<String> {
    scan(text).into_iter().map(|f| canonical(&f.text)).collect()
}

/// The problems of one quiz, each `file:line: message`. `locked_numbers`
/// are the numbers of the chapter crate's snapshots, which any number
/// with two or more decimals in a prompt or an explanation must be one of
/// (as in the chapter's prose).
pub fn problems(
    root: &Path,
    file: &str,
    text: &str,
    locked_numbers: &std::collections::BTreeSet<String>,
) -> Vec<String> {
    let questions = match parse(text, file) {
        Ok(q) => q,
        Err(e) => return vec![format!("{e:#}")],
    };
    let mut out = Vec::new();
    if !SIZE.contains(&questions.len()) {
        out.push(format!(
            "{file}:1: {} questions; a quiz has {} to {}",
            questions.len(),
            SIZE.start(),
            SIZE.end()
        ));
    }
    for q in &questions {
        let mut add = |m: String| out.push(format!("{file}:{}: {m}", q.line));
        if q.context.is_empty() {
            add("the answer has no explanation (`context`)".into());
        }
        if q.kind == Kind::MultipleChoice {
            if q.distractors.is_empty() {
                add("a multiple-choice question needs distractors".into());
            }
            if q.distractors.contains(&q.answer) {
                add("a distractor is the same as the answer".into());
            }
        }
        for f in scan(&format!("{}\n{}", q.prompt, q.context)) {
            if f.decimals >= 2 && !locked_numbers.contains(&canonical(&f.text))
            {
                add(format!(
                    "{} is quoted in the question but appears in none of the \
                     chapter crate's locked outputs",
                    f.text
                ));
            }
        }
        let Some(source) = &q.source else {
            if q.kind == Kind::Number {
                add(format!(
                    "the numeric answer {} names no `source`: say which \
                     locked output it comes from",
                    q.answer
                ));
            }
            continue;
        };
        let Ok(locked) = std::fs::read_to_string(root.join(source)) else {
            add(format!("source {source} does not exist"));
            continue;
        };
        let locked = body(&locked);
        if let Some(text) = &q.locked {
            if !locked.contains(text.as_str()) {
                add(format!(
                    "`{text}` is no longer in {source}: the locked output \
                     changed, so check the question and its answer"
                ));
            }
            continue;
        }
        let wanted = numbers(&q.answer);
        if wanted.is_empty() {
            add(format!(
                "the answer names {source} but neither has a number nor \
                 says which text of it (`locked`) makes it right"
            ));
        }
        let have = numbers(locked);
        for n in wanted {
            if !have.contains(&n) {
                add(format!(
                    "the answer {} is not in {source}: the locked output \
                     changed, so fix the answer",
                    q.answer
                ));
            }
        }
    }
    out
}

/// Every quiz directive `{{#quiz path}}` in a page: line and path.
pub fn directives(markdown: &str) -> Vec<(usize, String)> {
    markdown
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let rest = l.trim().strip_prefix("{{#quiz ")?;
            Some((i + 1, rest.strip_suffix("}}")?.trim().to_string()))
        })
        .collect()
}

/// `cargo xtask check`'s quiz part: every chapter page ends with a quiz
/// whose file exists, and every quiz passes [`problems`].
pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let book = root.join("book");
    for chapter in assign::all_chapters(root)? {
        let md = book.join(format!("{}.md", chapter.name));
        let Ok(text) = std::fs::read_to_string(&md) else {
            continue;
        };
        let name = crate::walk::rel(root, &md);
        let found = directives(&text);
        if found.is_empty() {
            out.push(format!(
                "{name}:{}: the chapter has no quiz: end it with \
                 {{{{#quiz quizzes/ch{}.toml}}}}",
                text.lines().count(),
                chapter.nn
            ));
        }
        let mut locked = std::collections::BTreeSet::new();
        for snap in crate::walk::files(&chapter.dir)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        {
            let s = std::fs::read_to_string(&snap)?;
            locked.extend(numbers(body(&s)));
        }
        for (line, path) in found {
            let file = book.join(&path);
            let rel = crate::walk::rel(root, &file);
            match std::fs::read_to_string(&file) {
                Ok(quiz) => out.extend(problems(root, &rel, &quiz, &locked)),
                Err(_) => out.push(format!(
                    "{name}:{line}: the quiz {rel} does not exist"
                )),
            }
        }
    }
    Ok(out)
}

/// Replaces every `{{#quiz path}}` line of every chapter with the quiz's
/// HTML. `src` is the book's source folder (paths are relative to it).
pub fn expand_book(src: &Path, book: &mut Book) -> Result<()> {
    let mut error = None;
    book.for_each_mut(|item| {
        let BookItem::Chapter(chapter) = item else {
            return;
        };
        if error.is_some() || !chapter.content.contains("{{#quiz ") {
            return;
        }
        match expand(src, &chapter.content) {
            Ok(text) => chapter.content = text,
            Err(e) => error = Some(e),
        }
    });
    error.map_or(Ok(()), Err)
}

fn expand(src: &Path, markdown: &str) -> Result<String> {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.split_inclusive('\n') {
        let path = line
            .trim()
            .strip_prefix("{{#quiz ")
            .and_then(|r| r.strip_suffix("}}"));
        match path {
            Some(path) => {
                let file: PathBuf = src.join(path.trim());
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let id = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "quiz".into());
                let questions = parse(&text, &file.display().to_string())?;
                out.push('\n');
                out.push_str(&render(&id, &questions));
                out.push_str("\n\n");
            }
            None => out.push_str(line),
        }
    }
    Ok(out)
}

/// Escapes text for HTML and turns `code` spans into `<code>`.
fn inline(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut out = String::new();
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            out.push_str(part);
        }
    }
    // No blank line may end the HTML block early.
    out.replace('\n', " ")
}

/// Plain text for an attribute.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "")
        .replace('\n', " ")
}

/// Where the right answer goes among the choices: fixed by the prompt, so
/// every build is the same, but not always first.
fn answer_slot(prompt: &str, choices: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in prompt.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % choices.max(1) as u64) as usize
}

/// The HTML of a quiz: questions, choices, and each answer with its
/// explanation behind a `<details>`, so a reader without JavaScript can
/// check an answer too. One HTML block without blank lines.
pub fn render(id: &str, questions: &[Question]) -> String {
    let mut h = format!(
        "<div class=\"quiz\" data-quiz=\"{id}\">\n\
         <h3 class=\"quiz-title\" id=\"quiz\">Quiz</h3>\n\
         <p class=\"quiz-intro\">{n} questions to check your understanding. \
         Answer each, then open its answer to see why; your answers stay in \
         this browser.</p>\n<ol class=\"quiz-questions\">\n",
        n = questions.len(),
        id = attr(id),
    );
    for (i, q) in questions.iter().enumerate() {
        let qid = format!("{}-q{}", attr(id), i + 1);
        let (kind, extra) = match q.kind {
            Kind::MultipleChoice => ("choice", String::new()),
            Kind::Number => {
                let decimals =
                    q.answer.split_once('.').map_or(0, |(_, f)| f.len());
                ("number", format!(" data-decimals=\"{decimals}\""))
            }
            Kind::Text => ("text", String::new()),
        };
        h.push_str(&format!(
            "<li class=\"quiz-question\" id=\"{qid}\" data-kind=\"{kind}\" \
             data-answer=\"{}\"{extra}>\n<p class=\"quiz-prompt\" \
             id=\"{qid}-prompt\">{}</p>\n",
            attr(&q.answer),
            inline(&q.prompt)
        ));
        if q.kind == Kind::MultipleChoice {
            let mut choices: Vec<&String> = q.distractors.iter().collect();
            let slot = answer_slot(&q.prompt, choices.len() + 1);
            choices.insert(slot, &q.answer);
            h.push_str("<ul class=\"quiz-choices\">\n");
            for c in choices {
                h.push_str(&format!(
                    "<li data-choice=\"{}\">{}</li>\n",
                    attr(c),
                    inline(c)
                ));
            }
            h.push_str("</ul>\n");
        }
        h.push_str(&format!(
            "<details class=\"quiz-answer\">\n<summary>Answer</summary>\n\
             <p><strong>{}</strong></p>\n<p>{}</p>\n</details>\n</li>\n",
            inline(&q.answer),
            inline(&q.context)
        ));
    }
    h.push_str("</ol>\n</div>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const QUIZ: &str = r#"
[[questions]]
type = "MultipleChoice"
prompt.prompt = "Which key wins the `library` search?"
prompt.distractors = ["key 1", "key 3"]
answer.answer = "key 2"
context = "Its score is highest."
source = "crates/ch99-demo/tests/snapshots/demo.snap"
locked = "winner: key 2"

[[questions]]
type = "ShortAnswer"
prompt.prompt = "What weight does the winner get?"
answer.answer = "0.4683"
context = "The softmax of the scores."
source = "crates/ch99-demo/tests/snapshots/demo.snap"

[[questions]]
type = "ShortAnswer"
prompt.prompt = "What is the name of the step that turns scores into weights?"
answer.answer = "softmax"
context = "Section two."

[[questions]]
type = "MultipleChoice"
prompt.prompt = "Do weights sum to one?"
prompt.distractors = ["no"]
answer.answer = "yes"
context = "They are a distribution."
"#;

    const SNAP: &str = "---\nsource: tests/outputs.rs\n---\nweights = [0.4683, 0.5317]\nwinner: key 2\n";

    /// A book root holding one chapter's snapshot.
    fn demo(name: &str, snapshot: &str) -> PathBuf {
        let root = std::env::temp_dir()
            .join(format!("quiz-demo-{name}-{}", std::process::id()));
        let snap = root.join("crates/ch99-demo/tests/snapshots/demo.snap");
        std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
        std::fs::write(&snap, snapshot).unwrap();
        root
    }

    #[test]
    fn a_quiz_is_read_with_its_kinds_and_lines() {
        let q = parse(QUIZ, "q.toml").unwrap();
        assert_eq!(q.len(), 4);
        assert_eq!(q[0].kind, Kind::MultipleChoice);
        assert_eq!(q[1].kind, Kind::Number);
        assert_eq!(q[2].kind, Kind::Text);
        assert_eq!((q[0].line, q[1].line), (2, 11));
        assert_eq!(q[0].distractors, ["key 1", "key 3"]);
        assert_eq!(q[0].locked.as_deref(), Some("winner: key 2"));
    }

    #[test]
    fn a_quiz_that_matches_its_locked_outputs_passes() {
        let root = demo("pass", SNAP);
        let p = problems(&root, "q.toml", QUIZ, &BTreeSet::new());
        assert!(p.is_empty(), "{p:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The demo the issue asks for: change the locked output, and the
    /// check fails naming the quiz file and the question's line.
    #[test]
    fn changing_the_locked_output_fails_the_check() {
        let root = demo("fail", &SNAP.replace("0.4683", "0.4690"));
        let p =
            problems(&root, "book/quizzes/ch99.toml", QUIZ, &BTreeSet::new());
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("book/quizzes/ch99.toml:11: the answer 0.4683"),
            "{p:?}"
        );
        std::fs::write(
            root.join("crates/ch99-demo/tests/snapshots/demo.snap"),
            SNAP.replace("winner: key 2", "winner: key 3"),
        )
        .unwrap();
        let p = problems(&root, "q.toml", QUIZ, &BTreeSet::new());
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("q.toml:2: `winner: key 2` is no longer in"),
            "{p:?}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_numeric_answer_must_name_its_source() {
        let quiz = QUIZ.replace(
            "source = \"crates/ch99-demo/tests/snapshots/demo.snap\"\n\n[[questions]]\ntype = \"ShortAnswer\"\nprompt.prompt = \"What is the name",
            "\n[[questions]]\ntype = \"ShortAnswer\"\nprompt.prompt = \"What is the name",
        );
        let root = demo("nosource", SNAP);
        let p = problems(&root, "q.toml", &quiz, &BTreeSet::new());
        assert!(p.iter().any(|p| p.contains("names no `source`")), "{p:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn numbers_in_explanations_must_be_locked_and_sizes_are_bounded() {
        let quiz = QUIZ.replace("Section two.", "It gives 0.1234 here.");
        let root = demo("prose", SNAP);
        let p = problems(&root, "q.toml", &quiz, &BTreeSet::new());
        assert!(
            p.iter()
                .any(|p| p.starts_with("q.toml:18: 0.1234 is quoted")),
            "{p:?}"
        );
        let locked: BTreeSet<String> = ["0.1234".to_string()].into();
        assert!(problems(&root, "q.toml", &quiz, &locked).is_empty());
        let short: String = QUIZ
            .split("[[questions]]")
            .take(2)
            .collect::<Vec<_>>()
            .join("[[questions]]");
        let p = problems(&root, "q.toml", &short, &BTreeSet::new());
        assert!(
            p.iter()
                .any(|p| p.contains("1 questions; a quiz has 4 to 8")),
            "{p:?}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_html_hides_answers_in_details_and_has_no_blank_line() {
        let q = parse(QUIZ, "q.toml").unwrap();
        let html = render("ch99", &q);
        assert!(!html.contains("\n\n"), "{html}");
        assert_eq!(html.matches("<details class=\"quiz-answer\">").count(), 4);
        assert!(html.contains("<code>library</code>"), "{html}");
        assert!(html.contains("data-kind=\"number\" data-answer=\"0.4683\" data-decimals=\"4\""), "{html}");
        for choice in ["key 1", "key 2", "key 3"] {
            assert!(
                html.contains(&format!("<li data-choice=\"{choice}\">")),
                "{html}"
            );
        }
        assert_eq!(render("ch99", &q), html, "the same on every build");
    }

    #[test]
    fn directives_expand_in_place() {
        let dir = std::env::temp_dir()
            .join(format!("quiz-expand-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("quizzes")).unwrap();
        std::fs::write(dir.join("quizzes/ch99.toml"), QUIZ).unwrap();
        let md = "# Title\n\n## Quiz\n\n{{#quiz quizzes/ch99.toml}}\n";
        assert_eq!(directives(md), [(5, "quizzes/ch99.toml".to_string())]);
        let out = expand(&dir, md).unwrap();
        assert!(out.starts_with("# Title\n\n## Quiz\n\n\n<div class=\"quiz\" data-quiz=\"ch99\">"), "{out}");
        assert!(!out.contains("{{#quiz"));
        assert!(expand(&dir, "{{#quiz quizzes/none.toml}}\n").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_quiz_of_the_book_passes() {
        let root = crate::root();
        let p = check(&root).unwrap();
        assert!(p.is_empty(), "{}", p.join("\n"));
    }
}
