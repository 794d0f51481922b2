//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch06_causal_attention::worked;

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
