//! The worked examples chapter 12 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.
//!
//! The two training runs are done once per process and shared by the
//! worked examples and the figures ([`recall_runs`], [`pronoun_run`]).

use crate::backward::{Cache, forward, softmax_backward, softmax_jacobian};
use crate::gradcheck::{Comparison, H, gradient_check};
use crate::model::{Example, Params, accuracy, argmax};
use crate::tasks::{D_IN, KEYS, PAIRS, Recall, VALUES, pronoun, recall_set};
use crate::train::{Optimiser, Run, train};
use anyhow::{Result, anyhow};
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{Scale, attention};
use ch03_queries_keys_values::softmax::softmax;
use ch04_self_attention::sentences::Sentence;
use ndarray::array;
use std::fmt::Write as _;
use std::sync::OnceLock;

// ANCHOR: settings
/// The seed of every random number in this chapter: the initial weights
/// first, then the training sequences, then the test sequences.
pub const SEED: u64 = 12;
/// Recall: the width of queries, keys and values.
pub const RECALL_D_K: usize = 4;
/// Recall: how many sequences the model trains on, and is tested on.
pub const RECALL_SEQUENCES: usize = 64;
/// Recall: how many full-batch steps each optimiser takes.
pub const RECALL_STEPS: usize = 200;
/// Recall: the learning rate of plain gradient descent.
pub const SGD_LR: f64 = 0.5;
/// The learning rate of Adam, in both tasks.
pub const ADAM_LR: f64 = 0.05;
/// Pronoun: the width of queries, keys and values.
pub const PRONOUN_D_K: usize = 2;
/// Pronoun: how many Adam steps.
pub const PRONOUN_STEPS: usize = 30;
// ANCHOR_END: settings

/// Everything the recall task's training produced.
#[derive(Debug, Clone)]
pub struct RecallRuns {
    /// The random model both optimisers start from.
    pub init: Params,
    /// The sequences it trains on.
    pub train_set: Vec<Recall>,
    /// New sequences it never sees during training.
    pub test_set: Vec<Recall>,
    /// Plain gradient descent.
    pub sgd: Run,
    /// Adam.
    pub adam: Run,
}

fn examples(set: &[Recall]) -> Vec<Example> {
    set.iter().map(Recall::example).collect()
}

fn recall_init() -> Result<(Params, Vec<Recall>, Vec<Recall>)> {
    let mut rng = SplitMix64::new(SEED);
    let init = Params::random(D_IN, RECALL_D_K, VALUES, &mut rng)?;
    let train_set = recall_set(RECALL_SEQUENCES, &mut rng);
    let test_set = recall_set(RECALL_SEQUENCES, &mut rng);
    Ok((init, train_set, test_set))
}

fn compute_recall_runs() -> Result<RecallRuns> {
    let (init, train_set, test_set) = recall_init()?;
    let data = examples(&train_set);
    let sgd = train(&init, &data, Optimiser::Sgd(SGD_LR), RECALL_STEPS)?;
    let adam = train(&init, &data, Optimiser::Adam(ADAM_LR), RECALL_STEPS)?;
    Ok(RecallRuns {
        init,
        train_set,
        test_set,
        sgd,
        adam,
    })
}

/// The recall task's two training runs, computed once per process.
///
/// # Errors
/// If training fails (it does not for the chapter's settings).
pub fn recall_runs() -> Result<&'static RecallRuns> {
    static RUNS: OnceLock<Result<RecallRuns, String>> = OnceLock::new();
    RUNS.get_or_init(|| compute_recall_runs().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
}

/// The pronoun task's sentence, example, initial model and Adam run.
#[derive(Debug, Clone)]
pub struct PronounRun {
    /// Chapter 4's sentence.
    pub sentence: Sentence,
    /// Row "it" must attend to "animal".
    pub example: Example,
    /// The random model training starts from.
    pub init: Params,
    /// The run.
    pub run: Run,
}

fn compute_pronoun_run() -> Result<PronounRun> {
    let (sentence, example) = pronoun()?;
    let mut rng = SplitMix64::new(SEED);
    let d_in = example.x.ncols();
    let init = Params::random(d_in, PRONOUN_D_K, 0, &mut rng)?;
    let data = std::slice::from_ref(&example);
    let run = train(&init, data, Optimiser::Adam(ADAM_LR), PRONOUN_STEPS)?;
    Ok(PronounRun {
        sentence,
        example,
        init,
        run,
    })
}

