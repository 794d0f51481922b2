//! The worked examples chapter 11 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::headview::HeadView;
use crate::patterns::{Pattern, patterns};
use crate::rollout::rollout;
use crate::twins::sparse_twin;
use crate::weights::{effective_keys, entropy, favourites};
use anyhow::{Context, Result};
use attn_common::fmt;
use ch04_self_attention::sentences::{Sentence, animal, journey};
use ch07_multi_head_attention::Mask;
use ch07_multi_head_attention::narrow::head_reach;
use ch07_multi_head_attention::worked::{HEAD_COUNTS, journey_stack};
use ch08_cross_attention::translation::hello_world;
use ch08_cross_attention::{cross_attention, worked::hello_world_layer};
use ndarray::{Array2, Array3, ArrayView1, Axis, stack};
use std::fmt::Write as _;

/// The width of the widest token, for aligned tables.
fn token_width(tokens: &[&str]) -> usize {
    tokens.iter().map(|t| t.len()).max().unwrap_or(0)
}

/// The position of `token` in `s`, or an error naming it.
fn position(s: &Sentence, token: &str) -> Result<usize> {
    s.index_of(token)
        .with_context(|| format!("\"{token}\" is not in the sentence"))
}

/// The mean of a vector.
fn mean(x: ArrayView1<f64>) -> f64 {
    x.sum() / x.len() as f64
}

/// The five hand-built patterns on example 4's sentence.
pub fn animal_patterns() -> Result<Vec<Pattern>> {
    patterns(&animal())
}

// ANCHOR: patterns
/// The five patterns on example 4's sentence: their causes, where the
/// query "it" looks in each, and how many keys a query reads.
pub fn pattern_table() -> Result<String> {
    let s = animal();
    let it = position(&s, "it")?;
    let mut text = String::new();
    writeln!(
        text,
        "sentence: {} (T = {})",
        s.tokens.join(" "),
        s.tokens.len()
    )?;
    writeln!(
        text,
        "eff. keys = exp(entropy of a row), averaged over the rows: 1 = \
         one key, {} = all keys equally\n",
        s.tokens.len()
    )?;
    writeln!(
        text,
        "{:<19} {:<24} {:<9} {:>7} {:>10}",
        "pattern", "cause", "\"it\" top", "weight", "eff. keys"
    )?;
    for p in animal_patterns()? {
        let (key, weight) = favourites(p.weights.view())[it];
        let eff = effective_keys(p.weights.view())?;
        writeln!(
            text,
            "{:<19} {:<24} {:<9} {:>7} {:>10}",
            p.name,
            p.cause,
            s.tokens[key],
            fmt::num(weight),
            fmt::num(mean(eff.view()))
        )?;
    }
    Ok(text)
}
// ANCHOR_END: patterns

/// What a colour scale hides: chapter 7's four random heads, their
/// spread, and how many of the six keys each row reads.
pub fn colour_scale() -> Result<String> {
    let s = journey();
    let out = journey_stack(Mask::None)?.forward(s.x.view())?;
    let t = s.tokens.len();
    let mut text = String::new();
    writeln!(
        text,
        "chapter 7's random heads on \"{}\" (T = {t})\nuniform weight \
         1/{t} = {}\n",
        s.tokens.join(" "),
        fmt::num(1.0 / t as f64)
    )?;
    writeln!(
        text,
        "{:<7} {:>9} {:>9} {:>10}  {:>16}",
        "head", "smallest", "largest", "max - min", "eff. keys (mean)"
    )?;
    let mut lo_all = f64::INFINITY;
    let mut hi_all = f64::NEG_INFINITY;
    for (h, w) in out.weights.axis_iter(Axis(0)).enumerate() {
        let lo = w.fold(f64::INFINITY, |m, &x| m.min(x));
        let hi = w.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        lo_all = lo_all.min(lo);
        hi_all = hi_all.max(hi);
        let eff = effective_keys(w)?;
        writeln!(
            text,
            "head {:<2} {:>9} {:>9} {:>10}  {:>16}",
            h + 1,
            fmt::num(lo),
            fmt::num(hi),
            fmt::num(hi - lo),
            fmt::num(mean(eff.view()))
        )?;
    }
    writeln!(
        text,
        "\nchapter 7's figure stretches {} .. {} over its whole colour bar;",
        fmt::num(lo_all),
        fmt::num(hi_all)
    )?;
    writeln!(
        text,
        "on a 0 .. 1 scale that range fills {} of the bar.",
        fmt::num(hi_all - lo_all)
    )?;
    let a = animal();
    writeln!(
        text,
        "\nuniform weight for T = {}: {}; for T = {}: {}",
        t,
        fmt::num(1.0 / t as f64),
        a.tokens.len(),
        fmt::num(1.0 / a.tokens.len() as f64)
    )?;
    Ok(text)
}

