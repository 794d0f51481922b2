//! Chapter 14's worked examples: each returns the exact text the chapter
//! shows, and `tests/outputs.rs` locks it.

use crate::block::{Block, GPT2_SMALL, ModelSizes, model_count, row_stats};
use crate::families::{draw, families};
use crate::position::{rope_score, sinusoidal, with_positions};
use crate::uses::{
    CODE_TOKENS, Lookup, cats, causal_weights, code_embeddings, faucet,
    patch_count, patches, red_ball, red_ball_weights, toy_image,
};
use anyhow::Result;
use attn_common::fmt::{matrix, num, vector};
use attn_common::rng::SplitMix64;
use ch04_self_attention::self_attention::self_attention;
use ch04_self_attention::sentences::journey;
use ch07_multi_head_attention::params::with_commas;
use ndarray::{Array1, ArrayView2, array, s};
use std::fmt::Write as _;

/// The seed of the toy block's weights.
pub const BLOCK_SEED: u64 = 14;

/// The largest `|a - b|` over two matrices of the same shape.
fn largest_gap(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// The journey sentence in reverse order, with and without sinusoidal
/// encodings: what the output of each token becomes.
pub fn shuffled_journey() -> Result<String> {
    let s = journey();
    let reversed = s.x.slice(s![..;-1, ..]).to_owned();
    let t = s.tokens.len();
    let mut out = String::new();
    // Row r of the reversed sentence is token t - 1 - r; undo that order
    // so both outputs list the tokens in the sentence's order.
    let back = |m: &ndarray::Array2<f64>| m.slice(s![..;-1, ..]).to_owned();
    let plain = self_attention(s.x.view())?.context;
    let plain_rev = back(&self_attention(reversed.view())?.context);
    writeln!(out, "Without positions (chapter 4's self-attention):")?;
    writeln!(
        out,
        "  output of \"journey\", in order:  {}",
        vector(plain.row(1))
    )?;
    writeln!(
        out,
        "  output of \"journey\", reversed:  {}",
        vector(plain_rev.row(1))
    )?;
    writeln!(
        out,
        "  largest change over all {t} tokens: {}",
        num(largest_gap(plain.view(), plain_rev.view()))
    )?;
    let pos = self_attention(with_positions(s.x.view())?.view())?.context;
    let pos_rev =
        back(&self_attention(with_positions(reversed.view())?.view())?.context);
    writeln!(out, "With sinusoidal positions added (X + PE):")?;
    writeln!(
        out,
        "  output of \"journey\", in order:  {}",
        vector(pos.row(1))
    )?;
    writeln!(
        out,
        "  output of \"journey\", reversed:  {}",
        vector(pos_rev.row(1))
    )?;
    writeln!(
        out,
        "  largest change over all {t} tokens: {}",
        num(largest_gap(pos.view(), pos_rev.view()))
    )?;
    Ok(out)
}

/// The first positions' sinusoidal encodings at `d_model = 4`.
pub fn sinusoidal_table() -> Result<String> {
    let pe = sinusoidal(4, 4)?;
    let rows = ["p = 0", "p = 1", "p = 2", "p = 3"];
    let cols = ["sin p", "cos p", "sin p/100", "cos p/100"];
    Ok(matrix(pe.view(), &rows, &cols))
}

/// The query and key of the RoPE example.
///
/// # Shapes
/// - returns `q` and `k`, both `(d,) = (4,)`
pub fn rope_pair() -> (Array1<f64>, Array1<f64>) {
    (array![1.0, 0.5, -0.3, 0.8], array![0.6, -0.2, 0.9, 0.4])
}

/// RoPE scores for pairs of positions with the same and with different
/// offsets, and the same pairs with sinusoidal encodings added instead.
pub fn rope_offsets() -> Result<String> {
    let (q, k) = rope_pair();
    let pe = sinusoidal(64, 4)?;
    let mut out = String::new();
    writeln!(out, "q = {}, k = {}", vector(q.view()), vector(k.view()))?;
    writeln!(
        out,
        "  m    n  n - m   RoPE score   (q + PE_m) . (k + PE_n)"
    )?;
    for (m, n) in [(0, 3), (4, 7), (20, 23), (50, 53), (3, 0), (9, 6), (5, 5)] {
        let rope = rope_score(q.view(), m, k.view(), n)?;
        let added = (&q + &pe.row(m)).dot(&(&k + &pe.row(n)));
        writeln!(
            out,
            "{m:>3}  {n:>3}  {:>5}  {:>11}   {:>11}",
            n as i64 - m as i64,
            num(rope),
            num(added)
        )?;
    }
    Ok(out)
}

/// The toy block on the journey sentence, step by step.
pub fn journey_block() -> Result<String> {
    let s = journey();
    let mut rng = SplitMix64::new(BLOCK_SEED);
    let block = Block::random(3, 1, 12, &mut rng)?;
    let x = with_positions(s.x.view())?;
    let out = block.forward(x.view())?;
    let cols = ["f1", "f2", "f3"];
    let (mean, var) = row_stats(out.normed.view());
    let mut text = String::new();
    writeln!(
        text,
        "A block with d_model = 3, n_heads = 1, d_ff = 12 (seed {BLOCK_SEED})"
    )?;
    writeln!(text, "X + PE, shape {:?}:", x.dim())?;
    writeln!(text, "{}", matrix(x.view(), &s.tokens, &cols))?;
    writeln!(text, "LN1(X + PE): each row's mean and variance")?;
    writeln!(text, "  means:     {}", vector(mean.view()))?;
    writeln!(text, "  variances: {}", vector(var.view()))?;
    writeln!(text, "H = X + Attention(LN1(X)):")?;
    writeln!(
        text,
        "{}",
        matrix(out.after_attention.view(), &s.tokens, &cols)
    )?;
    writeln!(text, "Y = H + FFN(LN2(H)), shape {:?}:", out.output.dim())?;
    write!(text, "{}", matrix(out.output.view(), &s.tokens, &cols))?;
    let toy = ModelSizes {
        vocab: 1,
        context: 1,
        d_model: 3,
        n_layers: 1,
        n_heads: 1,
        d_ff: 12,
        attention_bias: false,
    };
    writeln!(text)?;
    writeln!(
        text,
        "parameters held by the block: {}; by the formula: {}",
        block.parameters(),
        model_count(&toy)?.block()
    )?;
    Ok(text)
}

/// GPT-2 small's parameters, part by part.
pub fn gpt2_count() -> Result<String> {
    let c = model_count(&GPT2_SMALL)?;
    let s = GPT2_SMALL;
    let rows = [
        (
            format!("token embeddings ({} x {})", s.vocab, s.d_model),
            c.token_embeddings,
        ),
        (
            format!("position embeddings ({} x {})", s.context, s.d_model),
            c.position_embeddings,
        ),
        ("one block: attention".to_string(), c.attention),
        ("one block: two layer norms".to_string(), c.norms),
        ("one block: feed-forward".to_string(), c.feed_forward),
        ("one block, in all".to_string(), c.block()),
        (format!("{} blocks", s.n_layers), c.n_layers * c.block()),
        ("final layer norm".to_string(), c.final_norm),
        ("output layer (tied to the token embeddings)".to_string(), 0),
    ];
    let mut out = String::new();
    for (name, n) in rows {
        writeln!(out, "{name:<44} {:>12}", with_commas(n))?;
    }
    writeln!(out, "{:<44} {:>12}", "total", with_commas(c.total()))?;
    let untied = c.total() + c.token_embeddings;
    writeln!(
        out,
        "{:<44} {:>12}",
        "total if the output layer were separate",
        with_commas(untied)
    )?;
    Ok(out)
}

/// The three families' masks, drawn with `#` (may look) and `.` (may
/// not).
pub fn family_masks() -> Result<String> {
    let mut out = String::new();
    for family in families(4, 3) {
        writeln!(out, "{}", family.name)?;
        for (name, mask) in &family.masks {
            let (rows, cols) = mask.dim();
            writeln!(out, "  {name} ({rows} x {cols}):")?;
            for line in draw(mask).lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    Ok(out)
}

/// One lookup's scores and weights, key by key.
fn lookup_text(l: &Lookup) -> Result<String> {
    let a = l.attend()?;
    let mut out = String::new();
    writeln!(out, "features: {}", l.features.join(", "))?;
    writeln!(
        out,
        "query \"{}\" = {}",
        l.query_text,
        vector(l.query.view())
    )?;
    let width = l.key_texts.iter().map(|t| t.len()).max().unwrap_or(0);
    writeln!(out, "{:<width$}   score  weight", "key")?;
    for (j, text) in l.key_texts.iter().enumerate() {
        writeln!(
            out,
            "{text:<width$}  {:>6}  {:>6}",
            num(a.scores[j]),
            num(a.weights[j])
        )?;
    }
    Ok(out)
}

/// Search: "how to fix a leaky faucet".
pub fn search_faucet() -> Result<String> {
    lookup_text(&faucet())
}

/// Chat: "what did I say about cats?".
pub fn chat_cats() -> Result<String> {
    lookup_text(&cats())
}

/// Code completion after `def calculate_`: causal weights.
pub fn code_completion() -> Result<String> {
    let w = causal_weights(code_embeddings().view())?;
    Ok(matrix(w.view(), &CODE_TOKENS, &CODE_TOKENS))
}

/// A 4 x 4 image cut into four 2 x 2 patches, and a real ViT's count.
pub fn image_patches() -> Result<String> {
    let image = toy_image();
    let tokens = patches(image.view(), 2)?;
    let mut out = String::new();
    writeln!(out, "image (4 x 4), pixel (r, c) = 4r + c:")?;
    for row in image.rows() {
        let cells: Vec<String> =
            row.iter().map(|v| format!("{v:>3}")).collect();
        writeln!(out, "  {}", cells.join(""))?;
    }
    writeln!(out, "patches of 2 x 2 -> {} tokens of 4 numbers:", {
        tokens.nrows()
    })?;
    for (i, row) in tokens.rows().into_iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        writeln!(out, "  token {}: [{}]", i + 1, cells.join(", "))?;
    }
    writeln!(
        out,
        "a 224 x 224 image in patches of 16 x 16 -> {} tokens",
        patch_count(224, 224, 16)
    )?;
    let pixels = patch_count(224, 224, 1);
    let tokens16 = patch_count(224, 224, 16);
    let ratio = (pixels * pixels) / (tokens16 * tokens16);
    writeln!(
        out,
        "the same image as single pixels -> {pixels} tokens, a score \
         matrix {ratio} times larger"
    )?;
    Ok(out)
}

/// Text-to-image cross-attention: regions attend to the prompt.
pub fn text_to_image() -> Result<String> {
    let t = red_ball();
    let w = red_ball_weights()?;
    Ok(matrix(w.view(), &t.regions, &t.prompt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_worked_example_runs() {
        for f in [
            shuffled_journey,
            sinusoidal_table,
            rope_offsets,
            journey_block,
            gpt2_count,
            family_masks,
            search_faucet,
            chat_cats,
            code_completion,
            image_patches,
            text_to_image,
        ] {
            assert!(!f().unwrap().is_empty());
        }
    }
}
