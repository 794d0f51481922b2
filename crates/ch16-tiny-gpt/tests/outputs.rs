//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to the model, the corpus or the committed run fails
//! here first.

use attn_common::lock;
use ch16_tiny_gpt::data::Corpus;
use ch16_tiny_gpt::{store, train, worked};

#[test]
fn model_size() {
    lock!("model_size", worked::model_size().unwrap());
}

#[test]
fn gradient_check() {
    lock!("gradient_check", worked::gradient_check_report().unwrap());
}

#[test]
fn first_steps() {
    lock!("first_steps", worked::first_steps().unwrap());
}

#[test]
fn training() {
    lock!("training", worked::training_report().unwrap());
}

#[test]
fn samples() {
    lock!("samples", worked::samples().unwrap());
}

#[test]
fn kv_cache() {
    lock!("kv_cache", worked::kv_cache().unwrap());
}

#[test]
fn headview_trained() {
    lock!("headview_trained", worked::headview_trained().unwrap());
}

#[test]
fn head_summary() {
    lock!("head_summary", worked::head_summary().unwrap());
}

/// The first steps of a fresh run give the committed run's losses to the
/// bit: same seed, same arithmetic, the same portable `exp` and `tanh`.
/// (The whole run takes minutes; the publishing workflow retrains it
/// with `--example train -- --verify`.)
#[test]
fn the_first_steps_reproduce_bit_for_bit() {
    let corpus = Corpus::load().unwrap();
    let fresh = train::train(&train::CHAPTER, &corpus, 3).unwrap();
    let committed = store::committed().unwrap();
    assert_eq!(fresh.train_losses[..], committed.train_losses[..3]);
    assert_eq!(fresh.val_losses[0], committed.val_losses[0]);
    assert_eq!(fresh.samples[0], committed.samples[0]);
}

#[test]
fn the_committed_run_reads_back_exactly() {
    let run = store::committed().unwrap();
    assert_eq!(store::to_text(&run), store::COMMITTED);
    assert_eq!(run.params.config, train::CHAPTER.config);
    assert_eq!(run.train_losses.len(), train::CHAPTER.steps);
    assert!(store::from_text("config 1 2").is_err());
}

#[test]
fn sampling() {
    lock!("sampling", worked::sampling().unwrap());
}
