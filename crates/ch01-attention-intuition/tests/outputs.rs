//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch01_attention_intuition::worked;

use attn_common::lock;

#[test]
fn story_memory() {
    lock!("story_memory", worked::story_memory_table().unwrap());
}

#[test]
fn exact_query() {
    lock!("exact_query", worked::exact_query().unwrap());
}

#[test]
fn between_query() {
    lock!("between_query", worked::between_query().unwrap());
}

#[test]
fn near_miss() {
    lock!("near_miss", worked::near_miss().unwrap());
}

#[test]
fn sharpness() {
    lock!("sharpness", worked::sharpness().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch01_attention_intuition::answers::danger_query().unwrap()
    );
}