/// The pronoun task's run, computed once per process.
///
/// # Errors
/// If training fails (it does not for the chapter's settings).
pub fn pronoun_run() -> Result<&'static PronounRun> {
    static RUN: OnceLock<Result<PronounRun, String>> = OnceLock::new();
    RUN.get_or_init(|| compute_pronoun_run().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
}

/// The full Jacobian of a small softmax and the cheap backward pass,
/// side by side.
pub fn softmax_backward_demo() -> Result<String> {
    let s = array![2.0, 1.0, 0.1];
    let w = softmax(s.view())?;
    let g = array![1.0, 0.0, -1.0];
    let j = softmax_jacobian(w.view())?;
    let full = j.t().dot(&g); // (T, T)^T x (T,) -> (T,)
    let cheap = softmax_backward(w.view(), g.view())?;
    let mut out = String::new();
    writeln!(out, "scores s           = {}", fmt::vector(s.view()))?;
    writeln!(out, "weights w = sm(s)  = {}", fmt::vector(w.view()))?;
    writeln!(out, "upstream g = dL/dw = {}\n", fmt::vector(g.view()))?;
    writeln!(out, "Jacobian J[i][j] = dw_i/ds_j = w_i (delta_ij - w_j):")?;
    write!(
        out,
        "{}",
        fmt::matrix(j.view(), &["w_1", "w_2", "w_3"], &["s_1", "s_2", "s_3"])
    )?;
    writeln!(
        out,
        "\nfull:  J^T g            = {}",
        fmt::vector(full.view())
    )?;
    writeln!(
        out,
        "cheap: w * (g - g . w)  = {}",
        fmt::vector(cheap.view())
    )?;
    writeln!(out, "       g . w            = {}", fmt::num(g.dot(&w)))?;
    let diff = full
        .iter()
        .zip(&cheap)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    writeln!(out, "largest difference between the two: {diff:.1e}")?;
    writeln!(out, "sum of dL/ds: {}", fmt::num(cheap.sum()))?;
    Ok(out)
}

fn comparison_rows(out: &mut String, rows: &[Comparison]) -> Result<f64> {
    writeln!(
        out,
        "  matrix  entries  |gradient|  worst |analytic - numeric|  \
         relative"
    )?;
    let mut worst: f64 = 0.0;
    for c in rows {
        writeln!(
            out,
            "  {:<6}  {:>7}  {:>10.1e}  {:>26.1e}  {:>8.1e}",
            c.name, c.entries, c.norm, c.worst_abs, c.rel
        )?;
        worst = worst.max(c.rel);
    }
    Ok(worst)
}

// ANCHOR: gradient_check_report
/// The gradient check on both tasks, at the random starting weights.
pub fn gradient_check_report() -> Result<String> {
    let runs = recall_runs()?;
    let recall = examples(&runs.train_set[..8]);
    let p = pronoun_run()?;
    let pronoun = std::slice::from_ref(&p.example);
    let mut out = String::new();
    writeln!(out, "central differences with h = {H:.0e}\n")?;
    writeln!(out, "recall, first 8 training sequences, random weights:")?;
    let a = comparison_rows(&mut out, &gradient_check(&runs.init, &recall)?)?;
    writeln!(out, "\npronoun, chapter 4's sentence, random weights:")?;
    let b = comparison_rows(&mut out, &gradient_check(&p.init, pronoun)?)?;
    writeln!(out, "\nworst relative error: {:.1e}", a.max(b))?;
    Ok(out)
}
// ANCHOR_END: gradient_check_report

/// One recall sequence and its input matrix.
pub fn recall_task() -> Result<String> {
    let runs = recall_runs()?;
    let r = &runs.train_set[0];
    let ex = r.example();
    let tokens = r.tokens();
    let labels: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut cols: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|k| format!("k={k}"))
        .collect();
    cols.extend((0..VALUES).map(|v| format!("v={v}")));
    cols.push("query".into());
    let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut out = String::new();
    writeln!(
        out,
        "{KEYS} keys, {VALUES} values, {PAIRS} pairs then a query; \
         d_in = {D_IN}\n"
    )?;
    writeln!(out, "sequence: {}", labels.join("  "))?;
    writeln!(out, "answer:   {}\n", r.answer())?;
    write!(out, "{}", fmt::matrix(ex.x.view(), &labels, &cols))?;
    Ok(out)
}

