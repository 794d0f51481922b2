//! Locks every worked example's text. The chapter includes these snapshot
//! files, so a change to an input or a formula fails here first.

use attn_common::lock;
use ch13_cost_of_attention::worked;

#[test]
fn cost_table() {
    lock!("cost_table", worked::cost_table().unwrap());
}

#[test]
fn long_inputs() {
    lock!("long_inputs", worked::long_inputs().unwrap());
}

#[test]
fn online_library() {
    lock!("online_library", worked::online_library().unwrap());
}

#[test]
fn online_cat_sat() {
    lock!("online_cat_sat", worked::online_cat_sat().unwrap());
}

#[test]
fn tiled_equal() {
    lock!("tiled_equal", worked::tiled_equal().unwrap());
}

#[test]
fn kv_cache_equal() {
    lock!("kv_cache_equal", worked::kv_cache_equal().unwrap());
}

#[test]
fn generation_arithmetic() {
    lock!(
        "generation_arithmetic",
        worked::generation_arithmetic().unwrap()
    );
}

#[test]
fn kv_cache_sizes() {
    lock!("kv_cache_sizes", worked::kv_cache_sizes().unwrap());
}
