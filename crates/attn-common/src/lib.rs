//! Shared pieces of *Attention, Verified*.
//!
//! Every chapter crate prints its numbers through [`fmt`], draws its
//! randomness from [`rng::SplitMix64`], checks its inputs with [`check`] and
//! draws its figures with [`plot`]. Exercise inputs and answers
//! travel to and from the judge as JSON through [`answer`]. Keeping these in one place is what makes
//! the book's numbers agree to the digit on every machine.

pub mod answer;
pub mod check;
pub mod fmt;
pub mod grid;
pub mod message;
pub mod plot;
pub mod record;
pub mod rng;

/// Locks a worked example's text as `tests/snapshots/<name>.snap`.
///
/// Every chapter's `tests/outputs.rs` uses this, so every snapshot has the
/// same three-line header (no expression, which the chapter skips with
/// `{{#include ...snap:4:}}`) and a file name without the test module's
/// prefix. The calling crate needs `insta` as a dev-dependency.
///
/// A snapshot that passed before with the same test executable and the
/// same `.snap` file is not computed again (see
/// [`record::begin_snapshot`]); CI and `ATTN_NO_CACHE=1` always compute it.
#[macro_export]
macro_rules! lock {
    ($name:literal, $text:expr) => {
        if let Some(_pass) = $crate::record::begin_snapshot(
            env!("CARGO_MANIFEST_DIR"),
            $name,
        ) {
            insta::with_settings!(
                {
                    omit_expression => true,
                    prepend_module_to_snapshot => false,
                },
                { insta::assert_snapshot!($name, $text) }
            )
        }
    };
}
