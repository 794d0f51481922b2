//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch05_trainable_weights::worked;

use attn_common::lock;

#[test]
fn journey_weights() {
    lock!("journey_weights", worked::journey_weights().unwrap());
}

#[test]
fn journey_one_query() {
    lock!("journey_one_query", worked::journey_one_query().unwrap());
}

#[test]
fn journey_all() {
    lock!("journey_all", worked::journey_all().unwrap());
}

#[test]
fn learned_vs_computed() {
    lock!(
        "learned_vs_computed",
        worked::learned_vs_computed().unwrap()
    );
}

#[test]
fn reproducible_init() {
    lock!("reproducible_init", worked::reproducible_init().unwrap());
}

#[test]
fn scaling_variance() {
    lock!("scaling_variance", worked::scaling_variance().unwrap());
}

#[test]
fn scaling_saturation() {
    lock!("scaling_saturation", worked::scaling_saturation().unwrap());
}

#[test]
fn errors() {
    lock!("errors", worked::errors().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch05_trainable_weights::answers::pen_and_paper().unwrap()
    );
}
