//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch02_bottleneck::worked;

#[test]
fn setup() {
    lock!("setup", worked::setup().unwrap());
}

#[test]
fn sentence_sensitivity() {
    lock!(
        "sentence_sensitivity",
        worked::sentence_sensitivity().unwrap()
    );
}

#[test]
fn long_sequences() {
    lock!("long_sequences", worked::long_sequences().unwrap());
}

#[test]
fn path_table() {
    lock!("path_table", worked::path_table().unwrap());
}

#[test]
fn errors() {
    lock!("errors", worked::errors().unwrap());
}
