//! The worked examples chapter 6 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::causal::{CausalAttention, batch, masked_attention, sequence};
use crate::dropout::Dropout;
use crate::mask::{
    both, causal_mask, fill_masked, masked_softmax, zero_and_renormalise,
};
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::softmax::softmax_rows;
use ch04_self_attention::sentences::{Sentence, journey};
use ch05_trainable_weights::{SelfAttention, journey_projections};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip, s};
use std::fmt::Write as _;

/// The seed of the generator behind every dropout mask in the chapter.
pub const DROPOUT_SEED: u64 = 123;

/// The dropout probability of the chapter's examples.
pub const DROPOUT_P: f64 = 0.5;

/// Chapter 5's layer with example 3's fixed projections, made causal,
/// with dropout probability `p`.
pub fn journey_layer(p: f64) -> Result<CausalAttention> {
    let (w_q, w_k, w_v) = journey_projections();
    CausalAttention::new(SelfAttention::new(w_q, w_k, w_v)?, p)
}

/// The journey sentence's causal weights, without dropout.
///
/// # Shapes
/// - returns `(T, T) = (6, 6)`
pub fn journey_causal_weights() -> Result<Array2<f64>> {
    let s = journey();
    Ok(journey_layer(DROPOUT_P)?.forward(s.x.view(), None)?.weights)
}

/// The journey sentence's causal weights after one dropout draw with
/// [`DROPOUT_P`] from a generator seeded with [`DROPOUT_SEED`].
///
/// # Shapes
/// - returns `(T, T) = (6, 6)`
pub fn journey_dropped_weights() -> Result<Array2<f64>> {
    let weights = journey_causal_weights()?;
    let mut rng = SplitMix64::new(DROPOUT_SEED);
    Ok(Dropout::new(DROPOUT_P)?.apply(weights.view(), &mut rng))
}

/// A mask drawn as a grid of `1` (may look) and `0` (hidden), with the
/// same labels and alignment as [`fmt::matrix`].
fn mask_grid(
    allowed: ArrayView2<bool>,
    rows: &[&str],
    cols: &[&str],
) -> String {
    let label_w = rows.iter().map(|s| s.len()).max().unwrap_or(0);
    let cell_w = cols.iter().map(|s| s.len()).max().unwrap_or(1);
    let mut out = format!("{:label_w$}", "");
    for c in cols {
        out.push_str(&format!("  {c:>cell_w$}"));
    }
    out.push('\n');
    for (name, row) in rows.iter().zip(allowed.rows()) {
        out.push_str(&format!("{name:<label_w$}"));
        for &ok in row {
            let cell = if ok { "1" } else { "0" };
            out.push_str(&format!("  {cell:>cell_w$}"));
        }
        out.push('\n');
    }
    out
}

/// Writes a titled matrix with the sentence's tokens as labels.
fn titled(
    out: &mut String,
    title: &str,
    m: ArrayView2<f64>,
    s: &Sentence,
    token_columns: bool,
) -> Result<()> {
    writeln!(out, "{title}")?;
    let cols: &[&str] = if token_columns { &s.tokens } else { &[] };
    write!(out, "{}", fmt::matrix(m, &s.tokens, cols))?;
    Ok(())
}

// ANCHOR: journey_causal
/// Example 3 made causal: the scores of chapter 5's layer, the mask, the
/// masked scores, the weights and the context vectors.
pub fn journey_causal() -> Result<String> {
    let s = journey();
    let layer = journey_layer(DROPOUT_P)?;
    let out = layer.forward(s.x.view(), None)?;
    let (t, d_in) = s.x.dim();
    let allowed = causal_mask(t);
    let masked = fill_masked(out.scores.view(), allowed.view())?;
    let mut text = String::new();
    writeln!(
        text,
        "T = {t}, d_in = {d_in}, d_out = {}; W_q, W_k, W_v from chapter 5\n",
        layer.d_out()
    )?;
    titled(
        &mut text,
        "scores = Q K^T / sqrt(2), shape (6, 6):",
        out.scores.view(),
        &s,
        true,
    )?;
    writeln!(text, "\ncausal mask (1 = may look, 0 = the future):")?;
    write!(text, "{}", mask_grid(allowed.view(), &s.tokens, &s.tokens))?;
    titled(
        &mut text,
        "\nmasked scores (the future set to -inf):",
        masked.view(),
        &s,
        true,
    )?;
    titled(
        &mut text,
        "\nweights = softmax of each row:",
        out.weights.view(),
        &s,
        true,
    )?;
    titled(
        &mut text,
        "\ncontext = weights V, shape (6, 2):",
        out.context.view(),
        &s,
        false,
    )?;
    Ok(text)
}
// ANCHOR_END: journey_causal

