//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch07_multi_head_attention::worked;

use attn_common::lock;

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