/// The query's attention row and the read-out's answer for one sequence.
fn recall_row(
    out: &mut String,
    what: &str,
    params: &Params,
    r: &Recall,
) -> Result<()> {
    let ex = r.example();
    let cache = forward(&params.layer()?, ex.x.view())?;
    let logits = match &params.w_o {
        Some(w_o) => cache.context.row(ex.row).dot(w_o),
        None => return Err(anyhow!("the recall model has a read-out")),
    };
    let p = softmax(logits.view())?;
    writeln!(
        out,
        "  {what:<7} weights {}  answer {} (p = {})",
        fmt::vector(cache.weights.row(ex.row)),
        argmax(p.view()),
        fmt::num(p[argmax(p.view())])
    )?;
    Ok(())
}

// ANCHOR: recall_training
/// Both optimisers on the recall task: the loss curve, the accuracy and,
/// for Adam, what the query attends to before and after.
pub fn recall_training() -> Result<String> {
    let runs = recall_runs()?;
    let mut out = String::new();
    writeln!(
        out,
        "{} parameters, {RECALL_SEQUENCES} training sequences, full batch, \
         seed {SEED}\n",
        runs.init.count()
    )?;
    let adam = crate::optim::Adam::new(ADAM_LR, &runs.init);
    writeln!(
        out,
        "Adam: beta1 = {}, beta2 = {}, eps = {:.0e}\n",
        adam.beta1, adam.beta2, adam.eps
    )?;
    writeln!(out, "step    SGD (lr {SGD_LR})  Adam (lr {ADAM_LR})")?;
    for step in (0..=RECALL_STEPS).step_by(25) {
        writeln!(
            out,
            "{step:>4}  {:>14}  {:>15}",
            fmt::num(runs.sgd.losses[step]),
            fmt::num(runs.adam.losses[step])
        )?;
    }
    let last = |r: &Run| r.losses.last().copied().unwrap_or(f64::NAN);
    writeln!(
        out,
        "final loss: SGD {:.1e}, Adam {:.1e}",
        last(&runs.sgd),
        last(&runs.adam)
    )?;
    let train_set = examples(&runs.train_set);
    let test_set = examples(&runs.test_set);
    writeln!(out, "\naccuracy      train    test")?;
    for (name, params) in [
        ("random", &runs.init),
        ("SGD", &runs.sgd.params),
        ("Adam", &runs.adam.params),
    ] {
        writeln!(
            out,
            "{name:<10}  {}  {}",
            fmt::num(accuracy(params, &train_set)?),
            fmt::num(accuracy(params, &test_set)?)
        )?;
    }
    // The first unseen sequence the random model gets wrong.
    let r = runs
        .test_set
        .iter()
        .find(|r| {
            crate::model::predict(&runs.init, &r.example()).ok()
                != Some(r.answer())
        })
        .unwrap_or(&runs.test_set[0]);
    writeln!(
        out,
        "\nunseen sequence {}, answer {}",
        r.tokens().join("  "),
        r.answer()
    )?;
    recall_row(&mut out, "random", &runs.init, r)?;
    recall_row(&mut out, "Adam", &runs.adam.params, r)?;
    Ok(out)
}
// ANCHOR_END: recall_training

/// The names of a recall token's features.
fn feature_names() -> Vec<String> {
    let mut rows: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|k| format!("k={k}"))
        .collect();
    rows.extend((0..VALUES).map(|v| format!("v={v}")));
    rows.push("query".into());
    rows
}

/// What each feature of an asking token and of an asked token adds to
/// their score, after training on recall: `W_q W_k^T / sqrt(d_k)`.
pub fn recall_match() -> Result<String> {
    let runs = recall_runs()?;
    let rows = feature_names();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut out = String::new();
    let p = &runs.adam.params;
    // score(i, j) = x_i W_q W_k^T x_j^T / sqrt(d_k): entry (a, b) is what
    // feature a of a query and feature b of a key add to a score.
    // (d_in, d_k) x (d_k, d_in) -> (d_in, d_in)
    let form = p.w_q.dot(&p.w_k.t()) / (RECALL_D_K as f64).sqrt();
    writeln!(
        out,
        "W_q W_k^T / sqrt(d_k): row = query feature, column = key feature"
    )?;
    write!(out, "{}", fmt::matrix(form.view(), &rows, &rows))?;
    Ok(out)
}