// ANCHOR: zero_then_renormalise
/// The same causal weights by the other road: the plain softmax weights
/// of chapter 5, the future zeroed, each row divided by what is left.
pub fn zero_then_renormalise() -> Result<String> {
    let s = journey();
    let layer = journey_layer(DROPOUT_P)?;
    let plain = layer.attention().forward(s.x.view())?;
    let allowed = causal_mask(s.tokens.len());
    let mut zeroed = plain.weights.clone();
    Zip::from(&mut zeroed).and(&allowed).for_each(|w, &ok| {
        if !ok {
            *w = 0.0;
        }
    });
    let after = zero_and_renormalise(plain.weights.view(), allowed.view())?;
    let before = masked_softmax(plain.scores.view(), allowed.view())?;
    let mut text = String::new();
    titled(
        &mut text,
        "plain weights (chapter 5, no mask):",
        plain.weights.view(),
        &s,
        true,
    )?;
    titled(&mut text, "\nthe future zeroed:", zeroed.view(), &s, true)?;
    let sums = zeroed.sum_axis(Axis(1));
    writeln!(text, "\nwhat is left of each row's sum:")?;
    for (token, sum) in s.tokens.iter().zip(&sums) {
        writeln!(text, "  {token:<7}  {}", fmt::num(*sum))?;
    }
    titled(
        &mut text,
        "\neach row divided by its sum:",
        after.view(),
        &s,
        true,
    )?;
    let gap = (&after - &before)
        .iter()
        .fold(0.0_f64, |m, &x| m.max(x.abs()));
    writeln!(
        text,
        "\nlargest difference from the masked softmax: {}",
        fmt::num(gap)
    )?;
    Ok(text)
}
// ANCHOR_END: zero_then_renormalise

/// Counts the non-zero entries of a matrix.
fn kept(m: ArrayView2<f64>) -> usize {
    m.iter().filter(|&&x| x != 0.0).count()
}

// ANCHOR: dropout_journey
/// Dropout with `p = 0.5` on a matrix of ones and on the journey's causal
/// weights, each with a fresh generator seeded with [`DROPOUT_SEED`].
pub fn dropout_journey() -> Result<String> {
    let s = journey();
    let dropout = Dropout::new(DROPOUT_P)?;
    let ones = Array2::<f64>::ones((6, 6));
    let dropped_ones =
        dropout.apply(ones.view(), &mut SplitMix64::new(DROPOUT_SEED));
    let weights = journey_causal_weights()?;
    let dropped = journey_dropped_weights()?;
    let mut text = String::new();
    writeln!(
        text,
        "p = {}, seed {DROPOUT_SEED}; survivors are multiplied by \
         1 / (1 - p) = {}\n",
        fmt::num(DROPOUT_P),
        fmt::num(1.0 / (1.0 - DROPOUT_P))
    )?;
    writeln!(text, "a (6, 6) matrix of ones after dropout:")?;
    write!(text, "{}", fmt::matrix(dropped_ones.view(), &[], &[]))?;
    writeln!(text, "kept {} of 36 entries", kept(dropped_ones.view()))?;
    titled(
        &mut text,
        "\nthe causal weights after dropout (the same seed):",
        dropped.view(),
        &s,
        true,
    )?;
    writeln!(
        text,
        "kept {} of the {} non-zero weights",
        kept(dropped.view()),
        kept(weights.view())
    )?;
    let sums = dropped.sum_axis(Axis(1));
    writeln!(text, "\nrow sums after dropout (1 before):")?;
    for (token, sum) in s.tokens.iter().zip(&sums) {
        writeln!(text, "  {token:<7}  {}", fmt::num(*sum))?;
    }
    Ok(text)
}
// ANCHOR_END: dropout_journey

/// How many dropout draws [`dropout_average`] averages at each step.
pub const AVERAGE_DRAWS: [usize; 5] = [1, 10, 100, 1_000, 10_000];

// ANCHOR: dropout_average
/// The average of many dropout draws of the journey's causal weights
/// approaches the weights themselves: one generator seeded with
/// [`DROPOUT_SEED`] supplies every draw.
pub fn dropout_average() -> Result<String> {
    let s = journey();
    let weights = journey_causal_weights()?;
    let dropout = Dropout::new(DROPOUT_P)?;
    let mut rng = SplitMix64::new(DROPOUT_SEED);
    let mut sum = Array2::<f64>::zeros(weights.dim());
    let mut text = String::new();
    writeln!(text, "draws  largest |average - weight|")?;
    let mut done = 0;
    let mut mean = sum.clone();
    for &n in &AVERAGE_DRAWS {
        while done < n {
            sum += &dropout.apply(weights.view(), &mut rng);
            done += 1;
        }
        mean = &sum / n as f64;
        let gap = (&mean - &weights)
            .iter()
            .fold(0.0_f64, |m, &x| m.max(x.abs()));
        writeln!(text, "{n:>5}  {}", fmt::num(gap))?;
    }
    titled(
        &mut text,
        "\nthe average of 10000 draws:",
        mean.view(),
        &s,
        true,
    )?;
    Ok(text)
}
// ANCHOR_END: dropout_average

/// The made-up embedding of "ends" in [`journey_batch`]'s second sentence.
pub const ENDS: [f64; 3] = [0.90, 0.15, 0.20];

/// "Your journey ends with one step": the journey sentence with its third
/// token replaced by a made-up embedding, [`ENDS`].
pub fn journey_ends() -> Sentence {
    let mut s = journey();
    s.tokens[2] = "ends";
    s.x.row_mut(2).assign(&Array1::from(ENDS.to_vec()));
    s
}

