//! The worked examples chapter 7 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::fused::MultiHeadAttention;
use crate::heads::Mask;
use crate::narrow::{head_count_costs, head_reach};
use crate::params::{
    full_width_heads_count, parameter_breakdown, score_entries, with_commas,
};
use crate::stack::HeadStack;
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch04_self_attention::sentences::journey;
use ndarray::{Array3, Axis, s, stack};
use std::fmt::Write as _;

/// The seed of every random layer in the journey examples.
pub const JOURNEY_SEED: u64 = 7;

/// The journey examples' layer: `d_in = 3`, `d_out = 8`, four heads of
/// width 2.
pub const JOURNEY_SHAPE: (usize, usize, usize) = (3, 8, 4);

/// The stack of four random heads the journey examples use, drawn from
/// `SplitMix64::new(JOURNEY_SEED)`.
pub fn journey_stack(mask: Mask) -> Result<HeadStack> {
    let (d_in, d_out, n_heads) = JOURNEY_SHAPE;
    let mut rng = SplitMix64::new(JOURNEY_SEED);
    HeadStack::random(d_in, d_out, n_heads, mask, &mut rng)
}

/// Column labels `h1.1, h1.2, h2.1, ...`: head, then column within it.
fn head_columns(n_heads: usize, d_head: usize) -> Vec<String> {
    (1..=n_heads)
        .flat_map(|h| (1..=d_head).map(move |c| format!("h{h}.{c}")))
        .collect()
}