/// The two layers of the rollout example: chapter 4's pronoun-to-noun
/// map, then the previous-token pattern. Shape `(2, T, T)`.
pub fn rollout_layers() -> Result<Array3<f64>> {
    let all = animal_patterns()?;
    let find = |name: &str| {
        all.iter()
            .find(|p| p.name == name)
            .map(|p| p.weights.view())
            .with_context(|| format!("no pattern named {name}"))
    };
    // 2 x (T, T) -> (2, T, T)
    Ok(stack(
        Axis(0),
        &[find("pronoun to noun")?, find("previous token")?],
    )?)
}

// ANCHOR: rollout_animal
/// Attention rollout through two layers on example 4's sentence, for the
/// queries "it" and "was", next to each layer's own map.
pub fn rollout_animal() -> Result<String> {
    let s = animal();
    let layers = rollout_layers()?;
    let rolled = rollout(layers.view())?;
    let (a1, a2) =
        (layers.index_axis(Axis(0), 0), layers.index_axis(Axis(0), 1));
    let plain = a2.dot(&a1); // no residual: (T, T) x (T, T) -> (T, T)
    let mut text = String::new();
    writeln!(
        text,
        "layer 1: pronoun to noun (chapter 4's softmax(X X^T))"
    )?;
    writeln!(text, "layer 2: previous token (score 4 on key i - 1)")?;
    writeln!(text, "rollout = (0.5 I + 0.5 A_2)(0.5 I + 0.5 A_1)")?;
    writeln!(text, "no residual = A_2 A_1")?;
    let w = token_width(&s.tokens);
    for query in ["it", "was"] {
        let i = position(&s, query)?;
        writeln!(text, "\nquery \"{query}\" (position {i}):")?;
        writeln!(
            text,
            "{:<w$}  {:>7}  {:>7}  {:>7}  {:>11}",
            "key", "layer 1", "layer 2", "rollout", "no residual"
        )?;
        for (j, key) in s.tokens.iter().enumerate() {
            writeln!(
                text,
                "{key:<w$}   {}   {}   {}       {}",
                fmt::num(a1[[i, j]]),
                fmt::num(a2[[i, j]]),
                fmt::num(rolled[[i, j]]),
                fmt::num(plain[[i, j]])
            )?;
        }
    }
    let sums = rolled.sum_axis(Axis(1));
    writeln!(text, "\nrollout row sums: {}", fmt::vector(sums.view()))?;

    // The stack itself: each layer averages its input with what its
    // head reads, h <- 0.5 h + 0.5 A h, with the states as values.
    let mut h = s.x.clone(); // (T, d_in)
    for a in [a1, a2] {
        h = 0.5 * &h + 0.5 * &a.dot(&h); // (T, T) x (T, d_in) -> (T, d_in)
    }
    let direct = rolled.dot(&s.x); // (T, T) x (T, d_in) -> (T, d_in)
    let gap = h
        .iter()
        .zip(&direct)
        .fold(0.0_f64, |m, (p, q)| m.max((p - q).abs()));
    writeln!(
        text,
        "run the stack, h <- 0.5 h + 0.5 A h: top states equal R X \
         (largest gap below 1e-12): {}",
        if gap < 1e-12 { "yes" } else { "no" }
    )?;
    Ok(text)
}
// ANCHOR_END: rollout_animal

/// Chapter 5's weights on example 3 and their sparse twin, row by row,
/// with the values they mix. Returns `(A, A', V)`.
pub fn journey_twins() -> Result<(Array2<f64>, Array2<f64>, Array2<f64>)> {
    let s = journey();
    let layer = ch05_trainable_weights::worked::journey_layer()?;
    let a = layer.forward(s.x.view())?.weights;
    let v = layer.values(s.x.view())?; // (T, d_in) x (d_in, d_v) -> (T, d_v)
    let mut twin = Array2::zeros(a.dim());
    for (i, row) in a.rows().into_iter().enumerate() {
        twin.row_mut(i).assign(&sparse_twin(row, v.view())?);
    }
    Ok((a, twin, v))
}

