//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch03_queries_keys_values::worked;

use attn_common::lock;

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

#[test]
fn answers() {
    lock!(
        "answers",
        ch03_queries_keys_values::answers::pen_and_paper().unwrap()
    );
}
