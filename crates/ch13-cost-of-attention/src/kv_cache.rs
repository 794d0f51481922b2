//! Generating text token by token, with and without a key-value cache.
//!
//! The decoder here is as small as a decoder can be and still generate: a
//! table of token embeddings, one causal attention layer (chapter 5's
//! projections, chapter 6's mask), and a read-out that scores every token
//! of the vocabulary against the last context vector and picks the best
//! (greedy decoding, with the embeddings reused as the read-out). It is
//! untrained, so what it writes means nothing; what matters is that both
//! ways of running it write the same thing.

use anyhow::{Result, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::Scale;
use ch03_queries_keys_values::softmax::softmax;
use ch05_trainable_weights::SelfAttention;
use ch06_causal_attention::CausalAttention;
use ndarray::{Array1, Array2, ArrayView1, s};

/// A one-layer decoder with greedy decoding.
///
/// # Shapes
/// - `embeddings`: `(vocab, d_model)`; projections `(d_model, d_model)`
#[derive(Debug, Clone, PartialEq)]
pub struct TinyDecoder {
    embeddings: Array2<f64>,
    attention: SelfAttention,
}

/// What a generation run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The new tokens, in order (the prompt not included).
    pub tokens: Vec<usize>,
    /// The context vector each new token was read from. Shape
    /// `(n_new, d_model)`.
    pub contexts: Array2<f64>,
}

impl TinyDecoder {
    /// A decoder with random embeddings (standard normal) and random
    /// projections (chapter 5's initialisation), all drawn from one
    /// generator seeded with `seed`: embeddings first, then the layer.
    ///
    /// # Shapes
    /// - `embeddings`: `(vocab, d_model)`; projections `(d_model, d_model)`
    ///
    /// # Errors
    /// `vocab` or `d_model` equal to 0.
    pub fn random(vocab: usize, d_model: usize, seed: u64) -> Result<Self> {
        ensure!(
            vocab > 0 && d_model > 0,
            "a decoder needs a vocabulary and a width, but (vocab, d_model) \
             = ({vocab}, {d_model})"
        );
        let mut rng = SplitMix64::new(seed);
        let embeddings = rng.normal_matrix(vocab, d_model);
        let attention = SelfAttention::random(d_model, d_model, &mut rng)?;
        Ok(Self {
            embeddings,
            attention,
        })
    }

    /// The number of tokens the decoder knows.
    pub fn vocab(&self) -> usize {
        self.embeddings.nrows()
    }

    /// The width of every vector inside the decoder.
    pub fn d_model(&self) -> usize {
        self.embeddings.ncols()
    }

    /// The embeddings of `tokens`, one row each.
    ///
    /// # Shapes
    /// - returns `(tokens.len(), d_model)`
    fn embed(&self, tokens: &[usize]) -> Array2<f64> {
        self.embeddings.select(ndarray::Axis(0), tokens)
    }

    /// Greedy read-out: the token whose embedding has the largest dot
    /// product with `context` (the first, if several tie).
    ///
    /// # Shapes
    /// - `context`: `(d_model,)`
    fn next_token(&self, context: ArrayView1<f64>) -> usize {
        // (vocab, d_model) x (d_model,) -> (vocab,)
        let logits = self.embeddings.dot(&context);
        let mut best = 0;
        for (i, &x) in logits.iter().enumerate() {
            if x > logits[best] {
                best = i;
            }
        }
        best
    }

    fn check_prompt(&self, prompt: &[usize]) -> Result<()> {
        ensure!(
            !prompt.is_empty(),
            "the prompt must hold at least one token"
        );
        if let Some(&bad) = prompt.iter().find(|&&t| t >= self.vocab()) {
            anyhow::bail!(
                "token {bad} is not in the vocabulary: the embeddings have \
                 shape {}",
                check::shape(&self.embeddings)
            );
        }
        Ok(())
    }