/// The largest absolute difference in each row of two matrices.
fn row_gaps(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Vec<f64> {
    a.rows()
        .into_iter()
        .zip(b.rows())
        .map(|(x, y)| {
            x.iter()
                .zip(y)
                .fold(0.0_f64, |m, (p, q)| m.max((p - q).abs()))
        })
        .collect()
}

// ANCHOR: journey_batch
/// A batch of two sentences that differ only from position 3 on, through
/// the causal layer at once, compared with plain self-attention.
pub fn journey_batch() -> Result<String> {
    let first = journey();
    let second = journey_ends();
    let x = batch(&[first.x.view(), second.x.view()])?; // (B, T, d_in)
    let layer = journey_layer(DROPOUT_P)?;
    let context = layer.forward_batch(x.view(), None)?; // (B, T, d_out)
    let mut text = String::new();
    writeln!(text, "sequence 0: {}", first.tokens.join(" "))?;
    writeln!(text, "sequence 1: {}", second.tokens.join(" "))?;
    writeln!(text, "\"ends\" = {}", fmt::list(ENDS))?;
    let dims = |d: &[usize]| {
        let d: Vec<String> = d.iter().map(|n| n.to_string()).collect();
        format!("({})", d.join(", "))
    };
    writeln!(text, "\nx has shape (B, T, d_in) = {}", dims(x.shape()))?;
    writeln!(
        text,
        "context has shape (B, T, d_out) = {}",
        dims(context.shape())
    )?;
    let c0 = sequence(context.view(), 0);
    let c1 = sequence(context.view(), 1);
    titled(
        &mut text,
        "\ncontext, sequence 0:",
        c0.view(),
        &first,
        false,
    )?;
    titled(
        &mut text,
        "\ncontext, sequence 1:",
        c1.view(),
        &second,
        false,
    )?;
    let plain = layer.attention();
    let p0 = plain.forward(first.x.view())?.context;
    let p1 = plain.forward(second.x.view())?.context;
    let causal_gaps = row_gaps(c0.view(), c1.view());
    let plain_gaps = row_gaps(p0.view(), p1.view());
    writeln!(
        text,
        "\nlargest difference between the two sentences' context vectors:"
    )?;
    writeln!(text, "position            causal   no mask")?;
    for (i, (c, p)) in causal_gaps.iter().zip(&plain_gaps).enumerate() {
        let pair = format!("{}/{}", first.tokens[i], second.tokens[i]);
        writeln!(
            text,
            "{i}  {pair:<15}  {}    {}",
            fmt::num(*c),
            fmt::num(*p)
        )?;
    }
    Ok(text)
}
// ANCHOR_END: journey_batch

/// The tokens of [`nothing_to_attend`]: the start of the journey sentence,
/// left-padded to length 5.
pub const PADDED_TOKENS: [&str; 5] =
    ["<pad>", "<pad>", "Your", "journey", "starts"];

// ANCHOR: nothing_to_attend
/// A left-padded sequence under a causal mask and a padding mask: the two
/// padding positions have nothing they may attend to.
pub fn nothing_to_attend() -> Result<String> {
    let s = journey();
    let mut x = Array2::<f64>::zeros((5, 3)); // padding embeddings are 0
    x.slice_mut(s![2.., ..]).assign(&s.x.slice(s![..3, ..]));
    let t = x.nrows();
    let real = [false, false, true, true, true]; // is key j a real token?
    let padding = Array2::from_shape_fn((t, t), |(_, j)| real[j]);
    let allowed = both(causal_mask(t).view(), padding.view())?;
    let layer = journey_layer(DROPOUT_P)?;
    let inner = layer.attention();
    let q = inner.queries(x.view())?; // (T, d_in) x (d_in, d_out)
    let k = inner.keys(x.view())?;
    let v = inner.values(x.view())?;
    let out = masked_attention(q.view(), k.view(), v.view(), allowed.view())?;
    let mut text = String::new();
    writeln!(text, "allowed = causal AND the key is not <pad>:")?;
    write!(
        text,
        "{}",
        mask_grid(allowed.view(), &PADDED_TOKENS, &PADDED_TOKENS)
    )?;
    writeln!(text, "\nweights from masked_softmax:")?;
    write!(
        text,
        "{}",
        fmt::matrix(out.weights.view(), &PADDED_TOKENS, &PADDED_TOKENS)
    )?;
    writeln!(text, "\ncontext = weights V:")?;
    write!(
        text,
        "{}",
        fmt::matrix(out.context.view(), &PADDED_TOKENS, &[])
    )?;
    writeln!(text, "\nvalue of \"Your\": {}", fmt::vector(v.row(2)))?;
    let masked = fill_masked(out.scores.view(), allowed.view())?;
    let refused = match softmax_rows(masked.view()) {
        Ok(_) => "accepted".to_string(),
        Err(e) => e.to_string(),
    };
    writeln!(text, "\nchapter 3's softmax_rows on the same scores:")?;
    writeln!(text, "  {refused}")?;
    Ok(text)
}
// ANCHOR_END: nothing_to_attend