// ANCHOR: journey_heads
/// Four random heads read "Your journey starts with one step": the
/// weights of one query in every head, the heads' contexts side by side,
/// and the output after `W_o`.
pub fn journey_heads() -> Result<String> {
    let sentence = journey();
    let layer = journey_stack(Mask::None)?;
    let out = layer.forward(sentence.x.view())?;
    let (n_heads, d_head) = (layer.n_heads(), layer.d_head());
    let mut text = String::new();
    writeln!(
        text,
        "x: (T, d_in) = {}, n_heads = {n_heads}, d_out = {}, so d_head = \
         {} / {n_heads} = {d_head}",
        attn_common::check::shape(&sentence.x),
        layer.d_out(),
        layer.d_out(),
    )?;
    writeln!(
        text,
        "every head: W_q, W_k, W_v of (d_in, d_head) = ({}, {d_head}); \
         W_o: {}",
        layer.d_in(),
        attn_common::check::shape(&layer.w_o()),
    )?;
    let query = 1; // "journey"
    // (n_heads, T, T) -> (n_heads, T)
    let rows = out.weights.slice(s![.., query, ..]);
    let names: Vec<String> =
        (1..=n_heads).map(|h| format!("head {h}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    writeln!(
        text,
        "\nweights of the query \"{}\" in each head:",
        sentence.tokens[query]
    )?;
    write!(text, "{}", fmt::matrix(rows, &names, &sentence.tokens))?;
    writeln!(text, "\nsmallest and largest of each head's T x T weights:")?;
    for (name, w) in names.iter().zip(out.weights.axis_iter(Axis(0))) {
        let lo = w.fold(f64::INFINITY, |m, &x| m.min(x));
        let hi = w.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        writeln!(text, "{name}   {}   {}", fmt::num(lo), fmt::num(hi))?;
    }
    let columns = head_columns(n_heads, d_head);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    writeln!(
        text,
        "\nheads' contexts side by side, {}:",
        attn_common::check::shape(&out.concatenated)
    )?;
    write!(
        text,
        "{}",
        fmt::matrix(out.concatenated.view(), &sentence.tokens, &columns)
    )?;
    writeln!(
        text,
        "\noutput = side by side x W_o, {}:",
        attn_common::check::shape(&out.context)
    )?;
    write!(
        text,
        "{}",
        fmt::matrix(out.context.view(), &sentence.tokens, &[])
    )?;
    Ok(text)
}
// ANCHOR_END: journey_heads

/// The largest absolute difference between two arrays of one shape.
fn largest_gap<D: ndarray::Dimension>(
    a: ndarray::ArrayView<f64, D>,
    b: ndarray::ArrayView<f64, D>,
) -> f64 {
    a.iter()
        .zip(b.iter())
        .fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

// ANCHOR: two_ways
/// The journey layer built both ways from the same weights, run on a
/// batch of two sequences (the sentence, and the sentence backwards),
/// with and without the causal mask.
pub fn two_ways() -> Result<String> {
    let sentence = journey();
    let mut text = String::new();
    let stack_layer = journey_stack(Mask::None)?;
    let fused = MultiHeadAttention::from_stack(&stack_layer)?;
    let d_head = fused.d_head();
    writeln!(text, "head 1's W_q, (d_in, d_head):")?;
    let head_1 = stack_layer.heads()[0].w_q();
    write!(text, "{}", fmt::matrix(head_1, &[], &[]))?;
    writeln!(text, "\nhead 2's W_q, (d_in, d_head):")?;
    let head_2 = stack_layer.heads()[1].w_q();
    write!(text, "{}", fmt::matrix(head_2, &[], &[]))?;
    let columns = head_columns(fused.n_heads(), d_head);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    writeln!(
        text,
        "\nfused W_q, (d_in, d_out) = {}: the heads' W_q side by side",
        attn_common::check::shape(&fused.w_q())
    )?;
    write!(text, "{}", fmt::matrix(fused.w_q(), &[], &columns))?;

    let backwards = sentence.x.slice(s![..;-1, ..]);
    // 2 x (T, d_in) -> (B, T, d_in)
    let x: Array3<f64> = stack(Axis(0), &[sentence.x.view(), backwards])?;
    let (b, t, _) = x.dim();
    let (n_heads, d_out) = (fused.n_heads(), fused.d_out());
    writeln!(
        text,
        "\nbatch x: (B, T, d_in) = {}",
        attn_common::check::shape(&x)
    )?;
    writeln!(
        text,
        "Q = x W_q: (B, T, d_out) = ({b}, {t}, {d_out}) \
         -> (B, T, n_heads, d_head) = ({b}, {t}, {n_heads}, {d_head})"
    )?;
    writeln!(
        text,
        "           -> (B, n_heads, T, d_head) = ({b}, {n_heads}, {t}, \
         {d_head})"
    )?;
    for mask in [Mask::None, Mask::Causal] {
        let stack_layer = journey_stack(mask)?;
        let fused = MultiHeadAttention::from_stack(&stack_layer)?;
        let all = fused.forward_batch(x.view())?;
        let mut gap: f64 = 0.0;
        for (i, seq) in x.axis_iter(Axis(0)).enumerate() {
            let one = stack_layer.forward(seq)?;
            let w = all.weights.index_axis(Axis(0), i);
            let o = all.context.index_axis(Axis(0), i);
            gap = gap.max(largest_gap(w, one.weights.view()));
            gap = gap.max(largest_gap(o, one.context.view()));
        }
        let name = match mask {
            Mask::None => "no mask",
            Mask::Causal => "causal",
        };
        writeln!(
            text,
            "\n{name}: weights {}, output {}",
            attn_common::check::shape(&all.weights),
            attn_common::check::shape(&all.context),
        )?;
        writeln!(
            text,
            "  largest |stack - fused| = {} (below 1e-12: {})",
            fmt::num(gap),
            if gap < 1e-12 { "yes" } else { "no" }
        )?;
        let first = all.weights.slice(s![0, 0, .., ..]); // head 1, sentence 1
        writeln!(text, "  head 1's weights for sentence 1:")?;
        for line in
            fmt::matrix(first, &sentence.tokens, &sentence.tokens).lines()
        {
            writeln!(text, "  {line}")?;
        }
    }
    Ok(text)
}
// ANCHOR_END: two_ways

// ANCHOR: gpt2_parameters
/// The attention layer of GPT-2 small, counted matrix by matrix, and what
/// the context length changes (the scores) and does not (the weights).
pub fn gpt2_parameters() -> Result<String> {
    let (d_model, n_heads) = (768, 12);
    let d_head = crate::heads::head_width(d_model, n_heads)?;
    let count = parameter_breakdown(d_model, d_model, n_heads, true)?;
    let mut text = String::new();
    writeln!(
        text,
        "GPT-2 small, one attention layer: d_model = {d_model}, n_heads = \
         {n_heads}, d_head = {d_model} / {n_heads} = {d_head}\n"
    )?;
    let rows = [
        ("W_q, W_k, W_v", "3 x (768, 768)", count.projections),
        ("b_q, b_k, b_v", "3 x (768,)", count.projection_biases),
        ("W_o", "(768, 768)", count.output),
        ("b_o", "(768,)", count.output_bias),
    ];
    for (name, shape, n) in rows {
        writeln!(text, "{name:<14} {shape:<15} {:>10}", with_commas(n))?;
    }
    writeln!(text, "{:<30} {:>10}", "total", with_commas(count.total()))?;
    let no_bias = parameter_breakdown(d_model, d_model, n_heads, false)?;
    writeln!(
        text,
        "{:<30} {:>10}",
        "total without biases",
        with_commas(no_bias.total())
    )?;

    writeln!(text, "\ncontext length T: weights and scores per sequence")?;
    writeln!(
        text,
        "{:>6}  {:>10}  {:>16}  {:>16}",
        "T", "weights", "one head's T x T", "all 12 heads"
    )?;
    for t in [1024, 2048] {
        writeln!(
            text,
            "{t:>6}  {:>10}  {:>16}  {:>16}",
            with_commas(count.total()),
            with_commas(score_entries(1, t)),
            with_commas(score_entries(n_heads, t)),
        )?;
    }

    let naive = full_width_heads_count(d_model, d_model, n_heads, true)?;
    writeln!(
        text,
        "\nif every head got the full d_out = {d_model} instead of \
         d_head = {d_head}:"
    )?;
    writeln!(
        text,
        "  concatenated width: {n_heads} x {d_model} = {} instead of {d_model}",
        n_heads * d_model
    )?;
    writeln!(
        text,
        "  {:<26} {:>10}",
        "W_q, W_k, W_v of 12 heads",
        with_commas(naive.projections)
    )?;
    writeln!(
        text,
        "  {:<26} {:>10}",
        "W_o (9216, 768)",
        with_commas(naive.output)
    )?;
    writeln!(
        text,
        "  {:<26} {:>10}",
        "biases",
        with_commas(naive.projection_biases + naive.output_bias)
    )?;
    writeln!(
        text,
        "  {:<26} {:>10}  ({} times the real layer)",
        "total",
        with_commas(naive.total()),
        fmt::num(naive.total() as f64 / count.total() as f64)
    )?;
    Ok(text)
}
// ANCHOR_END: gpt2_parameters

/// The head counts the experiment tries.
pub const HEAD_COUNTS: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

// ANCHOR: head_count
/// The head-count experiment: what changes as a layer of fixed width is
/// cut into more and narrower heads.
pub fn head_count() -> Result<String> {
    let (d_model, t) = (768, 1024);
    let mut text = String::new();
    writeln!(text, "d_model = {d_model}, T = {t}, biases included\n")?;
    writeln!(
        text,
        "{:>7}  {:>6}  {:>10}  {:>14}  {:>12}",
        "n_heads", "d_head", "weights", "QK^T mult-adds", "score entries"
    )?;
    for c in head_count_costs(d_model, t, &HEAD_COUNTS)? {
        writeln!(
            text,
            "{:>7}  {:>6}  {:>10}  {:>14}  {:>12}",
            c.n_heads,
            c.d_head,
            with_commas(c.parameters),
            with_commas(c.score_multiply_adds),
            with_commas(c.score_entries),
        )?;
    }

    let (d_small, t_small, seed) = (64, 16, 2024);
    writeln!(
        text,
        "\nwhat one head can express: d_model = {d_small}, T = {t_small} \
         random tokens (seed {seed})\n"
    )?;
    writeln!(
        text,
        "{:>7}  {:>6}  {:>16}  {:>21}",
        "n_heads", "d_head", "rank of a head's", "distinct favourite"
    )?;
    writeln!(
        text,
        "{:>7}  {:>6}  {:>16}  {:>21}",
        "", "", "T x T scores", "keys (mean per head)"
    )?;
    for r in head_reach(d_small, t_small, &HEAD_COUNTS, seed)? {
        writeln!(
            text,
            "{:>7}  {:>6}  {:>16}  {:>21}",
            r.n_heads,
            r.d_head,
            r.max_score_rank,
            fmt::num(r.mean_favourite_keys),
        )?;
    }
    Ok(text)
}
// ANCHOR_END: head_count
