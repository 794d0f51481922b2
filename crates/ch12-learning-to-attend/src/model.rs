//! The model this chapter trains: one attention layer and, for tasks
//! that answer with a class, a small read-out. Its loss and its gradient.

use crate::backward::{Cache, attention_backward, forward};
use anyhow::{Result, ensure};
use attn_common::check;
use attn_common::rng::SplitMix64;
use ch05_trainable_weights::SelfAttention;
use ndarray::{Array1, Array2, ArrayView1, Axis};

// ANCHOR: params
/// Everything the model learns.
///
/// # Shapes
/// - `w_q`, `w_k`, `w_v`: `(d_in, d_k)` each (here `d_v = d_k`)
/// - `w_o`: `(d_k, n_classes)`, or `None` for a task whose loss looks at
///   the attention weights themselves
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// The query projection.
    pub w_q: Array2<f64>,
    /// The key projection.
    pub w_k: Array2<f64>,
    /// The value projection.
    pub w_v: Array2<f64>,
    /// The read-out: one logit per class from a context vector.
    pub w_o: Option<Array2<f64>>,
}
// ANCHOR_END: params

impl Params {
    /// A random model: the projections from chapter 5's
    /// [`SelfAttention::random`], then, if `n_classes > 0`, a read-out
    /// drawn the same way (uniform in `[-1/sqrt(d_k), 1/sqrt(d_k))`).
    ///
    /// # Shapes
    /// - `w_q`, `w_k`, `w_v`: `(d_in, d_k)`; `w_o`: `(d_k, n_classes)`
    ///
    /// # Errors
    /// `d_in` or `d_k` equal to 0.
    pub fn random(
        d_in: usize,
        d_k: usize,
        n_classes: usize,
        rng: &mut SplitMix64,
    ) -> Result<Self> {
        let layer = SelfAttention::random(d_in, d_k, rng)?;
        let bound = 1.0 / (d_k as f64).sqrt();
        let w_o = (n_classes > 0)
            .then(|| rng.uniform_matrix(d_k, n_classes, -bound, bound));
        Ok(Self {
            w_q: layer.w_q().to_owned(),
            w_k: layer.w_k().to_owned(),
            w_v: layer.w_v().to_owned(),
            w_o,
        })
    }

    /// Chapter 5's layer with these projections.
    ///
    /// # Shapes
    /// - returns a layer with `d_in` inputs and `d_k` outputs
    /// # Errors
    /// Non-finite or mismatched projections, as [`SelfAttention::new`].
    pub fn layer(&self) -> Result<SelfAttention> {
        SelfAttention::new(self.w_q.clone(), self.w_k.clone(), self.w_v.clone())
    }

    /// The learned matrices with their names, in a fixed order:
    /// `W_q`, `W_k`, `W_v`, then `W_o` if there is one.
    ///
    /// # Shapes
    /// - as the fields: `(d_in, d_k)` three times, then `(d_k, n_classes)`
    pub fn named(&self) -> Vec<(&'static str, &Array2<f64>)> {
        let mut out =
            vec![("W_q", &self.w_q), ("W_k", &self.w_k), ("W_v", &self.w_v)];
        if let Some(w_o) = &self.w_o {
            out.push(("W_o", w_o));
        }
        out
    }

    /// The learned matrices, mutably, in the order of [`Params::named`].
    ///
    /// # Shapes
    /// - as [`Params::named`]
    pub fn tensors_mut(&mut self) -> Vec<&mut Array2<f64>> {
        let mut out = vec![&mut self.w_q, &mut self.w_k, &mut self.w_v];
        if let Some(w_o) = &mut self.w_o {
            out.push(w_o);
        }
        out
    }

    /// The same shapes, filled with zeros (gradients, optimiser state).
    ///
    /// # Shapes
    /// - as `self`
    pub fn zeros_like(&self) -> Self {
        let z = |w: &Array2<f64>| Array2::zeros(w.dim());
        Self {
            w_q: z(&self.w_q),
            w_k: z(&self.w_k),
            w_v: z(&self.w_v),
            w_o: self.w_o.as_ref().map(z),
        }
    }

    /// How many numbers the model learns.
    pub fn count(&self) -> usize {
        self.named().iter().map(|(_, w)| w.len()).sum()
    }
}

/// What an example asks of the model at its query row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The read-out of the query row's context vector must name this
    /// class (cross-entropy on `z_r W_o`).
    Class(usize),
    /// The query row must attend to this token (cross-entropy on the
    /// attention weights of row `r`).
    Token(usize),
}

