//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch01_attention_intuition::worked;

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
fn story_memory() {
    lock!("story_memory", worked::story_memory_table().unwrap());
}

#[test]
fn exact_query() {
    lock!("exact_query", worked::exact_query().unwrap());
}

#[test]
fn between_query() {
    lock!("between_query", worked::between_query().unwrap());
}

#[test]
fn near_miss() {
    lock!("near_miss", worked::near_miss().unwrap());
}

#[test]
fn sharpness() {
    lock!("sharpness", worked::sharpness().unwrap());
}
