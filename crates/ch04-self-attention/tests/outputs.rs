//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use ch04_self_attention::worked;

use attn_common::lock;

#[test]
fn journey_embeddings() {
    lock!("journey_embeddings", worked::journey_embeddings().unwrap());
}

#[test]
fn journey_one_query() {
    lock!("journey_one_query", worked::journey_one_query().unwrap());
}

#[test]
fn why_softmax() {
    lock!("why_softmax", worked::why_softmax().unwrap());
}

#[test]
fn journey_matrix_form() {
    lock!(
        "journey_matrix_form",
        worked::journey_matrix_form().unwrap()
    );
}

#[test]
fn journey_self_focus() {
    lock!("journey_self_focus", worked::journey_self_focus().unwrap());
}

#[test]
fn score_matrix_cost() {
    lock!("score_matrix_cost", worked::score_matrix_cost().unwrap());
}

#[test]
fn animal_embeddings() {
    lock!("animal_embeddings", worked::animal_embeddings().unwrap());
}

#[test]
fn animal_it() {
    lock!("animal_it", worked::animal_it().unwrap());
}

#[test]
fn animal_self_focus() {
    lock!("animal_self_focus", worked::animal_self_focus().unwrap());
}

#[test]
fn answers() {
    lock!(
        "answers",
        ch04_self_attention::answers::pen_and_paper().unwrap()
    );
}
