//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch06_causal_attention::worked;

use attn_common::lock;

#[test]
fn journey_causal() {
    lock!("journey_causal", worked::journey_causal().unwrap());
}

#[test]
fn zero_then_renormalise() {
    lock!(
        "zero_then_renormalise",
        worked::zero_then_renormalise().unwrap()
    );
}

#[test]
fn dropout_journey() {
    lock!("dropout_journey", worked::dropout_journey().unwrap());
}

#[test]
fn dropout_average() {
    lock!("dropout_average", worked::dropout_average().unwrap());
}

#[test]
fn journey_batch() {
    lock!("journey_batch", worked::journey_batch().unwrap());
}

#[test]
fn nothing_to_attend() {
    lock!("nothing_to_attend", worked::nothing_to_attend().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch06_causal_attention::answers::pen_and_paper().unwrap()
    );
}
