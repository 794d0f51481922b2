//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch08_cross_attention::worked;

use attn_common::lock;

#[test]
fn hello_world_embeddings() {
    lock!(
        "hello_world_embeddings",
        worked::hello_world_embeddings().unwrap()
    );
}

#[test]
fn hello_world_alignment() {
    lock!(
        "hello_world_alignment",
        worked::hello_world_alignment().unwrap()
    );
}

#[test]
fn hello_world_projected() {
    lock!(
        "hello_world_projected",
        worked::hello_world_projected().unwrap()
    );
}

#[test]
fn batch_shapes() {
    lock!("batch_shapes", worked::batch_shapes().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch08_cross_attention::answers::restore_alignment().unwrap()
    );
}
