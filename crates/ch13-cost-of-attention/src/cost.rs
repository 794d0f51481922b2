//! Counting: the multiply-adds and bytes of attention, worked out from the
//! sizes alone, before anything runs.

use anyhow::{Result, ensure};

/// Bytes of one `f64`, the number type of every crate in this book.
pub const F64_BYTES: u64 = 8;

// ANCHOR: naive_count
/// The multiply-adds of naive attention: `Q K^T` takes `d_k` per score,
/// the weighted sum takes `d_v` per weight, and there are `T_q * T_k` of
/// each.
///
/// The softmax adds one `exp` per score, `T_q * T_k` in all: as many as the
/// scores, but each without a factor of `d`, so it is left out.
///
/// # Shapes
/// - `Q`: `(T_q, d_k)`, `K`: `(T_k, d_k)`, `V`: `(T_k, d_v)`
pub fn naive_multiply_adds(t_q: u64, t_k: u64, d_k: u64, d_v: u64) -> u64 {
    t_q * t_k * d_k + t_q * t_k * d_v
}

/// The bytes chapter 3's `attention` holds at its peak: the scores and the
/// weights, each `(T_q, T_k)`, and the context `(T_q, d_v)`, all `f64`.
///
/// # Shapes
/// - scores and weights `(T_q, T_k)`, context `(T_q, d_v)`
pub fn naive_peak_bytes(t_q: u64, t_k: u64, d_v: u64) -> u64 {
    F64_BYTES * (2 * t_q * t_k + t_q * d_v)
}
// ANCHOR_END: naive_count

// ANCHOR: tiled_count
/// The bytes [`crate::tiled::tiled_attention`] allocates: its output
/// `(T_q, d_v)`, one tile of scores `(b_q, b_k)`, one accumulator
/// `(b_q, d_v)` and the running max and sum `(b_q,)` each, where
/// `b_q = min(tile, T_q)` and `b_k = min(tile, T_k)`.
///
/// Nothing here grows with `T_q * T_k`: beyond the output, the memory is
/// fixed by the tile.
///
/// # Shapes
/// - output `(T_q, d_v)`, score tile `(b_q, b_k)`, accumulator
///   `(b_q, d_v)`
pub fn tiled_peak_bytes(t_q: u64, t_k: u64, d_v: u64, tile: u64) -> u64 {
    let (b_q, b_k) = (tile.min(t_q), tile.min(t_k));
    F64_BYTES * (t_q * d_v + b_q * b_k + b_q * d_v + 2 * b_q)
}
// ANCHOR_END: tiled_count

// ANCHOR: model_size
/// The attention sizes of a decoder model: enough to count its key-value
/// cache and its score matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSize {
    /// The model's name, for printing.
    pub name: &'static str,
    /// Attention layers, each with its own cache.
    pub n_layers: u64,
    /// Query heads per layer.
    pub n_heads: u64,
    /// Key and value heads per layer: `n_heads` for multi-head attention,
    /// 1 for multi-query, anything that divides `n_heads` for grouped-query.
    pub n_kv_heads: u64,
    /// The width of one head, `d_head = d_model / n_heads`.
    pub d_head: u64,
}

/// GPT-2 small: 12 layers of 12 heads of width 64 (`d_model = 768`),
/// trained on a context of 1,024 tokens.
pub const GPT2_SMALL: ModelSize = ModelSize {
    name: "GPT-2 small",
    n_layers: 12,
    n_heads: 12,
    n_kv_heads: 12,
    d_head: 64,
};

/// Llama 2 70B: 80 layers of 64 query heads of width 128
/// (`d_model = 8192`), sharing 8 key-value heads (grouped-query).
pub const LLAMA2_70B: ModelSize = ModelSize {
    name: "Llama 2 70B",
    n_layers: 80,
    n_heads: 64,
    n_kv_heads: 8,
    d_head: 128,
};
// ANCHOR_END: model_size

impl ModelSize {
    /// The model width, `n_heads * d_head`.
    pub fn d_model(&self) -> u64 {
        self.n_heads * self.d_head
    }

    /// The same model with `n_kv_heads` key-value heads per layer.
    ///
    /// # Errors
    /// `n_kv_heads` of 0 or one that does not divide `n_heads` (each group
    /// of query heads must share one key-value head).
    pub fn with_kv_heads(self, n_kv_heads: u64) -> Result<Self> {
        ensure!(
            n_kv_heads > 0 && self.n_heads.is_multiple_of(n_kv_heads),
            "{} has {} query heads, which cannot share {n_kv_heads} \
             key-value heads in equal groups",
            self.name,
            self.n_heads
        );
        Ok(Self { n_kv_heads, ..self })
    }

    // ANCHOR: kv_cache_bytes
    /// The bytes of the key-value cache after `t` tokens: one key and one
    /// value of width `d_head`, per key-value head, per layer, per token.
    ///
    /// # Shapes
    /// - per layer: keys and values of `(n_kv_heads, T, d_head)` each
    pub fn kv_cache_bytes(&self, t: u64, bytes_per_number: u64) -> u64 {
        2 * self.n_layers * self.n_kv_heads * self.d_head * t * bytes_per_number
    }
    // ANCHOR_END: kv_cache_bytes

