//! How an error message names a shape or a value, read the same way by
//! the judge and by each chapter's visible exercise tests, so that no
//! student loses a point to a spelling the statement did not ask for.

/// The whole numbers written in `text`, each with whether it is joined to
/// the next one only by a separator (a comma, spaces, or an `x`, `×` or
/// `*` between two numbers), as a shape's dimensions are. Digits that
/// belong to a decimal number (`0.5`, `1e-3`) are not whole numbers.
fn integers(text: &str) -> Vec<(Option<u128>, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |k: usize| chars.get(k).copied();
    let mut out: Vec<(Option<u128>, bool)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        let digit = |k: Option<usize>| {
            k.and_then(|k| chars.get(k))
                .is_some_and(char::is_ascii_digit)
        };
        let before = start.checked_sub(1).and_then(|k| chars.get(k).copied());
        let before2 = start.checked_sub(2);
        let exponent = match before {
            Some('e' | 'E') => digit(before2),
            Some('-' | '+') => {
                before2
                    .and_then(|k| chars.get(k))
                    .is_some_and(|c| matches!(c, 'e' | 'E'))
                    && digit(start.checked_sub(3))
            }
            _ => false,
        };
        let fraction = before == Some('.') && digit(before2);
        let mantissa = match at(i) {
            Some('.') => digit(Some(i + 1)),
            Some('e' | 'E') => {
                digit(Some(i + 1))
                    || matches!(at(i + 1), Some('-' | '+'))
                        && digit(Some(i + 2))
            }
            _ => false,
        };
        let n = if exponent || fraction || mantissa {
            None
        } else {
            chars[start..i].iter().collect::<String>().parse().ok()
        };
        // Joined to the next number by separators only?
        let mut k = i;
        let mut joined = true;
        let mut crosses = false;
        while let Some(c) = at(k) {
            if c.is_ascii_digit() {
                break;
            }
            match c {
                ',' | ' ' | '\t' => {}
                'x' | '×' | '*' if !crosses => crosses = true,
                _ => {
                    joined = false;
                    break;
                }
            }
            k += 1;
        }
        joined &= at(k).is_some_and(|c| c.is_ascii_digit()) && n.is_some();
        out.push((n, joined));
    }
    out
}

/// The shapes written in `text`: runs of whole numbers joined only by
/// separators (see [`integers`]), each run as a list of dimensions.
fn integer_groups(text: &str) -> Vec<Vec<u128>> {
    let mut groups = Vec::new();
    let mut current = Vec::new();
    for (n, joined) in integers(text) {
        match n {
            Some(n) => current.push(n),
            None => {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
                continue;
            }
        }
        if !joined {
            groups.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

/// The dimensions of a mention written as a shape (`(3,)`, `(2, 3)`) or a
/// bare integer (`7`), or `None` for a mention that is a word or phrase.
fn shape_of(mention: &str) -> Option<Vec<u128>> {
    let m = mention.trim();
    let inner = m
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(m);
    let dims: Option<Vec<u128>> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect();
    dims.filter(|d| !d.is_empty())
}

/// Whether an error message names `mention`, the way the judge reads it.
///
/// A shape such as `(2, 3)` may be written `(2, 3)`, `[2, 3]`, `(2,3)`,
/// `2x3`, `2 × 3` or `[2 3]`; a one-dimensional
/// shape `(2,)` also as `[2]`, `(2)` or plain `2`; a bare number such as
/// `7` must appear as a whole number (not inside `17` or `0.7`). Any other
/// mention (`temperature`, `w = 0`) must appear as written, ignoring case
/// and spaces.
pub fn names(message: &str, mention: &str) -> bool {
    let bare = !mention.trim().starts_with('(');
    match shape_of(mention) {
        Some(dims) if bare && dims.len() == 1 => {
            integers(message).iter().any(|(n, _)| *n == Some(dims[0]))
        }
        Some(dims) => integer_groups(message).contains(&dims),
        None => {
            let squash = |s: &str| -> String {
                s.chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase)
                    .collect()
            };
            squash(message).contains(&squash(mention))
        }
    }
}

/// Whether `message` names the shape `dims` in one of the ways [`names`]
/// accepts: `(2, 3)`, `[2, 3]`, `2x3`, ...; a one-dimensional shape also
/// `(2,)`, `[2]` or plain `2`.
pub fn names_shape(message: &str, dims: &[usize]) -> bool {
    let written: Vec<String> = dims.iter().map(usize::to_string).collect();
    let shape = match written.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", written.join(", ")),
    };
    names(message, &shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_may_be_named_in_any_usual_way() {
        for msg in [
            "`x` has shape (2, 3)",
            "x has shape [2, 3]",
            "x is (2,3)",
            "x is a 2x3 matrix",
            "x: 2 × 3",
            "shape [2 3]",
        ] {
            assert!(names(msg, "(2, 3)"), "{msg}");
            assert!(!names(msg, "(3, 2)"), "{msg}");
            assert!(!names(msg, "(2,)"), "{msg}");
        }
        for msg in ["has shape (2,)", "has shape [2]", "of length 2", "(2)"] {
            assert!(names(msg, "(2,)"), "{msg}");
        }
        assert!(!names("length 12", "(2,)"));
        assert!(!names("a value of 0.5", "(5,)"));
        assert!(!names("1e5 entries", "(5,)"));
        assert!(names("query heads 12 do not split into 5 groups", "12"));
        assert!(!names("query heads 12", "2"));
        assert!(names("(3, 2) and (4,)", "(4,)"));
        assert!(names("max 3", "(3,)"));
        assert!(names("The Temperature must be > 0", "temperature"));
        assert!(names("got w=0", "w = 0"));
        assert!(!names("got w = 1", "w = 0"));
        assert!(!names("99999999999999999999999999999999999999999", "(1,)"));
    }

    #[test]
    fn shapes_given_as_dimensions() {
        assert!(names_shape("`keys` has shape [6, 3]", &[6, 3]));
        assert!(!names_shape("`keys` has shape [3, 6]", &[6, 3]));
        assert!(names_shape("length 4", &[4]));
        assert!(!names_shape("length 14", &[4]));
    }
}
