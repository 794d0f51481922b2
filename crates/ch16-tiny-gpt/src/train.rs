//! Training: Adam on random windows of the corpus, with a warm-up and
//! cosine learning-rate schedule, the training and validation losses
//! recorded along the way, and samples of text at a few steps.

use crate::data::{Corpus, windows};
use crate::gpt::{loss, loss_and_grads};
use crate::layers::cos;
use crate::model::{Config, Params};
use crate::sample::generate_cached;
use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;

// ANCHOR: settings
/// Everything that decides a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The model's sizes (`vocab` must be the corpus's).
    pub config: Config,
    /// Seeds the weights, the windows, the validation set and samples.
    pub seed: u64,
    /// Optimiser steps.
    pub steps: usize,
    /// Windows per step.
    pub batch: usize,
    /// Steps of linear warm-up.
    pub warmup: usize,
    /// The highest learning rate, reached at the end of the warm-up.
    pub peak_lr: f64,
    /// The lowest, reached at the last step.
    pub floor_lr: f64,
    /// Evaluate every this many steps.
    pub every: usize,
    /// Windows in the fixed validation set.
    pub val_windows: usize,
}

/// The run the chapter shows.
pub const CHAPTER: Settings = Settings {
    config: Config {
        vocab: 75,
        context: 64,
        d_model: 64,
        n_layers: 2,
        n_heads: 4,
    },
    seed: 16,
    steps: 2000,
    batch: 16,
    warmup: 100,
    peak_lr: 3e-3,
    floor_lr: 3e-4,
    every: 50,
    val_windows: 64,
};
// ANCHOR_END: settings

/// Steps at which the run writes a sample of text (and after the last).
pub const SAMPLE_STEPS: [usize; 4] = [0, 100, 500, 1000];

// ANCHOR: schedule
/// The learning rate at step `s` (from 0) of `total`: linear warm-up to
/// `peak` over `warmup` steps, then half a cosine down to `floor`.
///
/// # Errors
/// `warmup == 0`, `warmup >= total`, `s >= total`, rates that are not
/// finite or negative, or `floor > peak`.
pub fn learning_rate(
    s: usize,
    warmup: usize,
    total: usize,
    peak: f64,
    floor: f64,
) -> Result<f64> {
    ensure!(
        warmup > 0 && warmup < total && s < total,
        "need 0 < warmup < total and step < total; got warmup = {warmup}, \
         total = {total}, step = {s}"
    );
    ensure!(
        peak.is_finite() && floor.is_finite() && floor >= 0.0 && floor <= peak,
        "need 0 <= floor <= peak, both finite; got floor = {floor}, \
         peak = {peak}"
    );
    if s < warmup {
        return Ok(peak * (s + 1) as f64 / warmup as f64);
    }
    let p = (s - warmup) as f64 / (total - warmup) as f64;
    Ok(floor + 0.5 * (peak - floor) * (1.0 + cos(std::f64::consts::PI * p)))
}
// ANCHOR_END: schedule

// ANCHOR: adam
/// Adam (Kingma and Ba, 2015) on the flat parameter vector, as chapter
/// 12 writes it: `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`; the
/// learning rate changes every step.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    t: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    /// Adam for `n` parameters; its running means start at zero.
    ///
    /// # Shapes
    /// - `m`, `v`: `(n,)`
    pub fn new(n: usize) -> Self {
        Self {
            t: 0,
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One step with learning rate `lr`.
    ///
    /// # Shapes
    /// - `params`, `grads`: `(n,)`
    ///
    /// # Errors
    /// Vectors of another length.
    pub fn step(
        &mut self,
        params: &mut [f64],
        grads: &[f64],
        lr: f64,
    ) -> Result<()> {
        ensure!(
            params.len() == self.m.len() && grads.len() == self.m.len(),
            "Adam was made for {} parameters, got {} and a gradient of {}",
            self.m.len(),
            params.len(),
            grads.len()
        );
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        self.t += 1;
        let fix1 = 1.0 - f64::powi(b1, self.t);
        let fix2 = 1.0 - f64::powi(b2, self.t);
        let all = params
            .iter_mut()
            .zip(grads)
            .zip(self.m.iter_mut().zip(&mut self.v));
        for ((w, &g), (m, v)) in all {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *w -= lr * (*m / fix1) / ((*v / fix2).sqrt() + eps);
        }
        Ok(())
    }
}
// ANCHOR_END: adam

/// What a training run leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The trained model.
    pub params: Params,
    /// The batch's mean loss before every step.
    pub train_losses: Vec<f64>,
    /// `(step, validation loss)` every `every` steps and after the last.
    pub val_losses: Vec<(usize, f64)>,
    /// `(step, text)`: a sample written at the steps of [`SAMPLE_STEPS`]
    /// (the last one after the last step).
    pub samples: Vec<(usize, String)>,
}

