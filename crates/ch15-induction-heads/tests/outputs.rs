//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to the model, the data or the committed run fails
//! here first.

use attn_common::lock;
use ch15_induction_heads::{store, train, worked};

#[test]
fn model_size() {
    lock!("model_size", worked::model_size().unwrap());
}

#[test]
fn gradient_check() {
    lock!("gradient_check", worked::gradient_check_report().unwrap());
}

#[test]
fn training() {
    lock!("training", worked::training_report().unwrap());
}

#[test]
fn head_scores() {
    lock!("head_scores", worked::head_scores().unwrap());
}

#[test]
fn ablation() {
    lock!("ablation", worked::ablation().unwrap());
}

#[test]
fn headview_trained() {
    lock!("headview_trained", worked::headview_trained().unwrap());
}

#[test]
fn first_steps() {
    lock!("first_steps", worked::first_steps().unwrap());
}

/// The first steps of a fresh run give the committed run's losses to the
/// bit: same seed, same arithmetic, same machine-independent `exp`.
#[test]
fn the_first_steps_reproduce_bit_for_bit() {
    let fresh = train::train(&train::CHAPTER, 5).unwrap();
    let committed = store::committed().unwrap();
    assert_eq!(fresh.train_losses[..], committed.train_losses[..5]);
}

/// The committed weights and curves are what the training example
/// writes: the whole run, retrained here (about ten seconds, since the
/// crate is optimised in tests too), compared as text.
#[test]
fn the_committed_run_is_what_training_produces() {
    // Seconds of work whose only input is this test's executable: not
    // run again while it is unchanged (attn_common::record).
    attn_common::record::unless_passed(
        "ch15::outputs::the_committed_run_is_what_training_produces",
        the_committed_run_is_what_training_produces_body,
    );
}

fn the_committed_run_is_what_training_produces_body() {
    let s = train::CHAPTER;
    let run = train::train(&s, s.steps).unwrap();
    assert!(
        store::to_text(&run) == store::COMMITTED,
        "src/run.txt is stale: run `cargo run --release -p \
         ch15-induction-heads --example train`"
    );
}

#[test]
fn the_committed_run_reads_back_exactly() {
    let run = store::committed().unwrap();
    assert_eq!(store::to_text(&run), store::COMMITTED);
    assert!(store::from_text("config 1 2").is_err());
}

#[test]
fn shown_sequence_scores() {
    lock!(
        "shown_sequence_scores",
        worked::shown_sequence_scores().unwrap()
    );
}
