//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch14_where_attention_lives::worked;

#[test]
fn shuffled_journey() {
    lock!("shuffled_journey", worked::shuffled_journey().unwrap());
}

#[test]
fn sinusoidal_table() {
    lock!("sinusoidal_table", worked::sinusoidal_table().unwrap());
}

#[test]
fn rope_offsets() {
    lock!("rope_offsets", worked::rope_offsets().unwrap());
}

#[test]
fn journey_block() {
    lock!("journey_block", worked::journey_block().unwrap());
}

#[test]
fn gpt2_count() {
    lock!("gpt2_count", worked::gpt2_count().unwrap());
}

#[test]
fn family_masks() {
    lock!("family_masks", worked::family_masks().unwrap());
}

#[test]
fn search_faucet() {
    lock!("search_faucet", worked::search_faucet().unwrap());
}

#[test]
fn chat_cats() {
    lock!("chat_cats", worked::chat_cats().unwrap());
}

#[test]
fn code_completion() {
    lock!("code_completion", worked::code_completion().unwrap());
}

#[test]
fn image_patches() {
    lock!("image_patches", worked::image_patches().unwrap());
}

#[test]
fn text_to_image() {
    lock!("text_to_image", worked::text_to_image().unwrap());
}
