//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch11_seeing_attention::worked;

#[test]
fn pattern_table() {
    lock!("pattern_table", worked::pattern_table().unwrap());
}

#[test]
fn colour_scale() {
    lock!("colour_scale", worked::colour_scale().unwrap());
}

#[test]
fn rollout_animal() {
    lock!("rollout_animal", worked::rollout_animal().unwrap());
}

#[test]
fn twins() {
    lock!("twins", worked::twins().unwrap());
}

#[test]
fn misconceptions() {
    lock!("misconceptions", worked::misconceptions().unwrap());
}

#[test]
fn headview_patterns() {
    lock!("headview_patterns", worked::headview_patterns().unwrap());
}

#[test]
fn headview_ch07() {
    lock!("headview_ch07", worked::headview_ch07().unwrap());
}

#[test]
fn headview_ch08() {
    lock!("headview_ch08", worked::headview_ch08().unwrap());
}
