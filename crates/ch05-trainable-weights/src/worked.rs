//! The worked examples chapter 5 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::projections::journey_projections;
use crate::scaling::{KEYS, PAIRS, SCALING_SEED, TRIALS, measured};
use crate::self_attention::SelfAttention;
use anyhow::{Context, Result};
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{Scale, attend};
use ch04_self_attention::sentences::{Sentence, journey};
use ndarray::{Axis, s};
use std::fmt::Write as _;

/// The seed of the random layer in [`reproducible_init`].
pub const INIT_SEED: u64 = 123;

/// How close two computations of the same number must be to count as
/// equal (the same products, added in a different order).
const SAME: f64 = 1e-12;

/// Example 3's layer: the fixed projections from [`journey_projections`].
pub fn journey_layer() -> Result<SelfAttention> {
    let (w_q, w_k, w_v) = journey_projections();
    SelfAttention::new(w_q, w_k, w_v)
}

/// The width of the widest token, for aligned tables.
fn token_width(s: &Sentence) -> usize {
    s.tokens.iter().map(|t| t.len()).max().unwrap_or(0)
}

/// The projections of example 3, printed as three small matrices.
pub fn journey_weights() -> Result<String> {
    let layer = journey_layer()?;
    let rows = ["x[0]", "x[1]", "x[2]"];
    let mut out = String::new();
    writeln!(
        out,
        "d_in = {}, d_out = d_k = d_v = {}; row = input feature\n",
        layer.d_in(),
        layer.d_out()
    )?;
    for (name, w) in [
        ("W_q", layer.w_q()),
        ("W_k", layer.w_k()),
        ("W_v", layer.w_v()),
    ] {
        writeln!(out, "{name}:")?;
        write!(out, "{}", fmt::matrix(w, &rows, &[]))?;
    }
    Ok(out)
}

// ANCHOR: journey_one_query
/// Example 3 with trainable weights, one query: "journey" (token 2)
/// projected, scored against every key, scaled, normalised and mixed.
pub fn journey_one_query() -> Result<String> {
    let s = journey();
    let layer = journey_layer()?;
    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    let q = layer.queries(s.x.view())?; // (T, d_in) x (d_in, d_k) -> (T, d_k)
    let k = layer.keys(s.x.view())?; // (T, d_in) x (d_in, d_k) -> (T, d_k)
    let v = layer.values(s.x.view())?; // (T, d_in) x (d_in, d_v) -> (T, d_v)
    let d_k = layer.d_out();
    let raw = k.dot(&q.row(i)); // (T, d_k) x (d_k,) -> (T,)
    let step = attend(q.row(i), k.view(), v.view(), Scale::InvSqrtDk)?;
    let w = token_width(&s);
    let mut out = String::new();
    writeln!(out, "x_2 = \"journey\" = {}", fmt::vector(s.x.row(i)))?;
    writeln!(out, "\nstep 1: project every token")?;
    writeln!(
        out,
        "  query of journey  q_2 = x_2 W_q = {}",
        fmt::vector(q.row(i))
    )?;
    writeln!(
        out,
        "  {:<w$}  key k_j = x_j W_k    value v_j = x_j W_v",
        ""
    )?;
    for (j, token) in s.tokens.iter().enumerate() {
        writeln!(
            out,
            "  {token:<w$}  {}  {}",
            fmt::vector(k.row(j)),
            fmt::vector(v.row(j))
        )?;
    }
    let factor = Scale::InvSqrtDk.factor(d_k);
    writeln!(
        out,
        "\nsteps 2 and 3: score q_2 . k_j, scale, softmax\n  \
         scale = 1/sqrt(d_k) = 1/sqrt({d_k}) = {}",
        fmt::num(factor)
    )?;
    writeln!(out, "  {:<w$}   score   scaled  weight", "")?;
    for (j, token) in s.tokens.iter().enumerate() {
        writeln!(
            out,
            "  {token:<w$}  {}  {}  {}",
            fmt::num(raw[j]),
            fmt::num(step.scores[j]),
            fmt::num(step.weights[j])
        )?;
    }
    writeln!(
        out,
        "  {:<w$}                  {}",
        "sum",
        fmt::num(step.weights.sum())
    )?;
    writeln!(
        out,
        "\nstep 4: context z_2 = sum_j weight_j v_j = {}",
        fmt::vector(step.output.view())
    )?;
    Ok(out)
}
// ANCHOR_END: journey_one_query