    /// The bytes of one layer's score matrices for `t` tokens: one
    /// `(T, T)` matrix per query head.
    ///
    /// # Shapes
    /// - `(n_heads, T, T)` per layer
    pub fn score_bytes_per_layer(&self, t: u64, bytes_per_number: u64) -> u64 {
        self.n_heads * t * t * bytes_per_number
    }

    /// The multiply-adds of the scores and weighted sums of every head of
    /// every layer, for one pass over `t` tokens (the projections, which
    /// grow only like `T`, are left out).
    ///
    /// # Shapes
    /// - per head: `(T, d_head) x (d_head, T)` and `(T, T) x (T, d_head)`
    pub fn attention_multiply_adds(&self, t: u64) -> u64 {
        self.n_layers
            * self.n_heads
            * naive_multiply_adds(t, t, self.d_head, self.d_head)
    }
}

/// Multiply-adds of generating `n_new` tokens after a prompt of
/// `prompt_len` with [`crate::kv_cache::TinyDecoder`], both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerationCost {
    /// Recomputing the whole prefix at every step.
    pub recompute: u64,
    /// Keeping the keys and values in a cache.
    pub cached: u64,
}

impl GenerationCost {
    /// How many times fewer multiply-adds the cache needs.
    pub fn ratio(&self) -> f64 {
        self.recompute as f64 / self.cached as f64
    }
}

// ANCHOR: generation_count
/// Counts the multiply-adds of both ways of generating, step by step.
///
/// At a step that sees `t` tokens, recomputing projects all `t` tokens
/// three times (`3 t d^2`), builds the whole `(t, t)` score matrix and the
/// weighted sums (`2 t^2 d`) and reads out one token (`vocab * d`). The
/// cache projects only what is new (the prompt once, then one token: a
/// key, a value and the last query), scores one query against `t` keys
/// and mixes `t` values (`2 t d`), and reads out the same way.
///
/// # Shapes
/// - tokens of width `d_model`; projections `(d_model, d_model)`;
///   embeddings `(vocab, d_model)`
pub fn generation_multiply_adds(
    d_model: u64,
    vocab: u64,
    prompt_len: u64,
    n_new: u64,
) -> GenerationCost {
    let d = d_model;
    let mut cost = GenerationCost {
        recompute: 0,
        cached: 0,
    };
    for step in 0..n_new {
        let t = prompt_len + step;
        let new_rows = if step == 0 { prompt_len } else { 1 };
        cost.recompute += 3 * t * d * d + 2 * t * t * d + vocab * d;
        cost.cached += 2 * new_rows * d * d + d * d + 2 * t * d + vocab * d;
    }
    cost
}
// ANCHOR_END: generation_count

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_attention_of_4096_tokens_at_width_64() {
        // 4096 * 4096 * (64 + 64) = 16,777,216 * 128 = 2,147,483,648.
        assert_eq!(naive_multiply_adds(4096, 4096, 64, 64), 2_147_483_648);
        // Two (4096, 4096) f64 matrices and a (4096, 64) context:
        // 8 * (2 * 16,777,216 + 262,144) = 270,532,608 bytes.
        assert_eq!(naive_peak_bytes(4096, 4096, 64), 270_532_608);
    }

    #[test]
    fn tiled_memory_is_the_output_plus_one_tile() {
        // 8 * (4096 * 64 + 128 * 128 + 128 * 64 + 2 * 128)
        // = 8 * (262,144 + 16,384 + 8,192 + 256) = 2,295,808.
        assert_eq!(tiled_peak_bytes(4096, 4096, 64, 128), 2_295_808);
        // A tile wider than the sequence is cut to the sequence.
        assert_eq!(
            tiled_peak_bytes(3, 5, 2, 100),
            8 * (3 * 2 + 3 * 5 + 3 * 2 + 2 * 3)
        );
    }

    #[test]
    fn gpt2_small_caches_36_kib_per_token_in_16_bits() {
        // 2 * 12 layers * 12 heads * 64 * 2 bytes = 36,864 bytes per token.
        assert_eq!(GPT2_SMALL.kv_cache_bytes(1, 2), 36_864);
        // At its full context of 1,024 tokens: 37,748,736 bytes (36 MiB).
        assert_eq!(GPT2_SMALL.kv_cache_bytes(1024, 2), 37_748_736);
        assert_eq!(GPT2_SMALL.d_model(), 768);
        // Multi-query: one key-value head, 12 times smaller.
        let mqa = GPT2_SMALL.with_kv_heads(1).unwrap();
        assert_eq!(mqa.kv_cache_bytes(1024, 2) * 12, 37_748_736);
    }

    #[test]
    fn kv_heads_must_divide_the_query_heads() {
        let err = GPT2_SMALL.with_kv_heads(5).unwrap_err().to_string();
        assert!(err.contains("12 query heads"), "{err}");
        assert!(GPT2_SMALL.with_kv_heads(0).is_err());
        assert_eq!(LLAMA2_70B.d_model(), 8192);
    }

    #[test]
    fn one_step_costs_match_the_formulas() {
        // One step over a prompt of 1 token, d = 2, vocab 3:
        // recompute 3*1*4 + 2*1*1*2 + 3*2 = 12 + 4 + 6 = 22;
        // cached 2*1*4 + 4 + 2*1*2 + 3*2 = 8 + 4 + 4 + 6 = 22.
        let c = generation_multiply_adds(2, 3, 1, 1);
        assert_eq!((c.recompute, c.cached), (22, 22));
    }
}
