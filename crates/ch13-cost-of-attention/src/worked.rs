//! The worked examples chapter 13 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.
//! Nothing here is measured: every number is counted or computed, so it is
//! the same on every machine. The measurements live in `src/data/`.

use crate::cost::{
    F64_BYTES, GPT2_SMALL, LLAMA2_70B, ModelSize, generation_multiply_adds,
    naive_multiply_adds, naive_peak_bytes, tiled_peak_bytes,
};
use crate::kv_cache::TinyDecoder;
use crate::tiled::{Mask, OnlineSoftmax, naive_attention, tiled_attention};
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{Scale, attend};
use ch03_queries_keys_values::softmax::softmax;
use ch03_queries_keys_values::worked::{CAT_SAT_SCORES, LIBRARY_KEYS, library};
use ch04_self_attention::cost::readable_bytes;
use ndarray::{Array1, array, s};
use std::fmt::Write as _;

/// The sequence lengths the benchmark measures, all at `d = 64`.
pub const LENGTHS: [u64; 7] = [128, 256, 512, 1024, 2048, 4096, 8192];

/// The width of every query, key and value in the benchmark.
pub const D: u64 = 64;

/// The tile the benchmark's tiled attention uses.
pub const TILE: u64 = 128;

/// The toy decoder the generation examples and the benchmark run:
/// vocabulary, width and seed.
pub const DECODER: (usize, usize, u64) = (64, 64, 2024);

/// The number of tokens the benchmark generates.
pub const GENERATED: u64 = 1024;

// ANCHOR: cost_table
/// Multiply-adds and peak memory of naive and tiled attention as the
/// sequence grows, at `d_k = d_v = 64`, all in `f64`.
pub fn cost_table() -> Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "d_k = d_v = {D}, f64 (8 bytes), tile = {TILE}: counted, not \
         measured\n"
    )?;
    writeln!(
        out,
        "{:>6}  {:>17}  {:>14}  {:>13}  {:>9}",
        "T", "multiply-adds", "naive memory", "tiled memory", "ratio"
    )?;
    for t in LENGTHS.into_iter().chain([100_000]) {
        let naive = naive_peak_bytes(t, t, D);
        let tiled = tiled_peak_bytes(t, t, D, TILE);
        writeln!(
            out,
            "{t:>6}  {:>17}  {:>14}  {:>13}  {:>9}",
            fmt::count(naive_multiply_adds(t, t, D, D)),
            readable_bytes(naive),
            readable_bytes(tiled),
            fmt::num(naive as f64 / tiled as f64)
        )?;
    }
    Ok(out)
}
// ANCHOR_END: cost_table

/// What 100,000 tokens would cost a model of GPT-2 small's sizes, next to
/// the 1,024 tokens it was trained on.
pub fn long_inputs() -> Result<String> {
    let m = GPT2_SMALL;
    let mut out = String::new();
    writeln!(
        out,
        "{}: {} layers x {} heads, d_head = {}, scores in 16 bits (2 bytes)\n",
        m.name, m.n_layers, m.n_heads, m.d_head
    )?;
    writeln!(
        out,
        "{:>7}  {:>16}  {:>16}  {:>24}",
        "T", "one head's T x T", "one layer's", "multiply-adds, all layers"
    )?;
    for t in [1024u64, 100_000] {
        writeln!(
            out,
            "{t:>7}  {:>16}  {:>16}  {:>24}",
            readable_bytes(t * t * 2),
            readable_bytes(m.score_bytes_per_layer(t, 2)),
            fmt::count(m.attention_multiply_adds(t))
        )?;
    }
    let growth = m.attention_multiply_adds(100_000) as f64
        / m.attention_multiply_adds(1024) as f64;
    writeln!(
        out,
        "\n100,000 tokens cost (100000 / 1024)^2 = {} times the work of 1,024",
        fmt::num(growth)
    )?;
    Ok(out)
}

