//! Chapter 6's checks.

use crate::check::Check;

/// The checks of chapter 6's exercises; `seed` draws the hidden cases.
pub fn checks(_seed: u64) -> Vec<Check> {
    Vec::new()
}
