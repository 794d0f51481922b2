//! The chapter's worked examples, each a function that returns the text
//! a snapshot locks and the chapter includes.

use crate::data::Corpus;
use crate::gpt::forward;
use crate::gradcheck::{H, gradient_check, random_case};
use crate::model::{Config, GPT2_SMALL, parameter_count};
use crate::sample::{
    generate_cached, generate_recomputing, top_k_probabilities,
};
use crate::store;
use crate::train::{self, CHAPTER, Run, SAMPLE_SETTINGS, learning_rate};
use anyhow::{Result, ensure};
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch11_seeing_attention::headview::HeadView;
use ch14_where_attention_lives::block::{ModelSizes, model_count};
use ndarray::Array2;
use std::fmt::Write as _;

/// Chapter 14's sizes for one of this chapter's configurations.
fn sizes(c: &Config) -> ModelSizes {
    ModelSizes {
        vocab: c.vocab,
        context: c.context,
        d_model: c.d_model,
        n_layers: c.n_layers,
        n_heads: c.n_heads,
        d_ff: c.d_ff(),
        attention_bias: true,
    }
}

/// One configuration's parameters, group by group, each with the
/// formula that gives it.
fn count_lines(c: &Config) -> Result<String> {
    let m = model_count(&sizes(c))?;
    let (v, t, d, f, l) = (c.vocab, c.context, c.d_model, c.d_ff(), c.n_layers);
    let n = |x: usize| fmt::count(x as u64);
    let total = parameter_count(c);
    ensure!(
        total == m.total(),
        "the layout's count disagrees with chapter 14's"
    );
    let mut out = String::new();
    for (what, formula, x) in [
        ("token embedding", format!("{v} x {d}"), m.token_embeddings),
        ("positions", format!("{t} x {d}"), m.position_embeddings),
        (
            "one block: attention",
            format!("{d} x {} + {} + {d} x {d} + {d}", 3 * d, 3 * d),
            m.attention,
        ),
        ("one block: 2 layer norms", format!("2 x 2 x {d}"), m.norms),
        (
            "one block: MLP",
            format!("{d} x {f} + {f} + {f} x {d} + {d}"),
            m.feed_forward,
        ),
        ("one block, in all", String::new(), m.block()),
        (
            "all blocks",
            format!("{l} x {}", n(m.block())),
            l * m.block(),
        ),
        ("final layer norm", format!("2 x {d}"), m.final_norm),
        ("output (tied to wte)", String::new(), 0),
        ("total", String::new(), total),
    ] {
        writeln!(out, "  {what:<26}{formula:<34}{:>13}", n(x))?;
    }
    write!(
        out,
        "  token embedding's share of the total: {}",
        fmt::num(m.token_embeddings as f64 / total as f64)
    )?;
    Ok(out)
}

/// The tiny GPT's parameters, group by group with their formulas, and
/// GPT-2 small's by the same function, checked against chapter 14.
pub fn model_size() -> Result<String> {
    let (c, g) = (CHAPTER.config, GPT2_SMALL);
    let describe = |c: &Config| {
        format!(
            "vocab {}, context {}, d_model {},\n  {} layers of {} heads \
             (d_head {}), d_ff {}",
            c.vocab,
            c.context,
            c.d_model,
            c.n_layers,
            c.n_heads,
            c.d_head(),
            c.d_ff()
        )
    };
    Ok(format!(
        "tiny GPT: {}\n{}\n\nGPT-2 small: {}\n{}\n\n\
         ln {} = {} (the loss of a uniform guess over the characters)",
        describe(&c),
        count_lines(&c)?,
        describe(&g),
        count_lines(&g)?,
        c.vocab,
        fmt::num((c.vocab as f64).ln())
    ))
}

/// The configuration the gradient check runs on.
pub const CHECK_CONFIG: Config = Config {
    vocab: 7,
    context: 5,
    d_model: 8,
    n_layers: 2,
    n_heads: 2,
};

/// The gradient check on every parameter of a small model.
pub fn gradient_check_report() -> Result<String> {
    let c = CHECK_CONFIG;
    let (p, x, y) = random_case(c, 2, c.context, 1616)?;
    let report = gradient_check(&p, &x, &y, c.context)?;
    let mut out = format!(
        "central differences, h = {H:e}, on every parameter of a model with\n\
         V = {}, T = {}, d_model = {}, {} layers of {} heads ({} parameters),\n\
         2 random sequences\n",
        c.vocab,
        c.context,
        c.d_model,
        c.n_layers,
        c.n_heads,
        parameter_count(&c)
    );
    let (mut worst, mut entries) = (0.0f64, 0);
    for r in &report {
        writeln!(
            out,
            "{:<10} {:>4} entries  rel. error {:.1e}",
            r.name, r.entries, r.rel
        )?;
        worst = worst.max(r.rel);
        entries += r.entries;
    }
    write!(
        out,
        "all {entries} entries checked; worst relative error: {worst:.1e}"
    )?;
    Ok(out)
}