// ANCHOR: twins
/// Two clearly different weight matrices with the same output: chapter
/// 5's weights on example 3, and a twin that uses at most three keys per
/// query.
pub fn twins() -> Result<String> {
    let s = journey();
    let (a, twin, v) = journey_twins()?;
    let (out_a, out_twin) = (a.dot(&v), twin.dot(&v)); // (T, T) x (T, d_v)
    let gap = |x: &Array2<f64>, y: &Array2<f64>| {
        x.iter()
            .zip(y)
            .fold(0.0_f64, |m, (p, q)| m.max((p - q).abs()))
    };
    let mut text = String::new();
    writeln!(
        text,
        "values V = X W_v (chapter 5's layer), shape {}: {} values in a \
         {}-dimensional space",
        attn_common::check::shape(&v),
        v.nrows(),
        v.ncols()
    )?;
    text += &fmt::matrix(v.view(), &s.tokens, &["V[0]", "V[1]"]);
    writeln!(text, "\nA: chapter 5's weights (row = query, column = key)")?;
    text += &fmt::matrix(a.view(), &s.tokens, &s.tokens);
    writeln!(text, "\nA': a twin with at most d_v + 1 = 3 keys per row")?;
    text += &fmt::matrix(twin.view(), &s.tokens, &s.tokens);
    writeln!(text, "\noutputs A V and A' V, side by side")?;
    let both = ndarray::concatenate(Axis(1), &[out_a.view(), out_twin.view()])?;
    text += &fmt::matrix(
        both.view(),
        &s.tokens,
        &["AV[0]", "AV[1]", "A'V[0]", "A'V[1]"],
    );
    writeln!(
        text,
        "\nlargest |A - A'|     = {}",
        fmt::num(gap(&a, &twin))
    )?;
    writeln!(
        text,
        "largest |A V - A' V| below 1e-12: {}",
        if gap(&out_a, &out_twin) < 1e-12 {
            "yes"
        } else {
            "no"
        }
    )?;
    let fav = |m: &Array2<f64>| -> Vec<&str> {
        favourites(m.view())
            .iter()
            .map(|&(j, _)| s.tokens[j])
            .collect()
    };
    writeln!(text, "favourite key per query, A:  {}", fav(&a).join(" "))?;
    writeln!(
        text,
        "favourite key per query, A': {}",
        fav(&twin).join(" ")
    )?;
    Ok(text)
}
// ANCHOR_END: twins

