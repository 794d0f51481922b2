//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch03_queries_keys_values::worked;

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
fn library_search() {
    lock!("library_search", worked::library_search().unwrap());
}

#[test]
fn library_matrix() {
    lock!("library_matrix", worked::library_matrix().unwrap());
}

#[test]
fn overflow() {
    lock!("overflow", worked::overflow().unwrap());
}

#[test]
fn cat_sat() {
    lock!("cat_sat", worked::cat_sat().unwrap());
}

#[test]
fn cat_sat_temperature() {
    lock!(
        "cat_sat_temperature",
        worked::cat_sat_temperature().unwrap()
    );
}
