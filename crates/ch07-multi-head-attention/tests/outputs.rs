//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch07_multi_head_attention::worked;

/// Snapshot settings shared by every output: no expression in the header
/// (the header is then exactly three lines, which the chapter skips with
/// `:4:`) and file names without the test module's prefix.
macro_rules! lock {
    ($name:literal, $text:expr) => {
        insta::with_settings!(
            { omit_expression => true, prepend_module_to_snapshot => false },
            { insta::assert_snapshot!($name, $text) }
        )
    };
}

#[test]
fn journey_heads() {
    lock!("journey_heads", worked::journey_heads().unwrap());
}

#[test]
fn two_ways() {
    lock!("two_ways", worked::two_ways().unwrap());
}

#[test]
fn gpt2_parameters() {
    lock!("gpt2_parameters", worked::gpt2_parameters().unwrap());
}

#[test]
fn head_count() {
    lock!("head_count", worked::head_count().unwrap());
}
