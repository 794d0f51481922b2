//! Two optimisers: plain gradient descent, and Adam.

use crate::model::Params;
use anyhow::{Result, bail};
use attn_common::check;

/// Checks that `grads` has the shapes of `params`, naming both if not.
fn same_shapes(params: &Params, grads: &Params) -> Result<()> {
    let (p, g) = (params.named(), grads.named());
    if p.len() != g.len() {
        bail!(
            "the model has {} matrices but the gradient has {}",
            p.len(),
            g.len()
        );
    }
    for ((name, w), (_, d)) in p.iter().zip(&g) {
        if w.dim() != d.dim() {
            bail!(
                "`{name}` has shape {} but its gradient has shape {}",
                check::shape(*w),
                check::shape(*d)
            );
        }
        check::finite(name, *d)?;
    }
    Ok(())
}

// ANCHOR: sgd
/// Plain gradient descent: every parameter takes a step of size `lr`
/// against its gradient, `w <- w - lr * g`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    /// The learning rate.
    pub lr: f64,
}

impl Sgd {
    /// One step.
    ///
    /// # Shapes
    /// - `grads` has the shapes of `params`
    ///
    /// # Errors
    /// A gradient whose shapes differ from the parameters', or that is not
    /// finite; the error names the shapes.
    pub fn step(&self, params: &mut Params, grads: &Params) -> Result<()> {
        same_shapes(params, grads)?;
        let pairs = params.tensors_mut().into_iter().zip(grads.named());
        for (w, (_, g)) in pairs {
            w.scaled_add(-self.lr, g);
        }
        Ok(())
    }
}
// ANCHOR_END: sgd

// ANCHOR: adam
/// Adam (Kingma and Ba, 2015): a step per parameter from running means
/// of its gradient (`m`) and of its square (`v`), corrected for their
/// start at zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    /// The learning rate.
    pub lr: f64,
    /// Memory of the mean gradient (0.9).
    pub beta1: f64,
    /// Memory of the mean squared gradient (0.999).
    pub beta2: f64,
    /// Guards the division when `v` is near zero (1e-8).
    pub eps: f64,
    t: i32,
    m: Params,
    v: Params,
}

impl Adam {
    /// Adam for `params`, with the paper's defaults and learning rate
    /// `lr`; its running means start at zero.
    ///
    /// # Shapes
    /// - `m` and `v` get the shapes of `params`
    pub fn new(lr: f64, params: &Params) -> Self {
        let zeros = params.zeros_like();
        Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            m: zeros.clone(),
            v: zeros,
        }
    }

    /// One step.
    ///
    /// # Shapes
    /// - `grads` and `params` have the shapes Adam was made for
    ///
    /// # Errors
    /// A gradient or parameters whose shapes differ from those Adam was
    /// made for, or a gradient that is not finite; the error names the
    /// shapes.
    pub fn step(&mut self, params: &mut Params, grads: &Params) -> Result<()> {
        same_shapes(&self.m, params)?;
        same_shapes(params, grads)?;
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let fix1 = 1.0 - b1.powi(self.t); // bias corrections
        let fix2 = 1.0 - b2.powi(self.t);
        let layers = params
            .tensors_mut()
            .into_iter()
            .zip(grads.named())
            .zip(self.m.tensors_mut())
            .zip(self.v.tensors_mut());
        for (((w, (_, g)), m), v) in layers {
            ndarray::Zip::from(w).and(g).and(m).and(v).for_each(
                |w, &g, m, v| {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    let step = (*m / fix1) / ((*v / fix2).sqrt() + self.eps);
                    *w -= self.lr * step;
                },
            );
        }
        Ok(())
    }
}
// ANCHOR_END: adam

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn tiny(w: f64) -> Params {
        Params {
            w_q: array![[w]],
            w_k: array![[w]],
            w_v: array![[w]],
            w_o: None,
        }
    }

    #[test]
    fn sgd_steps_against_the_gradient() {
        let mut p = tiny(1.0);
        Sgd { lr: 0.1 }.step(&mut p, &tiny(2.0)).unwrap();
        assert!((p.w_q[[0, 0]] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_has_the_size_of_the_learning_rate() {
        // m = 0.1 g, v = 0.001 g^2; corrected: m = g, v = g^2, so the step
        // is lr * g / (|g| + eps), about lr in the gradient's direction.
        let mut p = tiny(1.0);
        let mut adam = Adam::new(0.01, &p);
        adam.step(&mut p, &tiny(-5.0)).unwrap();
        assert!((p.w_q[[0, 0]] - 1.01).abs() < 1e-9);
    }

    #[test]
    fn a_gradient_of_the_wrong_shape_names_both_shapes() {
        let mut p = tiny(1.0);
        let mut g = tiny(1.0);
        g.w_k = ndarray::Array2::zeros((2, 3));
        let err = Sgd { lr: 0.1 }.step(&mut p, &g).unwrap_err().to_string();
        assert!(err.contains("(1, 1)") && err.contains("(2, 3)"), "{err}");
        let mut adam = Adam::new(0.1, &p);
        let err = adam.step(&mut p, &g).unwrap_err().to_string();
        assert!(err.contains("`W_k` has shape (1, 1)"), "{err}");
        g.w_k = array![[f64::NAN]];
        assert!(adam.step(&mut p, &g).is_err());
    }
}