// ANCHOR: journey_all
/// Example 3 with trainable weights, all six queries at once through
/// [`SelfAttention::forward`].
pub fn journey_all() -> Result<String> {
    let s = journey();
    let layer = journey_layer()?;
    let q = layer.queries(s.x.view())?; // (6, 3) x (3, 2) -> (6, 2)
    let k = layer.keys(s.x.view())?; // (6, 3) x (3, 2) -> (6, 2)
    let v = layer.values(s.x.view())?; // (6, 3) x (3, 2) -> (6, 2)
    let out = layer.forward(s.x.view())?;
    let raw = q.dot(&k.t()); // (6, 2) x (2, 6) -> (6, 6)
    let t = &s.tokens;
    let mut text = String::new();
    writeln!(text, "Q = X W_q, K = X W_k, V = X W_v, shape (6, 2) each")?;
    let mut qkv = ndarray::Array2::zeros((6, 6));
    qkv.slice_mut(s![.., 0..2]).assign(&q);
    qkv.slice_mut(s![.., 2..4]).assign(&k);
    qkv.slice_mut(s![.., 4..6]).assign(&v);
    write!(
        text,
        "{}",
        fmt::matrix(
            qkv.view(),
            t,
            &["Q[0]", "Q[1]", "K[0]", "K[1]", "V[0]", "V[1]"]
        )
    )?;
    writeln!(
        text,
        "\nscores = Q K^T, shape (6, 6); row = query, column = key"
    )?;
    write!(text, "{}", fmt::matrix(raw.view(), t, t))?;
    writeln!(text, "\nweights = softmax of each row of scores / sqrt(2)")?;
    write!(text, "{}", fmt::matrix(out.weights.view(), t, t))?;
    let sums = out.weights.sum_axis(Axis(1));
    writeln!(text, "row sums = {}", fmt::vector(sums.view()))?;
    writeln!(text, "\ncontext = weights V, shape (6, 2)")?;
    write!(text, "{}", fmt::matrix(out.context.view(), t, &[]))?;
    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    let one = attend(q.row(i), k.view(), v.view(), Scale::InvSqrtDk)?;
    let same = one
        .output
        .iter()
        .zip(out.context.row(i))
        .all(|(a, b)| (a - b).abs() < SAME);
    writeln!(
        text,
        "\nrow 2 equals the one-query context {} to within 1e-12: {same}",
        fmt::vector(one.output.view())
    )?;
    Ok(text)
}
// ANCHOR_END: journey_all

// ANCHOR: learned_vs_computed
/// The same layer on two inputs: the learned matrices stay put, the
/// attention weights are computed afresh.
pub fn learned_vs_computed() -> Result<String> {
    let layer = journey_layer()?;
    let full = journey();
    let short = Sentence {
        tokens: full.tokens[..4].to_vec(),
        x: full.x.slice(s![..4, ..]).to_owned(),
    };
    let mut text = String::new();
    writeln!(
        text,
        "learned: W_q, W_k, W_v, shape ({}, {}) each, {} numbers in all,\n\
         fixed after training, the same for every input",
        layer.d_in(),
        layer.d_out(),
        3 * layer.d_in() * layer.d_out()
    )?;
    for s in [&full, &short] {
        let out = layer.forward(s.x.view())?;
        let i = s
            .index_of("journey")
            .context("journey is in the sentence")?;
        let q = layer.queries(s.x.view())?;
        writeln!(
            text,
            "\ninput \"{}\", T = {}",
            s.tokens.join(" "),
            s.tokens.len()
        )?;
        writeln!(text, "  query of journey     {}", fmt::vector(q.row(i)))?;
        writeln!(
            text,
            "  attention weights    shape {}",
            attn_common::check::shape(&out.weights)
        )?;
        writeln!(
            text,
            "  weights of journey   {}",
            fmt::vector(out.weights.row(i))
        )?;
        writeln!(
            text,
            "  context of journey   {}",
            fmt::vector(out.context.row(i))
        )?;
    }
    Ok(text)
}
// ANCHOR_END: learned_vs_computed