// ANCHOR: misconceptions
/// The four misconceptions, each answered with a number.
pub fn misconceptions() -> Result<String> {
    let s = animal();
    let it = position(&s, "it")?;
    let pronoun = animal_patterns()?
        .into_iter()
        .find(|p| p.name == "pronoun to noun")
        .context("the pronoun pattern")?;
    let w = pronoun.weights.row(it);
    let out = w.dot(&s.x); // (T,) x (T, d_in) -> (d_in,)
    let mut text = String::new();

    writeln!(text, "1. \"It is just a weighted average.\"")?;
    writeln!(
        text,
        "   output of \"it\" = sum_j w_j x_j = {}",
        fmt::vector(out.view())
    )?;
    let lo = s.x.fold_axis(Axis(0), f64::INFINITY, |m, &x| m.min(x));
    let hi = s.x.fold_axis(Axis(0), f64::NEG_INFINITY, |m, &x| m.max(x));
    writeln!(
        text,
        "   smallest value per feature = {}",
        fmt::vector(lo.view())
    )?;
    writeln!(
        text,
        "   largest value per feature  = {}",
        fmt::vector(hi.view())
    )?;
    writeln!(text, "   weights sum to {}", fmt::num(w.sum()))?;

    writeln!(text, "\n2. \"It always picks the most important word.\"")?;
    let (top, top_w) = favourites(pronoun.weights.view())[it];
    writeln!(
        text,
        "   \"it\" gives {} to \"{}\" and {} to the other {} keys",
        fmt::num(top_w),
        s.tokens[top],
        fmt::num(1.0 - top_w),
        s.tokens.len() - 1
    )?;
    writeln!(
        text,
        "   it reads {} keys' worth (exp of entropy {})",
        fmt::num(entropy(w).exp()),
        fmt::num(entropy(w))
    )?;
    let sink = animal_patterns()?
        .into_iter()
        .find(|p| p.name == "first token (sink)")
        .context("the sink pattern")?;
    let (sink_key, sink_w) = favourites(sink.weights.view())[it];
    writeln!(
        text,
        "   with a sink, \"it\" gives {} to \"{}\", a word with no content",
        fmt::num(sink_w),
        s.tokens[sink_key]
    )?;

    writeln!(text, "\n3. \"More attention means more importance.\"")?;
    writeln!(
        text,
        "   drop one key from \"it\", renormalise, and measure how far the \
         output moves"
    )?;
    let width = token_width(&s.tokens);
    writeln!(text, "   {:<width$}  weight  moves by", "key")?;
    let mut moves = Vec::new();
    for j in 0..s.tokens.len() {
        let mut kept = w.to_owned();
        kept[j] = 0.0;
        let kept = &kept / kept.sum();
        let shift = (&kept.dot(&s.x) - &out).mapv(|d| d * d).sum().sqrt();
        moves.push(shift);
    }
    let mut order: Vec<usize> = (0..s.tokens.len()).collect();
    order.sort_by(|&a, &b| w[b].total_cmp(&w[a]));
    for &j in order.iter().take(4) {
        writeln!(
            text,
            "   {:<width$}  {}  {}",
            s.tokens[j],
            fmt::num(w[j]),
            fmt::num(moves[j])
        )?;
    }

    writeln!(
        text,
        "\n4. \"More heads is always better.\" (chapter 7, d_model = 64, \
         T = 16)"
    )?;
    let reach = head_reach(64, 16, &HEAD_COUNTS, 2024)?;
    for r in reach.iter().filter(|r| [1, 8, 64].contains(&r.n_heads)) {
        writeln!(
            text,
            "   n_heads = {:>2}, d_head = {:>2}: score rank {:>2}, \
             distinct favourite keys {}",
            r.n_heads,
            r.d_head,
            r.max_score_rank,
            fmt::num(r.mean_favourite_keys)
        )?;
    }
    Ok(text)
}
// ANCHOR_END: misconceptions

/// The hand-built patterns as a head view, one "head" per pattern.
pub fn patterns_view() -> Result<HeadView> {
    let s = animal();
    let heads = animal_patterns()?
        .into_iter()
        .map(|p| (p.name.to_string(), p.weights))
        .collect();
    HeadView::new("Five hand-built patterns", &s.tokens, &s.tokens, heads)
}

/// Chapter 7's four random heads on example 3 as a head view.
pub fn ch07_view() -> Result<HeadView> {
    let s = journey();
    let out = journey_stack(Mask::None)?.forward(s.x.view())?;
    let heads = out
        .weights
        .axis_iter(Axis(0))
        .enumerate()
        .map(|(h, w)| (format!("head {}", h + 1), w.to_owned()))
        .collect();
    HeadView::new(
        "Chapter 7: four random heads (seed 7)",
        &s.tokens,
        &s.tokens,
        heads,
    )
}

/// Chapter 8's alignment of "Bonjour monde" with "Hello world </s>", with
/// and without chapter 5's projections, as a head view.
pub fn ch08_view() -> Result<HeadView> {
    let t = hello_world();
    let plain = cross_attention(t.decoder.view(), t.encoder.view())?;
    let projected =
        hello_world_layer()?.forward(t.decoder.view(), t.encoder.view())?;
    HeadView::new(
        "Chapter 8: French queries, English keys",
        &t.decoder_tokens,
        &t.encoder_tokens,
        vec![
            ("embeddings alone".to_string(), plain.weights),
            ("chapter 5's projections".to_string(), projected.weights),
        ],
    )
}

/// The JSON of [`patterns_view`].
pub fn headview_patterns() -> Result<String> {
    Ok(patterns_view()?.to_json())
}

/// The JSON of [`ch07_view`].
pub fn headview_ch07() -> Result<String> {
    Ok(ch07_view()?.to_json())
}

/// The JSON of [`ch08_view`].
pub fn headview_ch08() -> Result<String> {
    Ok(ch08_view()?.to_json())
}
