//! The corpus: the prose of the book's chapters 1 to 15, frozen into
//! `data/corpus.txt` once, by the `make_corpus` example, and read here
//! as characters.
//!
//! The corpus never changes when a chapter changes: the trained model
//! and every number the chapter quotes depend on that file alone. Its
//! first 90% is the training text and its last 10% the validation text.

use anyhow::{Context, Result, ensure};
use attn_common::rng::SplitMix64;

/// The committed corpus, header included.
pub const CORPUS_FILE: &str = include_str!("../data/corpus.txt");

/// The characters the corpus keeps; everything else is mapped to one of
/// them or dropped by [`clean`].
pub const ALPHABET: &str = "\n !\"'(),-.0123456789:;?\
ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Replaces every `[text](target)` link by its text.
fn unlink(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let Some(open) = rest[..i].rfind('[') else {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        };
        let Some(close) = rest[i + 2..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..i]);
        rest = &rest[i + 2 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Inline math `$...$` keeps only its letters and digits, with
/// `\commands` removed: `$W_{q}$` becomes `Wq`.
fn unmath(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('$').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let mut chars = part.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == '\\' {
                while chars.peek().is_some_and(char::is_ascii_alphabetic) {
                    chars.next();
                }
            } else if ch.is_ascii_alphanumeric() || ch == ' ' {
                out.push(ch);
            }
        }
    }
    out
}

/// One character mapped into [`ALPHABET`], or `None` to drop it.
fn keep(ch: char) -> Option<char> {
    let mapped = match ch {
        '\u{2018}' | '\u{2019}' => '\'',
        '\u{201c}' | '\u{201d}' => '"',
        '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        '\u{00d7}' => 'x',
        '\u{00e9}' => 'e',
        '\t' => ' ',
        c => c,
    };
    ALPHABET.contains(mapped).then_some(mapped)
}

// ANCHOR: clean
/// The prose of one chapter's Markdown: fenced code, display math,
/// `{{#...}}` includes, HTML lines and tables are dropped; headings lose
/// their `#`; links keep their text; inline math keeps its letters;
/// emphasis and code marks go; each paragraph becomes one line; the
/// remaining characters are mapped into [`ALPHABET`] or dropped.
pub fn clean(markdown: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let (mut in_code, mut in_math) = (false, false);
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if in_math {
            in_math = !t.ends_with("$$");
            continue;
        }
        if t.starts_with("$$") {
            in_math = !(t.len() > 2 && t.ends_with("$$"));
            continue;
        }
        let skip =
            t.starts_with("{{#") || t.starts_with('<') || t.starts_with('|');
        if t.is_empty() || skip {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        let text = unmath(&unlink(t.trim_start_matches('#').trim()));
        let text: String = text
            .chars()
            .filter(|&c| c != '*' && c != '`' && c != '_')
            .filter_map(keep)
            .collect();
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(text.trim());
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    let mut out = String::new();
    for p in paragraphs {
        let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
        if !p.is_empty() {
            out.push_str(&p);
            out.push('\n');
        }
    }
    out
}
// ANCHOR_END: clean

/// The corpus text, without its header (the lines that start with
/// `# ` at the top of the file).
///
/// # Shapes
/// - one character per token
pub fn corpus_text() -> &'static str {
    let mut rest = CORPUS_FILE;
    while rest.starts_with("# ") {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// The characters of a text, one token each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    /// The characters, sorted; a token is an index into this list.
    pub chars: Vec<char>,
}

impl Vocab {
    /// The sorted set of characters of `text`.
    pub fn of(text: &str) -> Self {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Self { chars }
    }

    /// How many tokens.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The tokens of `text`.
    ///
    /// # Errors
    /// A character outside the vocabulary, named.
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        text.chars()
            .map(|ch| {
                self.chars
                    .binary_search(&ch)
                    .ok()
                    .with_context(|| format!("{ch:?} is not in the vocabulary"))
            })
            .collect()
    }

    /// The text of `tokens`; a token outside the vocabulary prints as `?`.
    pub fn decode(&self, tokens: &[usize]) -> String {
        tokens
            .iter()
            .map(|&t| self.chars.get(t).copied().unwrap_or('?'))
            .collect()
    }
}