/// The first training steps' losses, printed in full: they must come
/// out the same, to the bit, on every machine.
pub fn first_steps() -> Result<String> {
    let run = train::train(&CHAPTER, &Corpus::load()?, 3)?;
    let mut out = String::new();
    for (i, l) in run.train_losses.iter().enumerate() {
        writeln!(out, "step {i}: training loss {l:?}")?;
    }
    write!(
        out,
        "ln {} = {}",
        CHAPTER.config.vocab,
        fmt::num((CHAPTER.config.vocab as f64).ln())
    )?;
    Ok(out)
}

/// The mean training loss of the `every` steps before each evaluation.
///
/// # Shapes
/// - one `(step, mean)` per evaluation after the first
pub fn train_means(run: &Run) -> Vec<(usize, f64)> {
    let every = CHAPTER.every;
    run.val_losses
        .iter()
        .filter(|(s, _)| *s > 0)
        .map(|&(s, _)| {
            let from = s.saturating_sub(every);
            let xs = &run.train_losses[from..s];
            (s, xs.iter().sum::<f64>() / xs.len() as f64)
        })
        .collect()
}

/// The settings and the curves at a few steps.
pub fn training_report() -> Result<String> {
    let run = store::committed()?;
    let s = CHAPTER;
    let corpus = Corpus::load()?;
    let n = corpus.train.len() + corpus.val.len();
    let mut out = format!(
        "corpus: {} characters, {} distinct; the first 90% ({}) to \
         train,\n  the last 10% ({}) to validate\n\
         model: {} parameters; GELU 0.5 x (1 + tanh({} (x + 0.044715 \
         x^3)));\n  layer norm eps {:e}\n\
         Adam: beta1 0.9, beta2 0.999, eps 1e-8\n\
         schedule: warm-up {} steps to {:e}, cosine down to {:e} at \
         step {}\n\
         batch: {} windows of {} characters ({} inputs, each with the \
         next as target)\n\
         seed {}; validation: {} fixed windows, every {} steps\n\n\
         {:>5}  {:>13}  {:>15}  {:>10}\n",
        fmt::count(n as u64),
        corpus.vocab.len(),
        fmt::count(corpus.train.len() as u64),
        fmt::count(corpus.val.len() as u64),
        fmt::count(parameter_count(&s.config) as u64),
        fmt::num((2.0 / std::f64::consts::PI).sqrt()),
        crate::layers::EPS,
        s.warmup,
        s.peak_lr,
        s.floor_lr,
        s.steps,
        s.batch,
        s.config.context + 1,
        s.config.context,
        s.seed,
        s.val_windows,
        s.every,
        "step",
        "learning rate",
        "training loss",
        "validation"
    );
    let means = train_means(&run);
    for &(step, val) in &run.val_losses {
        let shown = [0, 50, 100, 200].contains(&step) || step % 400 == 0;
        if !(shown || step == s.steps) {
            continue;
        }
        let lr = learning_rate(
            step.min(s.steps - 1),
            s.warmup,
            s.steps,
            s.peak_lr,
            s.floor_lr,
        )?;
        let tr = means
            .iter()
            .find(|(m, _)| *m == step)
            .map_or("-".to_string(), |(_, l)| fmt::num(*l));
        writeln!(
            out,
            "{step:>5}  {:>13}  {tr:>15}  {:>10}",
            format!("{lr:.2e}"),
            fmt::num(val)
        )?;
    }
    let best = run
        .val_losses
        .iter()
        .fold(
            (0, f64::INFINITY),
            |b, &(s, l)| {
                if l < b.1 { (s, l) } else { b }
            },
        );
    let (end_train, end_val) = (
        means.last().map_or(f64::NAN, |m| m.1),
        run.val_losses.last().map_or(f64::NAN, |v| v.1),
    );
    write!(
        out,
        "(training loss: the mean of the {} steps before)\n\
         at the end: training {}, validation {}, gap {}\n\
         lowest validation loss {} at step {}",
        s.every,
        fmt::num(end_train),
        fmt::num(end_val),
        fmt::num(end_val - end_train),
        fmt::num(best.1),
        best.0,
    )?;
    Ok(out)
}

/// The samples the run wrote along the way.
pub fn samples() -> Result<String> {
    let run = store::committed()?;
    let (tau, k) = SAMPLE_SETTINGS;
    let mut out = format!(
        "prompt {:?}, temperature {tau}, top-k {k}, {} characters in all\n",
        train::PROMPT,
        CHAPTER.config.context
    );
    for (step, text) in &run.samples {
        write!(
            out,
            "\nafter {step} steps:\n{}\n",
            text.replace('\n', " / ")
        )?;
    }
    out.pop();
    Ok(out)
}