/// The fixed validation set: windows of the validation text from their
/// own stream, the same for every run length.
///
/// # Shapes
/// - inputs and targets `(val_windows context,)` each
///
/// # Errors
/// As [`windows`].
pub fn validation_set(
    s: &Settings,
    corpus: &Corpus,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let mut rng = SplitMix64::new(s.seed ^ 0x0056_414c_4944);
    windows(&corpus.val, s.config.context, s.val_windows, &mut rng)
}

/// The mean validation loss, in chunks of 16 windows.
///
/// # Errors
/// As [`loss`].
pub fn validation_loss(
    p: &Params,
    set: &(Vec<usize>, Vec<usize>),
) -> Result<f64> {
    let t = p.config.context;
    let chunk = 16 * t;
    let mut total = 0.0;
    for (x, y) in set.0.chunks(chunk).zip(set.1.chunks(chunk)) {
        total += loss(p, x, y, t)? * x.len() as f64;
    }
    Ok(total / set.0.len() as f64)
}

/// The prompt every recorded sample starts from.
pub const PROMPT: &str = "Attention ";

/// The sampling settings of the recorded samples: temperature, top-k.
pub const SAMPLE_SETTINGS: (f64, usize) = (0.8, 10);

/// A sample of text from `p`: [`PROMPT`] and as many characters as fit
/// in the context, with [`SAMPLE_SETTINGS`], from a generator seeded
/// with `seed`.
///
/// # Errors
/// A prompt character outside the vocabulary.
pub fn sample_text(p: &Params, corpus: &Corpus, seed: u64) -> Result<String> {
    let prompt = corpus.vocab.encode(PROMPT)?;
    let n_new = p.config.context - prompt.len();
    let mut rng = SplitMix64::new(seed);
    let (tau, k) = SAMPLE_SETTINGS;
    let out = generate_cached(p, &prompt, n_new, tau, k, &mut rng)?;
    Ok(corpus.vocab.decode(&[prompt, out.tokens].concat()))
}

// ANCHOR: train
/// Trains a fresh model for `steps` of `s.steps` steps (fewer for a
/// short check; the schedule is always that of `s.steps`).
///
/// # Errors
/// A vocabulary other than the corpus's, no steps between evaluations,
/// or more steps than the schedule has.
pub fn train(s: &Settings, corpus: &Corpus, steps: usize) -> Result<Run> {
    ensure!(
        s.every > 0 && steps <= s.steps,
        "bad run length {steps} of {}",
        s.steps
    );
    ensure!(
        s.config.vocab == corpus.vocab.len(),
        "the model has {} tokens, the corpus {}",
        s.config.vocab,
        corpus.vocab.len()
    );
    let mut rng = SplitMix64::new(s.seed);
    let mut params = Params::random(s.config, &mut rng)?;
    let val = validation_set(s, corpus)?;
    let mut adam = Adam::new(params.flat.len());
    let (mut train_losses, mut val_losses, mut samples) =
        (vec![], vec![], vec![]);
    let t = s.config.context;
    for step in 0..steps {
        if step % s.every == 0 {
            val_losses.push((step, validation_loss(&params, &val)?));
        }
        if SAMPLE_STEPS.contains(&step) {
            samples.push((
                step,
                sample_text(&params, corpus, s.seed + step as u64)?,
            ));
        }
        let (x, y) = windows(&corpus.train, t, s.batch, &mut rng)?;
        let (l, grads) = loss_and_grads(&params, &x, &y, t)?;
        ensure!(l.is_finite(), "the loss diverged at step {step}");
        train_losses.push(l);
        let lr = learning_rate(step, s.warmup, s.steps, s.peak_lr, s.floor_lr)?;
        adam.step(&mut params.flat, &grads.flat, lr)?;
    }
    val_losses.push((steps, validation_loss(&params, &val)?));
    samples.push((steps, sample_text(&params, corpus, s.seed + steps as u64)?));
    Ok(Run {
        params,
        train_losses,
        val_losses,
        samples,
    })
}
// ANCHOR_END: train
