//! Training: Adam on fresh random batches, with the loss on each half and
//! the heads' scores recorded along the way.

use crate::data::batch;
use crate::model::{Config, Params, loss_and_grads, same_shapes};
use crate::scores::{Evaluation, evaluate};
use anyhow::{Result, ensure};
use attn_common::rng::SplitMix64;

// ANCHOR: settings
/// Everything that decides a training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The model and task sizes.
    pub config: Config,
    /// The shortest random half; the longest is `config.half`.
    pub min_half: usize,
    /// Seeds the initial weights, the batches and the held-out set.
    pub seed: u64,
    /// How many optimiser steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// Evaluate every this many steps.
    pub every: usize,
    /// Sequences in the held-out set the evaluations use.
    pub held_out: usize,
}

/// The run the chapter shows.
pub const CHAPTER: Settings = Settings {
    config: Config {
        vocab: 12,
        half: 8,
        d_model: 16,
        n_heads: 2,
        d_head: 8,
    },
    min_half: 4,
    seed: 15,
    steps: 1500,
    batch: 16,
    lr: 0.01,
    every: 10,
    held_out: 64,
};
// ANCHOR_END: settings

impl Settings {
    /// The range of the random half's length.
    pub fn halves(&self) -> (usize, usize) {
        (self.min_half, self.config.half)
    }
}

/// Adam (Kingma and Ba, 2015), as chapter 12 writes it, on every matrix
/// of this model: `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    lr: f64,
    t: i32,
    m: Params,
    v: Params,
}

impl Adam {
    /// Adam for `params` with learning rate `lr`; its running means start
    /// at zero.
    ///
    /// # Shapes
    /// - `m` and `v` get the shapes of `params`
    pub fn new(lr: f64, params: &Params) -> Self {
        Self {
            lr,
            t: 0,
            m: params.zeros_like(),
            v: params.zeros_like(),
        }
    }

    /// One step.
    ///
    /// # Shapes
    /// - `params` and `grads` have the shapes Adam was made for
    ///
    /// # Errors
    /// Parameters or gradients of other shapes; the error names them.
    pub fn step(&mut self, params: &mut Params, grads: &Params) -> Result<()> {
        same_shapes(&self.m, params)?;
        same_shapes(params, grads)?;
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        self.t += 1;
        let fix1 = 1.0 - f64::powi(b1, self.t);
        let fix2 = 1.0 - f64::powi(b2, self.t);
        let all = params
            .tensors_mut()
            .into_iter()
            .zip(grads.named())
            .zip(self.m.tensors_mut())
            .zip(self.v.tensors_mut());
        for (((w, (_, g)), m), v) in all {
            ndarray::Zip::from(w).and(g).and(m).and(v).for_each(
                |w, &g, m, v| {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *w -= self.lr * (*m / fix1) / ((*v / fix2).sqrt() + eps);
                },
            );
        }
        Ok(())
    }
}

/// What a training run leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The trained model.
    pub params: Params,
    /// The training batch's mean loss before every step.
    pub train_losses: Vec<f64>,
    /// `(step, evaluation)` on the held-out set every `every` steps and
    /// after the last.
    pub evals: Vec<(usize, Evaluation)>,
}

/// The held-out set of a run: drawn from its own stream, so it is the
/// same whatever the number of steps.
///
/// # Shapes
/// - `held_out` sequences of shape `(T,)`
///
/// # Errors
/// As [`batch`].
pub fn held_out(s: &Settings) -> Result<Vec<Vec<usize>>> {
    let mut rng = SplitMix64::new(s.seed ^ 0x4845_4c44);
    batch(s.config.vocab, s.halves(), s.held_out, &mut rng)
}

// ANCHOR: train
/// Trains a random model for `steps` steps; every step draws a fresh
/// batch, takes the gradient of its mean loss and lets Adam step.
///
/// # Shapes
/// - the run's parameters are as [`Params::random`] for `s.config`
///
/// # Errors
/// A size of 0, no steps between evaluations, or a diverged model.
pub fn train(s: &Settings, steps: usize) -> Result<Run> {
    ensure!(s.every > 0, "evaluations must be at least 1 step apart");
    let mut rng = SplitMix64::new(s.seed);
    let mut params = Params::random(s.config, &mut rng)?;
    let test = held_out(s)?;
    let mut adam = Adam::new(s.lr, &params);
    let mut train_losses = Vec::with_capacity(steps);
    let mut evals = Vec::new();
    for step in 0..steps {
        if step % s.every == 0 {
            evals.push((step, evaluate(&params, &test)?));
        }
        let data = batch(s.config.vocab, s.halves(), s.batch, &mut rng)?;
        let (loss, grads) = loss_and_grads(&params, &data)?;
        train_losses.push(loss);
        adam.step(&mut params, &grads)?;
    }
    evals.push((steps, evaluate(&params, &test)?));
    Ok(Run {
        params,
        train_losses,
        evals,
    })
}
// ANCHOR_END: train