    // ANCHOR: recompute
    /// Generates `n_new` tokens by running chapter 6's causal layer over
    /// the whole sequence at every step and keeping only the last row.
    ///
    /// # Shapes
    /// - at a step with `t` tokens: `(t, d_model)` in, `(t, t)` scores,
    ///   `(t, d_model)` out, of which row `t - 1` is used
    ///
    /// # Errors
    /// An empty prompt or a token outside the vocabulary.
    pub fn generate_recomputing(
        &self,
        prompt: &[usize],
        n_new: usize,
    ) -> Result<Generation> {
        self.check_prompt(prompt)?;
        let layer = CausalAttention::new(self.attention.clone(), 0.0)?;
        let mut tokens = prompt.to_vec();
        let mut contexts = Array2::zeros((n_new, self.d_model()));
        for step in 0..n_new {
            let x = self.embed(&tokens); // (t, d_model)
            let out = layer.forward(x.view(), None)?; // (t, t) scores
            let last = out.context.row(tokens.len() - 1);
            contexts.row_mut(step).assign(&last);
            tokens.push(self.next_token(last));
        }
        Ok(Generation {
            tokens: tokens[prompt.len()..].to_vec(),
            contexts,
        })
    }
    // ANCHOR_END: recompute

    // ANCHOR: cached
    /// Generates `n_new` tokens keeping every key and value in a cache:
    /// each step projects only the tokens it has not seen, and lets the
    /// newest token's query attend over the cache.
    ///
    /// # Shapes
    /// - cache: keys and values `(prompt + n_new, d_model)` each, of which
    ///   the first `t` rows are filled at a step with `t` tokens
    ///
    /// # Errors
    /// An empty prompt or a token outside the vocabulary.
    pub fn generate_cached(
        &self,
        prompt: &[usize],
        n_new: usize,
    ) -> Result<Generation> {
        self.check_prompt(prompt)?;
        let mut cache = KvCache::new(prompt.len() + n_new, self.d_model());
        let mut tokens = prompt.to_vec();
        let mut contexts = Array2::zeros((n_new, self.d_model()));
        for step in 0..n_new {
            // Only the tokens the cache has not seen yet: the whole prompt
            // at the first step, one token after that.
            let x = self.embed(&tokens[cache.len()..]); // (new, d_model)
            let k = self.attention.keys(x.view())?; // (new, d_model)
            let v = self.attention.values(x.view())?; // (new, d_model)
            cache.push(k.view(), v.view())?;
            // The newest token's query: (1, d_model) x (d_model, d_model)
            let q = self.attention.queries(x.slice(s![-1.., ..]))?;
            let context = cache.attend(q.row(0))?; // (d_model,)
            contexts.row_mut(step).assign(&context);
            tokens.push(self.next_token(context.view()));
        }
        Ok(Generation {
            tokens: tokens[prompt.len()..].to_vec(),
            contexts,
        })
    }
    // ANCHOR_END: cached
}

// ANCHOR: kv_cache
/// Keys and values of every token seen so far, in rows allocated once.
///
/// # Shapes
/// - `keys`: `(capacity, d_k)`, `values`: `(capacity, d_v)`; the first
///   `len` rows are filled
#[derive(Debug, Clone, PartialEq)]
pub struct KvCache {
    keys: Array2<f64>,
    values: Array2<f64>,
    len: usize,
}

impl KvCache {
    /// An empty cache with room for `capacity` tokens of width `d`.
    ///
    /// # Shapes
    /// - keys and values `(capacity, d)` each
    pub fn new(capacity: usize, d: usize) -> Self {
        Self {
            keys: Array2::zeros((capacity, d)),
            values: Array2::zeros((capacity, d)),
            len: 0,
        }
    }

    /// How many tokens are in the cache.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the cache holds no token yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the keys and values of new tokens, one row per token,
    /// checking them once, here.
    ///
    /// # Shapes
    /// - `k`: `(n, d)`, `v`: `(n, d)`
    ///
    /// # Errors
    /// Rows of the wrong width, `k` and `v` of different lengths, more
    /// tokens than the cache has room for, or a non-finite entry; the
    /// error names the shapes.
    pub fn push(
        &mut self,
        k: ndarray::ArrayView2<f64>,
        v: ndarray::ArrayView2<f64>,
    ) -> Result<()> {
        let n = k.nrows();
        ensure!(
            k.dim() == (n, self.keys.ncols())
                && v.dim() == (n, self.values.ncols())
                && self.len + n <= self.keys.nrows(),
            "cannot append `k` with shape {} and `v` with shape {} to a \
             cache of shape {} holding {} tokens",
            check::shape(&k),
            check::shape(&v),
            check::shape(&self.keys),
            self.len
        );
        check::finite("k", &k)?;
        check::finite("v", &v)?;
        let rows = self.len..self.len + n;
        self.keys.slice_mut(s![rows.clone(), ..]).assign(&k);
        self.values.slice_mut(s![rows, ..]).assign(&v);
        self.len += n;
        Ok(())
    }