/// The prompt of the sampling example.
pub const SAMPLING_PROMPT: &str = "The attention weigh";

/// What temperature and top-k do to one real distribution: the trained
/// model's next character after [`SAMPLING_PROMPT`], its five likeliest
/// at three settings.
pub fn sampling() -> Result<String> {
    let run = store::committed()?;
    let corpus = Corpus::load()?;
    let prompt = corpus.vocab.encode(SAMPLING_PROMPT)?;
    let t = prompt.len();
    let cache = forward(&run.params, &prompt, t)?;
    let v = run.params.config.vocab;
    let logits = &cache.logits[(t - 1) * v..];
    let show = |c: usize| match corpus.vocab.chars[c] {
        ' ' => "' '".to_string(),
        '\n' => "'\\n'".to_string(),
        ch => format!("'{ch}'"),
    };
    let mut out = format!("next character after {SAMPLING_PROMPT:?}:\n");
    for (name, tau, k) in [
        ("temperature 1, all kept", 1.0, v),
        ("temperature 0.5, all kept", 0.5, v),
        ("temperature 1, top-k 3", 1.0, 3),
    ] {
        let kept = top_k_probabilities(logits, tau, k)?;
        let top: Vec<String> = kept
            .iter()
            .take(5)
            .map(|&(c, p)| format!("{} {}", show(c), fmt::num(p)))
            .collect();
        writeln!(out, "{name:<27} {}", top.join("  "))?;
    }
    out.pop();
    Ok(out)
}

/// The prompt of the key-value cache example.
pub const KV_PROMPT: &str = "The weights ";

/// The trained model writes the same text with and without the cache.
pub fn kv_cache() -> Result<String> {
    let run = store::committed()?;
    let corpus = Corpus::load()?;
    let prompt = corpus.vocab.encode(KV_PROMPT)?;
    let n_new = run.params.config.context - prompt.len();
    let (tau, k) = SAMPLE_SETTINGS;
    let cached = generate_cached(
        &run.params,
        &prompt,
        n_new,
        tau,
        k,
        &mut SplitMix64::new(7),
    )?;
    let again = generate_recomputing(
        &run.params,
        &prompt,
        n_new,
        tau,
        k,
        &mut SplitMix64::new(7),
    )?;
    let same = cached.tokens == again.tokens;
    let mut worst = 0.0f64;
    for (a, b) in cached.logits.iter().zip(&again.logits) {
        for (x, y) in a.iter().zip(b) {
            worst = worst.max((x - y).abs());
        }
    }
    let text = corpus.vocab.decode(&cached.tokens);
    let (c, t) = (run.params.config, run.params.config.context);
    // Attention's dot products: with the cache, position i reads i + 1
    // keys; recomputing runs every position of every prefix again.
    let cached_rows: usize = (prompt.len()..t).map(|i| i + 1).sum::<usize>();
    let recomputed_rows: usize =
        (prompt.len()..t).map(|i| (i + 1) * (i + 2) / 2).sum();
    Ok(format!(
        "prompt {KV_PROMPT:?}, {n_new} new characters, temperature {tau}, \
         top-k {k}\n\
         with the cache:  {:?}\n\
         recomputing:     {:?}\n\
         same characters: {same}; largest logit difference: {}\n\
         query-key pairs per layer and head: {} with the cache, {} recomputing \
         ({} layers of {} heads)",
        format!("{KV_PROMPT}{text}"),
        format!("{KV_PROMPT}{}", corpus.vocab.decode(&again.tokens)),
        worst,
        fmt::count(cached_rows as u64),
        fmt::count(recomputed_rows as u64),
        c.n_layers,
        c.n_heads
    ))
}

/// The sentence of the head view, a sentence of chapter 15 that lies in
/// the validation text (checked by [`shown_sentence`]).
pub const SHOWN_SENTENCE: &str = "Every row is zero above the diagonal.";

/// [`SHOWN_SENTENCE`], once checked to be in the validation text: the
/// model never trained on it.
///
/// # Errors
/// None with the committed corpus.
pub fn shown_sentence() -> Result<String> {
    let corpus = Corpus::load()?;
    let val = corpus.vocab.decode(&corpus.val);
    ensure!(
        val.contains(SHOWN_SENTENCE),
        "{SHOWN_SENTENCE:?} is not in the validation text"
    );
    let train = corpus.vocab.decode(&corpus.train);
    ensure!(
        !train.contains(SHOWN_SENTENCE),
        "{SHOWN_SENTENCE:?} is in the training text too"
    );
    Ok(SHOWN_SENTENCE.to_string())
}

/// The name of head `h` of layer `l` (from 0), as `L1 H1`.
pub fn head_name(l: usize, h: usize) -> String {
    format!("L{} H{}", l + 1, h + 1)
}

