//! Finding numbers in text, and deciding when two are the same number.

/// A number found in a text: its line (from 1), its text as written
/// (with a leading minus sign if there is one) and its count of decimals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub line: usize,
    pub text: String,
    pub decimals: usize,
}

/// Every plain decimal number in `text`.
///
/// A number is a run of digits with at most one dot, not glued to a letter,
/// an underscore or another dot on either side: `0.4683` and `-1.25` count;
/// `v0.5.4`, `1.2.3`, `x2.50`, `1e-6` and `3.5em` do not. A dot that ends a
/// sentence is not part of the number.
pub fn scan(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        let starts = b.is_ascii_digit()
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        let prev = if i > 0 { Some(bytes[i - 1]) } else { None };
        if !starts || prev.is_some_and(|p| word(p) || p == b'.') {
            // Skip the rest of a glued run, so `v12.34` yields nothing.
            if starts {
                while i < bytes.len()
                    && (bytes[i].is_ascii_digit() || bytes[i] == b'.')
                {
                    i += 1;
                }
            } else {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.')
        {
            i += 1;
        }
        let mut run = &text[start..i];
        while run.ends_with('.') {
            run = &run[..run.len() - 1];
        }
        let glued_after = bytes.get(i).is_some_and(|&n| word(n));
        let dots = run.matches('.').count();
        if dots > 1 || glued_after || run.is_empty() {
            continue;
        }
        let negative = prev == Some(b'-')
            && (start < 2
                || !word(bytes[start - 2]) && bytes[start - 2] != b'.');
        let decimals = run.split_once('.').map_or(0, |(_, f)| f.len());
        let text = if negative {
            format!("-{run}")
        } else {
            run.to_string()
        };
        found.push(Found {
            line,
            text,
            decimals,
        });
    }
    found
}

/// The canonical form of a number as written: no leading zeros in the
/// integer part, no trailing zeros in the fraction, no sign on zero.
/// `0.50`, `.5` and `0.5000` are all `0.5`.
pub fn canonical(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let body = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    if negative && body != "0" {
        format!("-{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        scan(s).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn finds_plain_and_signed_decimals() {
        assert_eq!(
            texts("weights 0.4683, -0.25 and .43; total 1."),
            ["0.4683", "-0.25", ".43", "1"]
        );
    }

    #[test]
    fn counts_lines_and_decimals() {
        let f = scan("a\nb 0.125\n");
        assert_eq!(
            f,
            [Found {
                line: 2,
                text: "0.125".into(),
                decimals: 3
            }]
        );
    }

    #[test]
    fn ignores_versions_identifiers_and_exponents() {
        let found = texts("mdbook 0.5.4, x2.50, W_q1.25, 1e-6, 3.5em");
        // Only the exponent's `6` stands on its own; no decimal survives.
        assert_eq!(found, ["6"]);
    }

    #[test]
    fn a_minus_between_numbers_is_not_a_sign() {
        assert_eq!(texts("3-0.25"), ["3", "0.25"]);
    }

    #[test]
    fn canonical_forms_agree() {
        assert_eq!(canonical("0.5000"), "0.5");
        assert_eq!(canonical(".50"), "0.5");
        assert_eq!(canonical("-0.0000"), "0");
        assert_eq!(canonical("10.0"), "10");
        assert_eq!(canonical("-1.2340"), "-1.234");
    }
}
