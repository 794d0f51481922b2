//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch09_scoring_functions::worked;

#[test]
fn seeded_parameters() {
    lock!("seeded_parameters", worked::seeded_parameters().unwrap());
}

#[test]
fn library_side_by_side() {
    lock!(
        "library_side_by_side",
        worked::library_side_by_side().unwrap()
    );
}

#[test]
fn journey_side_by_side() {
    lock!(
        "journey_side_by_side",
        worked::journey_side_by_side().unwrap()
    );
}

#[test]
fn general_is_projected_dot() {
    lock!(
        "general_is_projected_dot",
        worked::general_is_projected_dot().unwrap()
    );
}

#[test]
fn middle_key() {
    lock!("middle_key", worked::middle_key().unwrap());
}

#[test]
fn cost_table() {
    lock!("cost_table", worked::cost_table().unwrap());
}

#[test]
fn widths_and_errors() {
    lock!("widths_and_errors", worked::widths_and_errors().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch09_scoring_functions::answers::middle_key().unwrap()
    );
}