/// The corpus as tokens, cut into its training and validation parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    /// The characters.
    pub vocab: Vocab,
    /// The first 90% of the tokens.
    pub train: Vec<usize>,
    /// The last 10%.
    pub val: Vec<usize>,
}

impl Corpus {
    /// The committed corpus.
    ///
    /// # Errors
    /// Only if the committed file were empty.
    pub fn load() -> Result<Self> {
        Self::from_text(corpus_text())
    }

    /// A corpus from any text of at least 10 characters.
    ///
    /// # Errors
    /// A text too short to split.
    pub fn from_text(text: &str) -> Result<Self> {
        let vocab = Vocab::of(text);
        let tokens = vocab.encode(text)?;
        ensure!(
            tokens.len() >= 10,
            "a corpus of {} characters is too short",
            tokens.len()
        );
        let cut = tokens.len() * 9 / 10;
        Ok(Self {
            vocab,
            train: tokens[..cut].to_vec(),
            val: tokens[cut..].to_vec(),
        })
    }
}

// ANCHOR: windows
/// `batch` random windows of `t_len + 1` tokens of `tokens`, as inputs
/// (the first `t_len` of each) and targets (the last `t_len`: each
/// input's next token), laid end to end.
///
/// # Shapes
/// - `tokens`: `(n,)`, `n > t_len` -> inputs and targets
///   `(batch t_len,)` each
///
/// # Errors
/// A text no longer than one window.
pub fn windows(
    tokens: &[usize],
    t_len: usize,
    batch: usize,
    rng: &mut SplitMix64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    ensure!(
        tokens.len() > t_len + 1,
        "a text of {} tokens is too short for windows of {}",
        tokens.len(),
        t_len + 1
    );
    let starts = (tokens.len() - t_len) as u64;
    let (mut inputs, mut targets) = (Vec::new(), Vec::new());
    for _ in 0..batch {
        let s = (rng.next_u64() % starts) as usize;
        inputs.extend_from_slice(&tokens[s..s + t_len]);
        targets.extend_from_slice(&tokens[s + 1..s + t_len + 1]);
    }
    Ok((inputs, targets))
}
// ANCHOR_END: windows

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_keeps_prose_and_drops_the_rest() {
        let md = "# Title\n\nSome *bold* [link](x.md) and $W_{q}$ here.\n\
                  wrapped line\n\n```rust\nlet x = 1;\n```\n$$\na^2\n$$\n\
                  {{#include x}}\n<details>\n| a | b |\nLast \u{2014} one\n";
        assert_eq!(
            clean(md),
            "Title\nSome bold link and Wq here. wrapped line\nLast - one\n"
        );
    }

    #[test]
    fn the_corpus_uses_only_the_alphabet_and_round_trips() {
        let text = corpus_text();
        assert!(text.chars().all(|c| ALPHABET.contains(c)));
        let c = Corpus::load().unwrap();
        assert_eq!(c.vocab.decode(&c.vocab.encode(text).unwrap()), text);
        assert_eq!(c.train.len() + c.val.len(), text.chars().count());
    }

    #[test]
    fn windows_are_shifted_by_one() {
        let tokens: Vec<usize> = (0..50).collect();
        let mut rng = SplitMix64::new(3);
        let (x, y) = windows(&tokens, 8, 4, &mut rng).unwrap();
        assert_eq!(x.len(), 32);
        for (a, b) in x.iter().zip(&y) {
            assert_eq!(a + 1, *b);
        }
        assert!(windows(&tokens[..9], 8, 1, &mut rng).is_err());
    }
}
