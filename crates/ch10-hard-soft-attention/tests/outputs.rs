//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch10_hard_soft_attention::worked;

#[test]
fn expectation_vs_sample() {
    lock!(
        "expectation_vs_sample",
        worked::expectation_vs_sample().unwrap()
    );
}

#[test]
fn glimpse() {
    lock!("glimpse", worked::glimpse().unwrap());
}

#[test]
fn flat_gradient() {
    lock!("flat_gradient", worked::flat_gradient().unwrap());
}

#[test]
fn temperature_gradient() {
    lock!(
        "temperature_gradient",
        worked::temperature_gradient().unwrap()
    );
}

#[test]
fn reinforce_unbiased() {
    lock!("reinforce_unbiased", worked::reinforce_unbiased().unwrap());
}

#[test]
fn reinforce_variance() {
    lock!("reinforce_variance", worked::reinforce_variance().unwrap());
}

#[test]
fn in_between() {
    lock!("in_between", worked::in_between().unwrap());
}

#[test]
fn sparsemax_temperature() {
    lock!(
        "sparsemax_temperature",
        worked::sparsemax_temperature().unwrap()
    );
}

#[test]
fn figures_render() {
    let figures = ch10_hard_soft_attention::figures().unwrap();
    assert_eq!(figures.len(), 4);
    assert!(figures.iter().all(|f| f.file.starts_with("ch10-")));
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch10_hard_soft_attention::answers::two_tokens().unwrap()
    );
}