/// Each head's weights `(T, T)` on `tokens`.
///
/// # Errors
/// As [`forward`].
pub fn head_weights(run: &Run, tokens: &[usize]) -> Result<Heads> {
    let c = run.params.config;
    let t = tokens.len();
    let cache = forward(&run.params, tokens, t)?;
    let mut out = Vec::new();
    for (l, b) in cache.blocks.iter().enumerate() {
        for h in 0..c.n_heads {
            let w = Array2::from_shape_vec(
                (t, t),
                b.att[h * t * t..][..t * t].to_vec(),
            )?;
            out.push((head_name(l, h), w));
        }
    }
    Ok(out)
}

/// The trained heads on the shown sentence, for chapter 11's view.
///
/// # Errors
/// Only if the committed run is unreadable.
pub fn trained_view() -> Result<HeadView> {
    let (sentence, names, heads) = shown_heads()?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    HeadView::new(
        format!(
            "Chapter 16: the trained heads on \"{sentence}\" (_ is a space)"
        ),
        &names,
        &names,
        heads,
    )
}

/// Named heads, each with its weights `(T, T)`.
pub type Heads = Vec<(String, Array2<f64>)>;

/// The shown sentence, its characters as the view labels them (a space
/// as `_`), and every head's weights on it.
///
/// # Errors
/// Only if the committed run is unreadable.
pub fn shown_heads() -> Result<(String, Vec<String>, Heads)> {
    let run = store::committed()?;
    let corpus = Corpus::load()?;
    let sentence = shown_sentence()?;
    let tokens = corpus.vocab.encode(&sentence)?;
    let names: Vec<String> = sentence
        .chars()
        .map(|c| {
            if c == ' ' {
                "_".to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let heads = head_weights(&run, &tokens)?;
    Ok((sentence, names, heads))
}

/// The head view's JSON.
pub fn headview_trained() -> Result<String> {
    Ok(trained_view()?.to_json())
}

/// What each head does, on average over the validation windows.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadStats {
    /// `L1 H1` and so on.
    pub name: String,
    /// Mean of `sum_k a[t, k] (t - k)`: how far back the head looks.
    pub distance: f64,
    /// Mean weight on the previous character, `a[t, t - 1]` (t >= 1).
    pub previous: f64,
    /// Mean weight on the character itself, `a[t, t]`.
    pub itself: f64,
    /// Mean weight on the first position of the window, `a[t, 0]`
    /// (t >= 1).
    pub first: f64,
}

/// [`HeadStats`] of every head of `run`'s model over the validation set.
///
/// # Errors
/// As [`forward`].
pub fn head_stats(run: &Run) -> Result<Vec<HeadStats>> {
    let c = run.params.config;
    let t = c.context;
    let (x, _) = train::validation_set(&CHAPTER, &Corpus::load()?)?;
    let windows = x.len() / t;
    let cache = forward(&run.params, &x, t)?;
    let mut out = Vec::new();
    for (l, blk) in cache.blocks.iter().enumerate() {
        for h in 0..c.n_heads {
            let (mut dist, mut prev, mut itself, mut first) =
                (0.0, 0.0, 0.0, 0.0);
            for b in 0..windows {
                let a = &blk.att[(b * c.n_heads + h) * t * t..][..t * t];
                for q in 0..t {
                    let row = &a[q * t..][..t];
                    dist += row
                        .iter()
                        .enumerate()
                        .map(|(k, w)| w * (q - k.min(q)) as f64)
                        .sum::<f64>();
                    itself += row[q];
                    if q >= 1 {
                        prev += row[q - 1];
                        first += row[0];
                    }
                }
            }
            let (n, n1) = ((windows * t) as f64, (windows * (t - 1)) as f64);
            out.push(HeadStats {
                name: head_name(l, h),
                distance: dist / n,
                previous: prev / n1,
                itself: itself / n,
                first: first / n1,
            });
        }
    }
    Ok(out)
}

/// The heads' numbers as a table.
pub fn head_summary() -> Result<String> {
    let run = store::committed()?;
    let stats = head_stats(&run)?;
    let mut out = format!(
        "over the {} validation windows of {} characters; a uniform head\n\
         would look {} back on average\n\
         head    mean distance  on previous  on itself  on first\n",
        CHAPTER.val_windows,
        CHAPTER.config.context,
        fmt::num((CHAPTER.config.context - 1) as f64 / 4.0)
    );
    for s in &stats {
        writeln!(
            out,
            "{:<6}  {:>13}  {:>11}  {:>9}  {:>8}",
            s.name,
            fmt::num(s.distance),
            fmt::num(s.previous),
            fmt::num(s.itself),
            fmt::num(s.first)
        )?;
    }
    out.pop();
    Ok(out)
}