// ANCHOR: reproducible_init
/// Random layers from a seeded generator: the same seed rebuilds the same
/// weights, another seed gives others.
pub fn reproducible_init() -> Result<String> {
    let (d_in, d_out) = (3, 2);
    let first =
        SelfAttention::random(d_in, d_out, &mut SplitMix64::new(INIT_SEED))?;
    let again =
        SelfAttention::random(d_in, d_out, &mut SplitMix64::new(INIT_SEED))?;
    let other = SelfAttention::random(
        d_in,
        d_out,
        &mut SplitMix64::new(INIT_SEED + 1),
    )?;
    let rows = ["x[0]", "x[1]", "x[2]"];
    let mut text = String::new();
    writeln!(
        text,
        "SelfAttention::random({d_in}, {d_out}, rng)\n\
         entries uniform in [-b, b), b = 1/sqrt({d_in}) = {b}",
        b = fmt::num(1.0 / (d_in as f64).sqrt())
    )?;
    for (label, layer) in [
        (format!("seed {INIT_SEED}"), &first),
        (format!("seed {INIT_SEED} again"), &again),
        (format!("seed {}", INIT_SEED + 1), &other),
    ] {
        writeln!(text, "\n{label}: W_q =")?;
        write!(text, "{}", fmt::matrix(layer.w_q(), &rows, &[]))?;
    }
    writeln!(
        text,
        "\nseed {INIT_SEED} twice: W_q, W_k, W_v all equal: {}",
        first == again
    )?;
    writeln!(
        text,
        "seed {INIT_SEED} vs seed {}: W_q, W_k, W_v all equal: {}",
        INIT_SEED + 1,
        first == other
    )?;
    let s = journey();
    let i = s
        .index_of("journey")
        .context("journey is in the sentence")?;
    for (label, layer) in [(INIT_SEED, &first), (INIT_SEED + 1, &other)] {
        let out = layer.forward(s.x.view())?;
        writeln!(
            text,
            "weights of \"journey\", seed {label}: {}",
            fmt::vector(out.weights.row(i))
        )?;
    }
    Ok(text)
}
// ANCHOR_END: reproducible_init

// ANCHOR: scaling_variance
/// The variance of raw and scaled dot products of random vectors, for
/// every width in [`crate::scaling::WIDTHS`].
pub fn scaling_variance() -> Result<String> {
    let rows = measured()?;
    let mut text = String::new();
    writeln!(
        text,
        "q and k with standard normal entries; {PAIRS} pairs per d_k;\n\
         generator SplitMix64, seed {SCALING_SEED}\n"
    )?;
    writeln!(text, "  d_k     Var(q.k)  Var(q.k / sqrt(d_k))")?;
    for row in rows {
        writeln!(
            text,
            "{:>5}  {:>11}  {:>20}",
            row.d_k,
            fmt::num(row.variance_unscaled),
            fmt::num(row.variance_scaled)
        )?;
    }
    Ok(text)
}
// ANCHOR_END: scaling_variance

// ANCHOR: scaling_saturation
/// The largest softmax weight over random keys, raw and scaled, and how
/// strongly that weight still responds to its own score.
pub fn scaling_saturation() -> Result<String> {
    let rows = measured()?;
    let mut text = String::new();
    writeln!(
        text,
        "one query against {KEYS} keys, averaged over {TRIALS} queries per \
         d_k;\nsame generator (SplitMix64, seed {SCALING_SEED}); \
         uniform weight 1/{KEYS} = {}\n",
        fmt::num(1.0 / KEYS as f64)
    )?;
    writeln!(text, "         largest weight w_max    w_max (1 - w_max)")?;
    writeln!(text, "  d_k    unscaled    scaled    unscaled    scaled")?;
    for row in rows {
        writeln!(
            text,
            "{:>5}  {:>10}  {:>8}  {:>10}  {:>8}",
            row.d_k,
            fmt::num(row.unscaled.max_weight),
            fmt::num(row.scaled.max_weight),
            fmt::num(row.unscaled.slope),
            fmt::num(row.scaled.slope)
        )?;
    }
    Ok(text)
}
// ANCHOR_END: scaling_saturation

// ANCHOR: errors
/// What the layer says when its input is wrong: one message per mistake.
pub fn errors() -> Result<String> {
    let layer = journey_layer()?;
    let (w_q, w_k, _) = journey_projections();
    let mut nan = journey().x;
    nan[[3, 1]] = f64::NAN;
    let cases: [(&str, anyhow::Error); 4] = [
        (
            "a token with 4 features instead of 3",
            layer
                .forward(ndarray::Array2::ones((6, 4)).view())
                .err()
                .context("a (6, 4) input must fail")?,
        ),
        (
            "W_v with 4 columns instead of 2",
            SelfAttention::new(w_q, w_k, ndarray::Array2::ones((3, 4)))
                .err()
                .context("mismatched projections must fail")?,
        ),
        (
            "an empty sequence",
            layer
                .forward(ndarray::Array2::zeros((0, 3)).view())
                .err()
                .context("an empty input must fail")?,
        ),
        (
            "a NaN in the embedding of \"with\"",
            layer.forward(nan.view()).err().context("a NaN must fail")?,
        ),
    ];
    let mut text = String::new();
    for (what, err) in cases {
        writeln!(text, "{what}:\n  {err}\n")?;
    }
    Ok(text.trim_end().to_string() + "\n")
}
// ANCHOR_END: errors