/// One training example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The input, one token per row. Shape `(T, d_in)`.
    pub x: Array2<f64>,
    /// The row whose output is judged.
    pub row: usize,
    /// What that row must produce.
    pub target: Target,
}

/// `-ln softmax(logits)[y]`, computed without leaving the log domain,
/// and `softmax(logits)`.
fn cross_entropy(logits: ArrayView1<f64>, y: usize) -> (f64, Array1<f64>) {
    let max = logits.fold(f64::NEG_INFINITY, |m, &l| m.max(l));
    let exps = logits.mapv(|l| (l - max).exp());
    let total = exps.sum();
    (total.ln() + max - logits[y], exps / total)
}

// ANCHOR: example_loss
/// One example's loss and its gradient with respect to every parameter.
///
/// # Shapes
/// - `ex.x`: `(T, d_in)`; the gradient has the shapes of `params`
///
/// # Errors
/// An input that does not fit the layer, a row or target out of range,
/// or a class target for a model without read-out.
pub fn example_loss(
    params: &Params,
    layer: &SelfAttention,
    ex: &Example,
) -> Result<(f64, Params)> {
    let cache: Cache = forward(layer, ex.x.view())?;
    let t = ex.x.nrows();
    ensure!(
        ex.row < t,
        "row {} is outside `x` with shape {}",
        ex.row,
        check::shape(&ex.x)
    );
    let mut d_context = Array2::zeros(cache.context.dim());
    let mut d_weights = Array2::zeros(cache.weights.dim());
    let mut d_w_o = None;
    let loss = match (ex.target, &params.w_o) {
        (Target::Class(y), Some(w_o)) => {
            ensure!(
                y < w_o.ncols(),
                "class {y} is not a column of `W_o` with shape {}",
                check::shape(w_o)
            );
            let z = cache.context.row(ex.row);
            let logits = z.dot(w_o); // (d_v,) x (d_v, n) -> (n,)
            let (loss, mut d_logits) = cross_entropy(logits.view(), y);
            d_logits[y] -= 1.0; // dL/dlogits = p - onehot(y)
            let d_z = w_o.dot(&d_logits); // (d_v, n) x (n,) -> (d_v,)
            d_context.row_mut(ex.row).assign(&d_z);
            let (z, d) =
                (z.insert_axis(Axis(1)), d_logits.insert_axis(Axis(0)));
            d_w_o = Some(z.dot(&d)); // (d_v, 1) x (1, n) -> (d_v, n)
            loss
        }
        (Target::Token(j), _) => {
            ensure!(
                j < t,
                "target token {j} is outside `x` with shape {}",
                check::shape(&ex.x)
            );
            let a = cache.weights[[ex.row, j]];
            d_weights[[ex.row, j]] = -1.0 / a; // L = -ln a, dL/da = -1/a
            -a.ln()
        }
        (Target::Class(_), None) => {
            anyhow::bail!("a class target needs a read-out W_o")
        }
    };
    let g = attention_backward(&cache, d_context.view(), d_weights.view())?;
    let grads = Params {
        w_q: g.w_q,
        w_k: g.w_k,
        w_v: g.w_v,
        w_o: match (&params.w_o, d_w_o) {
            (Some(w), None) => Some(Array2::zeros(w.dim())),
            (_, d) => d,
        },
    };
    Ok((loss, grads))
}
// ANCHOR_END: example_loss

/// The mean loss over `data` and its gradient.
///
/// # Shapes
/// - every `data[i].x`: `(T_i, d_in)`; the gradient has the shapes of
///   `params`
///
/// # Errors
/// No examples, or an example the model cannot take (see
/// [`example_loss`]).
pub fn loss_and_grads(
    params: &Params,
    data: &[Example],
) -> Result<(f64, Params)> {
    ensure!(!data.is_empty(), "a loss needs at least one example");
    let layer = params.layer()?;
    let mut total = 0.0;
    let mut grads = params.zeros_like();
    for ex in data {
        check::usable("x", &ex.x)?;
        let (loss, g) = example_loss(params, &layer, ex)?;
        total += loss;
        for (acc, g) in grads.tensors_mut().into_iter().zip(g.named()) {
            *acc += g.1;
        }
    }
    let n = data.len() as f64;
    for acc in grads.tensors_mut() {
        *acc /= n;
    }
    Ok((total / n, grads))
}

