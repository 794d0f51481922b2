//! The worked examples: the exact text the chapter shows. Everything
//! about the trained model reads the committed run ([`store::committed`]),
//! so these texts never retrain.

use crate::data::batch;
use crate::gradcheck::{H, gradient_check};
use crate::model::{Config, Params, forward};
use crate::scores::{Evaluation, best_head, evaluate_ablated};
use crate::store;
use crate::train::{CHAPTER, Run, held_out, train};
use anyhow::{Context, Result};
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch11_seeing_attention::headview::HeadView;
use std::fmt::Write as _;

/// The step at which the loss on the repeated half first falls below the
/// midpoint between its first and its last evaluated value.
///
/// # Shapes
/// - `evals`: `(step, evaluation)` in training order
pub fn phase_change(evals: &[(usize, Evaluation)]) -> usize {
    let (Some(first), Some(last)) = (evals.first(), evals.last()) else {
        return 0;
    };
    let mid = 0.5 * (first.1.repeated + last.1.repeated);
    evals
        .iter()
        .find(|(_, e)| e.repeated < mid)
        .map_or(0, |(step, _)| *step)
}

/// The token ids as letters: 0 is `A`, 1 is `B`, ...
pub fn letters(tokens: &[usize]) -> Vec<String> {
    tokens
        .iter()
        .map(|&t| char::from(b'A' + (t % 26) as u8).to_string())
        .collect()
}

/// The heads by name, `L1 H1`, ...
fn head_name(l: usize, h: usize) -> String {
    format!("L{} H{}", l + 1, h + 1)
}

/// The sizes of the chapter's model and how many numbers it learns.
pub fn model_size() -> Result<String> {
    let run = store::committed()?;
    let c = run.params.config;
    let mut out = String::new();
    writeln!(
        out,
        "vocabulary V = {}, halves of {} to {} tokens (T up to {})",
        c.vocab,
        CHAPTER.min_half,
        c.half,
        c.seq_len()
    )?;
    writeln!(
        out,
        "d_model = {}, n_heads = {} per layer, d_k = {}, 2 layers",
        c.d_model, c.n_heads, c.d_head
    )?;
    let mut shapes = Vec::new();
    for (name, w) in run.params.named() {
        if name == "embed" || name == "pos" || name.starts_with("L1.H1") {
            shapes.push(format!("{name} {:?}", w.dim()));
        }
    }
    writeln!(
        out,
        "matrices: {}, ... (each head alike), unembed {:?}",
        shapes.join(", "),
        run.params.unembed.dim()
    )?;
    writeln!(out, "parameters: {}", fmt::count(run.params.count() as u64))?;
    writeln!(
        out,
        "training: Adam (lr {}), {} steps of {} fresh sequences, seed {}",
        CHAPTER.lr, CHAPTER.steps, CHAPTER.batch, CHAPTER.seed
    )?;
    write!(
        out,
        "loss of a uniform guess, ln V = {}",
        fmt::num((c.vocab as f64).ln())
    )?;
    Ok(out)
}

/// The gradient check on a small random model, every parameter.
pub fn gradient_check_report() -> Result<String> {
    let config = Config {
        vocab: 5,
        half: 3,
        d_model: 6,
        n_heads: 2,
        d_head: 3,
    };
    let mut rng = SplitMix64::new(1515);
    let params = Params::random(config, &mut rng)?;
    let data = batch(config.vocab, (2, 3), 3, &mut rng)?;
    let report = gradient_check(&params, &data)?;
    let mut out = format!(
        "central differences, h = {H:e}, on a model with V = 5, \
         d_model = 6, 2 heads of d_k = 3 ({} parameters)\n",
        params.count()
    );
    let mut worst = 0.0f64;
    let mut entries = 0;
    for c in &report {
        writeln!(
            out,
            "{:<10} {:>3} entries  rel. error {:.1e}",
            c.name, c.entries, c.rel
        )?;
        worst = worst.max(c.rel);
        entries += c.entries;
    }
    write!(
        out,
        "all {entries} entries checked; worst relative error: {worst:.1e}"
    )?;
    Ok(out)
}

/// The curves at a few steps, the phase change and the final scores.
pub fn training_report() -> Result<String> {
    let run = store::committed()?;
    let mut out = String::from(
        " step  loss, first half  loss, repeated half  \
         prev. (L1 best)  induction (L2 best)\n",
    );
    for (step, e) in &run.evals {
        if step % 150 != 0 {
            continue;
        }
        let prev = e.prev[0].iter().fold(0.0f64, |m, &x| m.max(x));
        let ind = e.induction[1].iter().fold(0.0f64, |m, &x| m.max(x));
        writeln!(
            out,
            "{step:>5}  {:>16}  {:>19}  {:>15}  {:>19}",
            fmt::num(e.first_half),
            fmt::num(e.repeated),
            fmt::num(prev),
            fmt::num(ind)
        )?;
    }
    write!(
        out,
        "phase change (repeated-half loss first below the midpoint of its \
         start and end): step {}",
        phase_change(&run.evals)
    )?;
    Ok(out)
}

