//! The training loop.

use crate::model::{Example, Params, loss_and_grads};
use crate::optim::{Adam, Sgd};
use anyhow::Result;

/// Which optimiser a run uses, with its learning rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Optimiser {
    /// Plain gradient descent.
    Sgd(f64),
    /// Adam with the paper's defaults.
    Adam(f64),
}

/// What a training run leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The trained parameters.
    pub params: Params,
    /// The mean loss before each step, then after the last: `steps + 1`
    /// numbers.
    pub losses: Vec<f64>,
}

// ANCHOR: train
/// Full-batch training: at every step, the mean loss over all of `data`,
/// its gradient by the backward pass, and one optimiser step.
///
/// # Shapes
/// - every `data[i].x`: `(T_i, d_in)`; the run's parameters have the
///   shapes of `init`
///
/// # Errors
/// As [`loss_and_grads`].
pub fn train(
    init: &Params,
    data: &[Example],
    optimiser: Optimiser,
    steps: usize,
) -> Result<Run> {
    let mut params = init.clone();
    let mut adam = Adam::new(0.0, &params);
    let mut losses = Vec::with_capacity(steps + 1);
    for _ in 0..steps {
        let (loss, grads) = loss_and_grads(&params, data)?;
        losses.push(loss);
        match optimiser {
            Optimiser::Sgd(lr) => Sgd { lr }.step(&mut params, &grads)?,
            Optimiser::Adam(lr) => {
                adam.lr = lr;
                adam.step(&mut params, &grads)?;
            }
        }
    }
    losses.push(loss_and_grads(&params, data)?.0);
    Ok(Run { params, losses })
}
// ANCHOR_END: train
