//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch12_learning_to_attend::worked;

#[test]
fn softmax_backward() {
    lock!("softmax_backward", worked::softmax_backward_demo().unwrap());
}

#[test]
fn gradient_check() {
    lock!("gradient_check", worked::gradient_check_report().unwrap());
}

#[test]
fn recall_task() {
    lock!("recall_task", worked::recall_task().unwrap());
}

#[test]
fn recall_training() {
    lock!("recall_training", worked::recall_training().unwrap());
}

#[test]
fn recall_weights() {
    lock!("recall_weights", worked::recall_weights().unwrap());
}

#[test]
fn pronoun_training() {
    lock!("pronoun_training", worked::pronoun_training().unwrap());
}

#[test]
fn recall_match() {
    lock!("recall_match", worked::recall_match().unwrap());
}