// ANCHOR: online_library
/// Example 1, the library search, with the keys visited one at a time,
/// "no match" first so that the max has to move: the running max `m`, the
/// running sum `l` and the unnormalised output `acc` after each key, then
/// `acc / l` next to chapter 3's answer.
pub fn online_library() -> Result<String> {
    let query = array![1.0, 0.0, 1.0];
    let (keys, values) = library();
    let scale = Scale::InvSqrtDk.factor(query.len());
    let mut state = OnlineSoftmax::START;
    let mut acc = Array1::<f64>::zeros(values.ncols());
    let mut out = String::new();
    writeln!(
        out,
        "query = {}, scores scaled by 1/sqrt(3)\n",
        fmt::vector(query.view())
    )?;
    for j in [1, 0, 2] {
        let score = keys.row(j).dot(&query) * scale;
        let mut weight = array![score];
        let alpha = state.update(weight.view_mut());
        // Rescale what was summed under the old max, then add this value
        // with its weight exp(score - m).
        acc = acc * alpha + &values.row(j) * weight[0];
        writeln!(
            out,
            "{:<13} score {}  m = {}  alpha = {}  l = {}\n{:<13} acc = {}",
            LIBRARY_KEYS[j],
            fmt::num(score),
            fmt::num(state.max),
            fmt::num(alpha),
            fmt::num(state.sum),
            "",
            fmt::vector(acc.view())
        )?;
    }
    let online = &acc / state.sum;
    let direct =
        attend(query.view(), keys.view(), values.view(), Scale::InvSqrtDk)?;
    writeln!(out, "\nacc / l            = {}", fmt::vector(online.view()))?;
    writeln!(
        out,
        "chapter 3's output = {}",
        fmt::vector(direct.output.view())
    )?;
    Ok(out)
}
// ANCHOR_END: online_library

/// Example 2's scores read once, one at a time: the running max and sum
/// after each, and the weights they give next to chapter 3's softmax.
pub fn online_cat_sat() -> Result<String> {
    let scores = Array1::from(CAT_SAT_SCORES.to_vec());
    let mut state = OnlineSoftmax::START;
    let mut out = String::new();
    writeln!(
        out,
        "scores = {}, one at a time\n",
        fmt::vector(scores.view())
    )?;
    for j in 0..scores.len() {
        let alpha =
            state.update(scores.slice(s![j..j + 1]).to_owned().view_mut());
        writeln!(
            out,
            "s = {}  m = {}  alpha = {}  l = {}",
            fmt::num(scores[j]),
            fmt::num(state.max),
            fmt::num(alpha),
            fmt::num(state.sum)
        )?;
    }
    let online = scores.mapv(|x| (x - state.max).exp() / state.sum);
    writeln!(out, "\nexp(s - m) / l = {}", fmt::vector(online.view()))?;
    writeln!(
        out,
        "softmax(s)     = {}",
        fmt::vector(softmax(scores.view())?.view())
    )?;
    Ok(out)
}

/// Tiled attention against naive attention on random inputs, for several
/// tiles and masks, and the working memory each tile needs.
pub fn tiled_equal() -> Result<String> {
    let (t, d) = (40, 8);
    let mut rng = SplitMix64::new(13);
    let q = rng.normal_matrix(t, d);
    let k = rng.normal_matrix(t, d);
    let v = rng.normal_matrix(t, d);
    let mut out = String::new();
    writeln!(out, "T = {t}, d_k = d_v = {d}, seed 13\n")?;
    writeln!(
        out,
        "{:>5}  {:>7}  {:>22}  {:>14}",
        "tile", "mask", "equal within 1e-12", "memory (bytes)"
    )?;
    for tile in [1usize, 7, 16, 40, 64] {
        for (name, mask) in [("none", Mask::None), ("causal", Mask::Causal)] {
            let a = naive_attention(q.view(), k.view(), v.view(), mask)?;
            let b = tiled_attention(q.view(), k.view(), v.view(), mask, tile)?;
            let equal = a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12);
            writeln!(
                out,
                "{tile:>5}  {name:>7}  {:>22}  {:>14}",
                if equal { "yes" } else { "NO" },
                fmt::count(tiled_peak_bytes(
                    t as u64,
                    t as u64,
                    d as u64,
                    tile as u64
                ))
            )?;
        }
    }
    writeln!(
        out,
        "naive: {} bytes",
        fmt::count(naive_peak_bytes(t as u64, t as u64, d as u64))
    )?;
    Ok(out)
}