    // ANCHOR: attend
    /// One query attends over every cached token: scaled scores, chapter
    /// 3's softmax, and the weighted sum of the values. No mask is needed:
    /// the cache holds only the past.
    ///
    /// This is chapter 3's `attend`, written for a cache: the keys and
    /// values were checked once, when they were pushed, so they are not
    /// checked again at every step, and the values are added row by row,
    /// in the order they lie in memory.
    ///
    /// # Shapes
    /// - `q`: `(d_k,)` against keys `(len, d_k)` -> context `(d_v,)`
    ///
    /// # Errors
    /// An empty cache, or a query of the wrong width or not finite.
    pub fn attend(&self, q: ArrayView1<f64>) -> Result<Array1<f64>> {
        check::usable("q", &q)?;
        ensure!(
            self.len > 0 && q.len() == self.keys.ncols(),
            "`q` with shape {} cannot attend over a cache of shape {} \
             holding {} tokens",
            check::shape(&q),
            check::shape(&self.keys),
            self.len
        );
        let scale = Scale::InvSqrtDk.factor(q.len());
        // One score per cached key: (len, d_k) x (d_k,) -> (len,)
        let scores: Array1<f64> = self
            .keys
            .rows()
            .into_iter()
            .take(self.len)
            .map(|k| k.dot(&q) * scale)
            .collect();
        let weights = softmax(scores.view())?;
        // (len,) weights x (len, d_v) values -> (d_v,), row by row
        let mut context = Array1::zeros(self.values.ncols());
        for (w, v) in weights.iter().zip(self.values.rows()) {
            context.scaled_add(*w, &v);
        }
        Ok(context)
    }
    // ANCHOR_END: attend
}
// ANCHOR_END: kv_cache

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_ways_write_the_same_tokens_and_contexts() {
        let decoder = TinyDecoder::random(16, 8, 13).unwrap();
        let a = decoder.generate_recomputing(&[0, 3], 40).unwrap();
        let b = decoder.generate_cached(&[0, 3], 40).unwrap();
        assert_eq!(a.tokens, b.tokens);
        for (x, y) in a.contexts.iter().zip(&b.contexts) {
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
    }

    #[test]
    fn bad_prompts_are_errors() {
        let decoder = TinyDecoder::random(4, 2, 1).unwrap();
        assert!(decoder.generate_cached(&[], 3).is_err());
        let err = decoder
            .generate_recomputing(&[1, 9], 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("token 9"), "{err}");
        assert!(err.contains("(4, 2)"), "{err}");
        assert!(TinyDecoder::random(0, 2, 1).is_err());
    }

    #[test]
    fn a_full_cache_refuses_more_tokens() {
        let mut cache = KvCache::new(1, 2);
        let row = Array2::<f64>::ones((1, 2));
        cache.push(row.view(), row.view()).unwrap();
        let err = cache.push(row.view(), row.view()).unwrap_err().to_string();
        assert!(err.contains("cache of shape (1, 2) holding 1"), "{err}");
        assert!(KvCache::new(2, 2).attend(row.row(0)).is_err());
    }

    proptest! {
        #[test]
        fn the_cache_attends_as_chapter_3_does(
            t in 1usize..20, d in 1usize..8, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let (k, v) = (rng.normal_matrix(t, d), rng.normal_matrix(t, d));
            let q = rng.normal_matrix(1, d);
            let mut cache = KvCache::new(t + 3, d);
            cache.push(k.view(), v.view()).unwrap();
            let ours = cache.attend(q.row(0)).unwrap();
            let theirs = ch03_queries_keys_values::attention::attend(
                q.row(0), k.view(), v.view(), Scale::InvSqrtDk,
            ).unwrap();
            for (x, y) in ours.iter().zip(&theirs.output) {
                prop_assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn the_cache_equals_recomputing_for_any_decoder(
            vocab in 1usize..12, d in 1usize..10, prompt_len in 1usize..5,
            n_new in 0usize..12, seed in any::<u64>(),
        ) {
            let decoder = TinyDecoder::random(vocab, d, seed).unwrap();
            let prompt: Vec<usize> =
                (0..prompt_len).map(|i| (i * 7) % vocab).collect();
            let a = decoder.generate_recomputing(&prompt, n_new).unwrap();
            let b = decoder.generate_cached(&prompt, n_new).unwrap();
            for (x, y) in a.contexts.iter().zip(&b.contexts) {
                prop_assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
        }
    }
}