fn final_eval(run: &Run) -> Result<&Evaluation> {
    Ok(&run.evals.last().context("the run has no evaluation")?.1)
}

/// Every head's final scores on the held-out set.
pub fn head_scores() -> Result<String> {
    let run = store::committed()?;
    let e = final_eval(&run)?;
    let mut out = String::from("head    previous-token  induction\n");
    for l in 0..e.prev.len() {
        for h in 0..e.prev[l].len() {
            writeln!(
                out,
                "{}   {:>14}  {:>9}",
                head_name(l, h),
                fmt::num(e.prev[l][h]),
                fmt::num(e.induction[l][h])
            )?;
        }
    }
    let (p, i) = (best_head(&e.prev, 0), best_head(&e.induction, 1));
    write!(
        out,
        "previous-token head: {}; induction head: {}",
        head_name(0, p),
        head_name(1, i)
    )?;
    Ok(out)
}

/// The repeated-half loss with each head removed in turn.
pub fn ablation() -> Result<String> {
    let run = store::committed()?;
    let test = held_out(&CHAPTER)?;
    let base = evaluate_ablated(&run.params, &test, &[])?;
    let mut out = format!(
        "held-out set of {} sequences\n\
         removed      loss, first half  loss, repeated half\n\
         (none)       {:>16}  {:>19}\n",
        test.len(),
        fmt::num(base.first_half),
        fmt::num(base.repeated)
    );
    for l in 0..run.params.layers.len() {
        for h in 0..run.params.config.n_heads {
            let e = evaluate_ablated(&run.params, &test, &[(l, h)])?;
            writeln!(
                out,
                "{}        {:>16}  {:>19}",
                head_name(l, h),
                fmt::num(e.first_half),
                fmt::num(e.repeated)
            )?;
        }
    }
    out.pop();
    Ok(out)
}

/// The sequence the head view shows: the first of full length, drawn
/// from seed 1515, whose first half has no token twice (so every query
/// of the repeat has exactly one right place to look).
///
/// # Errors
/// None in practice; a bound on the draws keeps it from looping.
pub fn shown_sequence() -> Result<Vec<usize>> {
    let c = CHAPTER.config;
    let mut rng = SplitMix64::new(1515);
    for _ in 0..10_000 {
        let s = crate::data::repeated_sequence(c.vocab, c.half, &mut rng)?;
        let mut seen = s[..c.half].to_vec();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() == c.half {
            return Ok(s);
        }
    }
    anyhow::bail!("no sequence without a repeated token in 10,000 draws")
}

/// The trained heads on one held-out sequence, for chapter 11's view.
///
/// # Errors
/// Only if the committed run is unreadable.
pub fn trained_view() -> Result<HeadView> {
    let run = store::committed()?;
    let tokens = shown_sequence()?;
    let cache = forward(&run.params, &tokens, &[])?;
    let mut heads = Vec::new();
    for (l, layer) in cache.heads.iter().enumerate() {
        for (h, hc) in layer.iter().enumerate() {
            heads.push((head_name(l, h), hc.weights.clone()));
        }
    }
    let names = letters(&tokens);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    HeadView::new(
        "Chapter 15: the trained heads on a repeated sequence",
        &names,
        &names,
        heads,
    )
}

/// The head view's JSON.
pub fn headview_trained() -> Result<String> {
    Ok(trained_view()?.to_json())
}

/// The first training steps' losses, printed in full: they must come out
/// the same, to the bit, on every machine.
pub fn first_steps() -> Result<String> {
    let run = train(&CHAPTER, 3)?;
    let mut out = String::new();
    for (i, l) in run.train_losses.iter().enumerate() {
        writeln!(out, "step {i}: training loss {l:?}")?;
    }
    out.pop();
    Ok(out)
}

/// On the head view's sequence: for every query of the repeat, the key
/// an induction head should pick and the weight the induction head gives
/// it, and how much that key, in layer 1, took from the token before it.
pub fn shown_sequence_scores() -> Result<String> {
    let run = store::committed()?;
    let tokens = shown_sequence()?;
    let e = final_eval(&run)?;
    let (p, i) = (best_head(&e.prev, 0), best_head(&e.induction, 1));
    let cache = forward(&run.params, &tokens, &[])?;
    let (prev, ind) = (&cache.heads[0][p].weights, &cache.heads[1][i].weights);
    let names = letters(&tokens);
    let half = tokens.len() / 2;
    let mut out = format!(
        "sequence: {}\n\
         query  {} on key k  {} at key k on k - 1\n",
        names.join(" "),
        head_name(1, i),
        head_name(0, p)
    );
    for q in half..tokens.len() {
        let k = q - half + 1;
        writeln!(
            out,
            "{:>2} {}   {:>2} {} {:>14}  {:>22}",
            q,
            names[q],
            k,
            names[k],
            fmt::num(ind[[q, k]]),
            fmt::num(prev[[k, k - 1]])
        )?;
    }
    out.pop();
    Ok(out)
}