/// The mean loss over `data`, without the gradient.
///
/// # Shapes
/// - every `data[i].x`: `(T_i, d_in)`
///
/// # Errors
/// As [`loss_and_grads`].
pub fn loss(params: &Params, data: &[Example]) -> Result<f64> {
    Ok(loss_and_grads(params, data)?.0)
}

/// The model's answer for one example: the class with the largest logit,
/// or the token with the largest weight.
///
/// # Shapes
/// - `ex.x`: `(T, d_in)`
///
/// # Errors
/// As [`example_loss`].
pub fn predict(params: &Params, ex: &Example) -> Result<usize> {
    let cache = forward(&params.layer()?, ex.x.view())?;
    let scores = match (ex.target, &params.w_o) {
        (Target::Class(_), Some(w_o)) => cache.context.row(ex.row).dot(w_o),
        _ => cache.weights.row(ex.row).to_owned(),
    };
    Ok(argmax(scores.view()))
}

/// The position of the largest entry (the first, on ties; 0 if empty).
///
/// # Shapes
/// - `xs`: `(n,)`
pub fn argmax(xs: ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

/// The share of `data` the model answers correctly.
///
/// # Shapes
/// - every `data[i].x`: `(T_i, d_in)`
///
/// # Errors
/// As [`example_loss`].
pub fn accuracy(params: &Params, data: &[Example]) -> Result<f64> {
    let mut right = 0;
    for ex in data {
        let want = match ex.target {
            Target::Class(y) | Target::Token(y) => y,
        };
        if predict(params, ex)? == want {
            right += 1;
        }
    }
    Ok(right as f64 / data.len().max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::gradient_check;
    use proptest::prelude::*;

    fn random_example(
        rng: &mut SplitMix64,
        t: usize,
        d_in: usize,
        target: Target,
    ) -> Example {
        Example {
            x: rng.normal_matrix(t, d_in),
            row: (rng.next_u64() % t as u64) as usize,
            target,
        }
    }

    #[test]
    fn bad_examples_are_errors_naming_the_shapes() {
        let mut rng = SplitMix64::new(3);
        let p = Params::random(3, 2, 4, &mut rng).unwrap();
        let wide = Example {
            x: Array2::ones((4, 5)),
            row: 0,
            target: Target::Class(1),
        };
        let err = loss(&p, &[wide]).unwrap_err().to_string();
        assert!(err.contains("(4, 5)") && err.contains("(3, 2)"), "{err}");
        let far = Example {
            x: Array2::ones((4, 3)),
            row: 4,
            target: Target::Class(1),
        };
        let err = loss(&p, &[far]).unwrap_err().to_string();
        assert!(err.contains("(4, 3)"), "{err}");
        let class = Example {
            x: Array2::ones((4, 3)),
            row: 0,
            target: Target::Class(9),
        };
        let err = loss(&p, &[class]).unwrap_err().to_string();
        assert!(err.contains("(2, 4)"), "{err}");
        assert!(loss(&p, &[]).is_err());
        let no_read_out = Params { w_o: None, ..p };
        let ex = random_example(&mut rng, 3, 3, Target::Class(0));
        assert!(loss(&no_read_out, &[ex]).is_err());
    }

    #[test]
    fn a_uniform_read_out_costs_ln_of_the_number_of_classes() {
        // W_o = 0: every logit is 0, p = 1/4 each, L = ln 4.
        let mut rng = SplitMix64::new(4);
        let mut p = Params::random(3, 2, 4, &mut rng).unwrap();
        p.w_o = Some(Array2::zeros((2, 4)));
        let ex = random_example(&mut rng, 5, 3, Target::Class(2));
        let l = loss(&p, &[ex]).unwrap();
        assert!((l - 4f64.ln()).abs() < 1e-15);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn the_gradient_matches_central_differences(
            t in 1usize..6, d_in in 1usize..5, d_k in 1usize..4,
            classes in 0usize..4, seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let p = Params::random(d_in, d_k, classes, &mut rng).unwrap();
            let data: Vec<Example> = (0..3)
                .map(|_| {
                    let target = if classes > 0 {
                        Target::Class((rng.next_u64() % classes as u64) as usize)
                    } else {
                        Target::Token((rng.next_u64() % t as u64) as usize)
                    };
                    random_example(&mut rng, t, d_in, target)
                })
                .collect();
            for c in gradient_check(&p, &data).unwrap() {
                prop_assert!(c.worst_abs < 1e-8, "{} {}", c.name, c.worst_abs);
            }
        }
    }
}