// ANCHOR: kv_equal
/// The toy decoder generates 12 tokens both ways from the same prompt.
pub fn kv_cache_equal() -> Result<String> {
    let decoder = TinyDecoder::random(16, 8, 13)?;
    let prompt = [0, 3];
    let slow = decoder.generate_recomputing(&prompt, 12)?;
    let fast = decoder.generate_cached(&prompt, 12)?;
    let close = slow
        .contexts
        .iter()
        .zip(&fast.contexts)
        .all(|(a, b)| (a - b).abs() < 1e-12);
    let mut out = String::new();
    writeln!(out, "vocab = 16, d_model = 8, seed 13, prompt {prompt:?}\n")?;
    writeln!(out, "recomputing: {:?}", slow.tokens)?;
    writeln!(out, "with cache:  {:?}", fast.tokens)?;
    writeln!(out, "same tokens: {}", yes(slow.tokens == fast.tokens))?;
    writeln!(out, "every context equal within 1e-12: {}", yes(close))?;
    Ok(out)
}
// ANCHOR_END: kv_equal

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}

/// The multiply-adds of generating with and without the cache, for the
/// benchmark's decoder, as the number of new tokens grows.
pub fn generation_arithmetic() -> Result<String> {
    let (vocab, d, _) = DECODER;
    let (vocab, d) = (vocab as u64, d as u64);
    let mut out = String::new();
    writeln!(
        out,
        "toy decoder: d_model = {d}, vocab = {vocab}, prompt of 1 token\n"
    )?;
    writeln!(
        out,
        "{:>6}  {:>16}  {:>13}  {:>9}",
        "new", "recomputing", "with cache", "ratio"
    )?;
    for n in [128, 256, 512, GENERATED] {
        let c = generation_multiply_adds(d, vocab, 1, n);
        writeln!(
            out,
            "{n:>6}  {:>16}  {:>13}  {:>9}",
            fmt::count(c.recompute),
            fmt::count(c.cached),
            fmt::num(c.ratio())
        )?;
    }
    Ok(out)
}

// ANCHOR: kv_sizes
/// The cache of real model sizes: multi-head, grouped-query and
/// multi-query attention, in 16-bit numbers (2 bytes).
pub fn kv_cache_sizes() -> Result<String> {
    let mut out = String::new();
    let rows: [(ModelSize, &[u64], &[u64]); 2] = [
        (GPT2_SMALL, &[12, 4, 1], &[1024, 100_000]),
        (LLAMA2_70B, &[64, 8, 1], &[4096, 100_000]),
    ];
    for (model, kv_heads, lengths) in rows {
        writeln!(
            out,
            "{}: {} layers, {} query heads of width {}, 2 bytes per number",
            model.name, model.n_layers, model.n_heads, model.d_head
        )?;
        writeln!(
            out,
            "{:>9}  {:>14}  {:>13}  {:>13}",
            "kv heads",
            "per token",
            format!("T = {}", fmt::count(lengths[0])),
            format!("T = {}", fmt::count(lengths[1]))
        )?;
        for &n in kv_heads {
            let m = model.with_kv_heads(n)?;
            writeln!(
                out,
                "{n:>9}  {:>14}  {:>13}  {:>13}",
                readable_bytes(m.kv_cache_bytes(1, 2)),
                readable_bytes(m.kv_cache_bytes(lengths[0], 2)),
                readable_bytes(m.kv_cache_bytes(lengths[1], 2))
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "GPT-2 small at 1,024 tokens in f64, as this book computes: {}",
        readable_bytes(GPT2_SMALL.kv_cache_bytes(1024, F64_BYTES))
    )?;
    Ok(out)
}
// ANCHOR_END: kv_sizes

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_runs() {
        for text in [
            cost_table(),
            long_inputs(),
            online_library(),
            online_cat_sat(),
            tiled_equal(),
            kv_cache_equal(),
            generation_arithmetic(),
            kv_cache_sizes(),
        ] {
            let text = text.unwrap();
            assert!(!text.contains("NO"), "{text}");
        }
    }
}