/// The weights Adam learned on the recall task, locked.
pub fn recall_weights() -> Result<String> {
    let runs = recall_runs()?;
    let rows = feature_names();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut out = String::new();
    for (name, w) in runs.adam.params.named() {
        writeln!(out, "{name}:")?;
        if name == "W_o" {
            let classes: Vec<String> =
                (0..VALUES).map(|v| format!("v={v}")).collect();
            let classes: Vec<&str> =
                classes.iter().map(String::as_str).collect();
            write!(out, "{}", fmt::matrix(w.view(), &[], &classes))?;
        } else {
            write!(out, "{}", fmt::matrix(w.view(), &rows, &[]))?;
        }
    }
    Ok(out)
}

fn ranked(out: &mut String, s: &Sentence, row: &[f64]) -> Result<()> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
    for (rank, &j) in order.iter().take(3).enumerate() {
        writeln!(
            out,
            "  {}. {:<8} {}",
            rank + 1,
            s.tokens[j],
            fmt::num(row[j])
        )?;
    }
    Ok(())
}

// ANCHOR: pronoun_training
/// Chapter 4's promise: after training, "it" attends most to "animal",
/// with `W_q` different from `W_k`.
pub fn pronoun_training() -> Result<String> {
    let p = pronoun_run()?;
    let s = &p.sentence;
    let (it, animal) = (p.example.row, 1);
    let before: Cache = forward(&p.init.layer()?, p.example.x.view())?;
    let after: Cache = forward(&p.run.params.layer()?, p.example.x.view())?;
    let mut out = String::new();
    writeln!(
        out,
        "{} parameters (d_in = 5, d_k = {PRONOUN_D_K}), Adam (lr {ADAM_LR}), \
         seed {SEED}",
        p.init.count()
    )?;
    for step in [0, 5, 10, 20, PRONOUN_STEPS] {
        writeln!(
            out,
            "  step {step:>2}  loss {}",
            fmt::num(p.run.losses[step])
        )?;
    }
    let x = p.example.x.view();
    let level1 = attention(x, x, x, Scale::None)?.weights[[it, animal]];
    writeln!(
        out,
        "\nweight of \"it\" on \"animal\": {} before, {} after\n\
         (chapter 4's Level 1, with Q = K = X: {})",
        fmt::num(before.weights[[it, animal]]),
        fmt::num(after.weights[[it, animal]]),
        fmt::num(level1)
    )?;
    writeln!(out, "\n\"it\" before training:")?;
    ranked(&mut out, s, &before.weights.row(it).to_vec())?;
    writeln!(out, "\"it\" after training:")?;
    ranked(&mut out, s, &after.weights.row(it).to_vec())?;
    let features = ["entity", "animate", "place", "action", "grammar"];
    for (name, w) in p.run.params.named().into_iter().take(2) {
        writeln!(out, "\ntrained {name}:")?;
        write!(out, "{}", fmt::matrix(w.view(), &features, &[]))?;
    }
    let scale = 1.0 / (PRONOUN_D_K as f64).sqrt();
    let score =
        |i: usize, j: usize| after.q.row(i).dot(&after.k.row(j)) * scale;
    writeln!(
        out,
        "\nscaled score it -> animal: {}   animal -> it: {}",
        fmt::num(score(it, animal)),
        fmt::num(score(animal, it))
    )?;
    writeln!(out, "\nafter training, each token attends most to:")?;
    for (i, token) in s.tokens.iter().enumerate() {
        let row = after.weights.row(i);
        let j = argmax(row);
        writeln!(out, "  {token:<8} {:<8} {}", s.tokens[j], fmt::num(row[j]))?;
    }
    Ok(out)
}
// ANCHOR_END: pronoun_training

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trained_pronoun_attends_most_to_animal() {
        let p = pronoun_run().unwrap();
        let after = forward(&p.run.params.layer().unwrap(), p.example.x.view())
            .unwrap();
        assert_eq!(argmax(after.weights.row(p.example.row)), 1);
        assert_ne!(p.run.params.w_q, p.run.params.w_k);
    }

    #[test]
    fn adam_learns_recall_and_generalises() {
        // Seconds of training or drawing whose only input is this
        // executable: not run again while it is unchanged.
        attn_common::record::unless_passed(
            "ch12::worked::adam_learns_recall_and_generalises",
            || {
                let runs = recall_runs().unwrap();
                let test_set = examples(&runs.test_set);
                assert!(accuracy(&runs.adam.params, &test_set).unwrap() > 0.95);
                assert!(runs.adam.losses.last() < runs.sgd.losses.last());
            },
        );
    }
}
