//! Two optimisers: plain gradient descent, and Adam.

use crate::model::Params;

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
    pub fn step(&self, params: &mut Params, grads: &Params) {
        for (w, (_, g)) in params.tensors_mut().into_iter().zip(grads.named()) {
            w.scaled_add(-self.lr, g);
        }
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
    /// - `grads` has the shapes of `params`
    pub fn step(&mut self, params: &mut Params, grads: &Params) {
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
        Sgd { lr: 0.1 }.step(&mut p, &tiny(2.0));
        assert!((p.w_q[[0, 0]] - 0.8).abs() < 1e-15);
    }

    #[test]
    fn adam_first_step_has_the_size_of_the_learning_rate() {
        // m = 0.1 g, v = 0.001 g^2; corrected: m = g, v = g^2, so the step
        // is lr * g / (|g| + eps), about lr in the gradient's direction.
        let mut p = tiny(1.0);
        let mut adam = Adam::new(0.01, &p);
        adam.step(&mut p, &tiny(-5.0));
        assert!((p.w_q[[0, 0]] - 1.01).abs() < 1e-9);
    }
}
