//! Counting: how many steps separate the first token from the output.

use anyhow::{Result, ensure};

/// Path lengths and sequential steps for a sentence of `T` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathLengths {
    /// Products by `W_h` between token 1 and `h_T`: `T - 1`.
    pub recurrent_path: usize,
    /// Steps the encoder must take one after another: `T`.
    pub recurrent_steps: usize,
    /// Steps between any token and any attention output: 1.
    pub attention_path: usize,
    /// Steps attention takes one after another: 1 (all rows at once).
    pub attention_steps: usize,
    /// Scores one attention step computes: `T^2`, the price.
    pub attention_pairs: usize,
}

// ANCHOR: lengths
/// The path lengths of a recurrent encoder and of one attention step over
/// `t` tokens.
///
/// # Errors
/// `t = 0`: an empty sentence has no first token.
pub fn lengths(t: usize) -> Result<PathLengths> {
    ensure!(t > 0, "a sentence needs at least one token, got T = 0");
    Ok(PathLengths {
        recurrent_path: t - 1,
        recurrent_steps: t,
        attention_path: 1,
        attention_steps: 1,
        attention_pairs: t * t,
    })
}
// ANCHOR_END: lengths

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirteen_tokens() {
        let p = lengths(13).unwrap();
        assert_eq!((p.recurrent_path, p.recurrent_steps), (12, 13));
        assert_eq!((p.attention_path, p.attention_pairs), (1, 169));
        assert!(lengths(0).is_err());
    }
}
