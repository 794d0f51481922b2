//! The worked examples chapter 10 prints. Each returns the exact text the
//! chapter shows; `examples/` prints it and `tests/outputs.rs` locks it.

use crate::choose::{Sampler, arg_max, hard_read, soft_read};
use crate::gradient::{
    CAT_SAT_COSTS, central_difference, hard_loss, norm, soft_loss,
    soft_loss_gradient,
};
use crate::reinforce::{
    Spread, draw, exact_gradient, exact_variance, measured_variance, reinforce,
};
use crate::sparse::{sparsemax, sparsemax_jacobian, top_k};
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{Scale, attend};
use ch03_queries_keys_values::softmax::{softmax, softmax_with_temperature};
use ch03_queries_keys_values::worked::{
    CAT_SAT_SCORES, CAT_SAT_TOKENS, LIBRARY_KEYS, library,
};
use ndarray::{Array1, Array2, ArrayView1, array};
use std::fmt::Write as _;

/// The seed of every random draw in this chapter (the year of Williams'
/// REINFORCE paper).
pub const SEED: u64 = 1992;

/// Example 2's scores, as a vector.
pub fn cat_sat_scores() -> Array1<f64> {
    Array1::from(CAT_SAT_SCORES.to_vec())
}

/// Example 2's costs ([`CAT_SAT_COSTS`]), as a vector.
pub fn cat_sat_costs() -> Array1<f64> {
    Array1::from(CAT_SAT_COSTS.to_vec())
}

// ANCHOR: expectation
/// Example 1, the library search, read softly and hardly: the soft output
/// is the expected value of a sampled read, and the mean of many sampled
/// reads comes close to it.
pub fn expectation_vs_sample() -> Result<String> {
    let query = array![1.0, 0.0, 1.0];
    let (keys, values) = library();
    let step =
        attend(query.view(), keys.view(), values.view(), Scale::InvSqrtDk)?;
    let mut out = String::new();
    writeln!(out, "library search, scores scaled by 1/sqrt(3):")?;
    for (i, name) in LIBRARY_KEYS.iter().enumerate() {
        writeln!(
            out,
            "  {name:<13}  score {}  weight {}  value {}",
            fmt::num(step.scores[i]),
            fmt::num(step.weights[i]),
            fmt::vector(values.row(i)),
        )?;
    }
    let soft = soft_read(step.weights.view(), values.view())?;
    writeln!(
        out,
        "\nsoft read (expected value): {}",
        fmt::vector(soft.view())
    )?;
    let top = arg_max(step.scores.view())?;
    writeln!(
        out,
        "hard read by arg-max: {} -> {}",
        LIBRARY_KEYS[top],
        fmt::vector(hard_read(values.view(), top)?.view())
    )?;
    writeln!(out, "\nhard reads by sampling, seed {SEED}:")?;
    writeln!(out, "  draws   exact  none  partial  mean of the reads")?;
    let sampler = Sampler::new(step.weights.view())?;
    for n in [1, 10, 100, 1000, 10_000, 100_000] {
        let mut rng = SplitMix64::new(SEED);
        let mut counts = [0usize; 3];
        let mut total = Array1::<f64>::zeros(values.ncols());
        for _ in 0..n {
            let i = sampler.draw(&mut rng);
            counts[i] += 1;
            total += &values.row(i);
        }
        writeln!(
            out,
            "  {n:>6}  {:>6}  {:>4}  {:>7}  {}",
            counts[0],
            counts[1],
            counts[2],
            fmt::vector((total / n as f64).view())
        )?;
    }
    Ok(out)
}
// ANCHOR_END: expectation

/// A 6 x 6 grey image for the glimpse example: a dark background, a bright
/// 2 x 2 object on the right and a dimmer one in the bottom left, each
/// filling one patch.
pub fn glimpse_image() -> Array2<f64> {
    array![
        [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        [1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 1.0, 9.0, 8.0],
        [1.0, 0.0, 1.0, 0.0, 8.0, 9.0],
        [5.0, 4.0, 0.0, 1.0, 0.0, 1.0],
        [4.0, 5.0, 1.0, 0.0, 1.0, 0.0],
    ]
}

/// The side of a square patch in [`glimpse_image`].
pub const PATCH: usize = 2;

// ANCHOR: glimpse
/// Hard and soft attention over image patches: the image is cut into
/// 2 x 2 patches, each patch scores its mean brightness, and attention
/// reads either one patch (a glimpse) or a blend of all of them.
pub fn glimpse() -> Result<String> {
    let image = glimpse_image();
    let per_side = image.nrows() / PATCH;
    // One row per patch: its 4 pixels, read row by row. (9, 4)
    let mut values = Array2::zeros((per_side * per_side, PATCH * PATCH));
    for (p, mut row) in values.rows_mut().into_iter().enumerate() {
        let (r, c) = (PATCH * (p / per_side), PATCH * (p % per_side));
        let patch = image.slice(ndarray::s![r..r + PATCH, c..c + PATCH]);
        row.assign(&Array1::from_iter(patch.iter().copied()));
    }
    let scores = values.mean_axis(ndarray::Axis(1)).unwrap_or_default();
    let weights = softmax(scores.view())?;
    let grid = |x: &Array1<f64>| -> Result<Array2<f64>> {
        Ok(x.to_shape((per_side, per_side))?.to_owned())
    };
    let cols = ["col 1", "col 2", "col 3"];
    let rows = ["row 1", "row 2", "row 3"];
    let mut out = String::new();
    writeln!(out, "image (6 x 6), cut into nine 2 x 2 patches:")?;
    write!(out, "{}", fmt::matrix(image.view(), &[], &[]))?;
    writeln!(
        out,
        "
patch scores (mean brightness):"
    )?;
    write!(out, "{}", fmt::matrix(grid(&scores)?.view(), &rows, &cols))?;
    writeln!(
        out,
        "
softmax weights:"
    )?;
    write!(out, "{}", fmt::matrix(grid(&weights)?.view(), &rows, &cols))?;
    let soft = soft_read(weights.view(), values.view())?;
    let soft = soft.to_shape((PATCH, PATCH))?;
    writeln!(
        out,
        "
soft read, a blend of all nine patches (36 pixels read):"
    )?;
    write!(out, "{}", fmt::matrix(soft.view(), &[], &[]))?;
    let top = arg_max(scores.view())?;
    let glimpse = hard_read(values.view(), top)?;
    let glimpse = glimpse.to_shape((PATCH, PATCH))?;
    writeln!(
        out,
        "
hard read, a glimpse of patch (row {}, col {}) (4 pixels read):",
        top / per_side + 1,
        top % per_side + 1
    )?;
    write!(out, "{}", fmt::matrix(glimpse.view(), &[], &[]))?;
    Ok(out)
}
// ANCHOR_END: glimpse

// ANCHOR: flat_gradient
/// Example 2 with a cost per token: the soft loss has a gradient that
/// finite differences confirm; the hard loss's finite differences are 0,
/// and at a tie they grow without bound as the step shrinks.
pub fn flat_gradient() -> Result<String> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let mut out = String::new();
    writeln!(
        out,
        "processing \"sat\"; reading \"cat\" costs 0, any other word 1"
    )?;
    writeln!(out, "tokens  {:?}", CAT_SAT_TOKENS)?;
    writeln!(out, "scores  {}", fmt::vector(scores.view()))?;
    writeln!(out, "costs   {}", fmt::vector(costs.view()))?;
    let weights = softmax(scores.view())?;
    writeln!(
        out,
        "\nsoft (softmax weights {}):",
        fmt::vector(weights.view())
    )?;
    let soft = |s: ArrayView1<f64>| soft_loss(s, costs.view(), 1.0);
    writeln!(
        out,
        "  loss                 {}",
        fmt::num(soft(scores.view())?)
    )?;
    let exact = soft_loss_gradient(scores.view(), costs.view(), 1.0)?;
    writeln!(out, "  exact gradient       {}", fmt::vector(exact.view()))?;
    let fd = central_difference(soft, scores.view(), 1e-4)?;
    writeln!(out, "  differences, h=1e-4  {}", fmt::vector(fd.view()))?;
    let hard = |s: ArrayView1<f64>| hard_loss(s, costs.view());
    writeln!(
        out,
        "\nhard (arg-max picks \"{}\"):",
        CAT_SAT_TOKENS[arg_max(scores.view())?]
    )?;
    writeln!(
        out,
        "  loss                 {}",
        fmt::num(hard(scores.view())?)
    )?;
    for (h, label) in [(0.1, "1e-1"), (1e-2, "1e-2"), (1e-4, "1e-4")] {
        let fd = central_difference(hard, scores.view(), h)?;
        writeln!(out, "  differences, h={label}  {}", fmt::vector(fd.view()))?;
    }
    let mut tied = scores.clone();
    tied[2] = tied[1];
    writeln!(
        out,
        "\nhard, with \"on\" raised to tie with \"cat\": {}",
        fmt::vector(tied.view())
    )?;
    for (h, label) in [(1e-2, "1e-2"), (1e-4, "1e-4")] {
        let fd = central_difference(hard, tied.view(), h)?;
        writeln!(out, "  differences, h={label}  {}", fmt::vector(fd.view()))?;
    }
    Ok(out)
}
// ANCHOR_END: flat_gradient

/// The temperatures [`temperature_gradient`] prints, from warm to cold.
pub const TEMPERATURES: [f64; 9] =
    [4.0, 2.0, 1.0, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01];

/// The length of the soft loss's gradient for example 2 at temperature
/// `tau`, with the weight on "cat" and the loss.
pub fn gradient_at(tau: f64) -> Result<(f64, f64, f64)> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let w = softmax_with_temperature(scores.view(), tau)?;
    let loss = soft_loss(scores.view(), costs.view(), tau)?;
    let g = soft_loss_gradient(scores.view(), costs.view(), tau)?;
    Ok((w[1], loss, norm(g.view())))
}

// ANCHOR: temperature_gradient
/// Example 2's soft loss as the temperature falls: the weight on "cat"
/// goes to 1 and the gradient's length goes to 0.
pub fn temperature_gradient() -> Result<String> {
    let mut out = String::new();
    writeln!(out, "soft loss of example 2 at temperature tau")?;
    writeln!(
        out,
        "    tau  weight on cat    loss  |gradient|  log10 |gradient|"
    )?;
    for tau in TEMPERATURES {
        let (w_cat, loss, g) = gradient_at(tau)?;
        writeln!(
            out,
            "{:>7}  {:>13}  {}  {:>10}  {:>16}",
            fmt::num(tau),
            fmt::num(w_cat),
            fmt::num(loss),
            fmt::num(g),
            fmt::num(g.log10()),
        )?;
    }
    Ok(out)
}
// ANCHOR_END: temperature_gradient

/// The sample counts [`reinforce_unbiased`] prints.
pub const UNBIASED_COUNTS: [usize; 5] = [10, 100, 1000, 10_000, 100_000];

// ANCHOR: unbiased
/// REINFORCE on example 2: estimates from more and more seeded samples
/// close in on the exact gradient, with or without the baseline.
pub fn reinforce_unbiased() -> Result<String> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let (expected, exact) = exact_gradient(scores.view(), costs.view())?;
    let mut out = String::new();
    writeln!(
        out,
        "expected cost J = {}  (the baseline b)",
        fmt::num(expected)
    )?;
    writeln!(out, "exact dJ/ds       {}", fmt::vector(exact.view()))?;
    for (label, b) in [("no baseline", 0.0), ("baseline b = J", expected)] {
        writeln!(out, "\nREINFORCE, {label}, seed {SEED}:")?;
        for n in UNBIASED_COUNTS {
            let mut rng = SplitMix64::new(SEED);
            let samples = draw(scores.view(), n, &mut rng)?;
            let est = reinforce(scores.view(), costs.view(), &samples, b)?;
            let miss = norm((&est - &exact).view());
            writeln!(
                out,
                "  N = {n:>6}  {}  off by {}",
                fmt::vector(est.view()),
                fmt::num(miss)
            )?;
        }
    }
    Ok(out)
}
// ANCHOR_END: unbiased

/// How many estimates [`spreads`] averages over for each sample count.
pub const REPEATS: usize = 1000;

/// The sample counts the variance figure plots.
pub const FIGURE_COUNTS: [usize; 10] =
    [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/// The measured variance of the REINFORCE estimate of example 2's
/// gradient for each of `counts`, with the baseline `J`, over [`REPEATS`]
/// estimates from seed [`SEED`] (a fresh generator per count).
pub fn spreads(counts: &[usize]) -> Result<Vec<Spread>> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let (expected, _) = exact_gradient(scores.view(), costs.view())?;
    counts
        .iter()
        .map(|&n| {
            measured_variance(
                scores.view(),
                costs.view(),
                expected,
                n,
                REPEATS,
                SEED,
            )
        })
        .collect()
}

// ANCHOR: variance
/// The spread of the REINFORCE estimate: measured over many repeats and
/// computed exactly, without and with the baseline.
pub fn reinforce_variance() -> Result<String> {
    let scores = cat_sat_scores();
    let costs = cat_sat_costs();
    let (expected, _) = exact_gradient(scores.view(), costs.view())?;
    let mut out = String::new();
    writeln!(
        out,
        "variance E|g_N - dJ/ds|^2 of the N-sample estimate, in units of \
         1e-4,\nmeasured over {REPEATS} estimates (seed {SEED}) and exact"
    )?;
    writeln!(out, "\n             no baseline            baseline b = J")?;
    writeln!(
        out,
        "     N   measured      exact   measured      exact  ratio"
    )?;
    for spread in spreads(&[1, 10, 100, 1000])? {
        let n = spread.n;
        let plain = exact_variance(scores.view(), costs.view(), 0.0, n)?;
        let based = exact_variance(scores.view(), costs.view(), expected, n)?;
        writeln!(
            out,
            "{n:>6}  {:>9}  {:>9}  {:>9}  {:>9}  {}",
            fmt::num(spread.plain * 1e4),
            fmt::num(plain * 1e4),
            fmt::num(spread.with_baseline * 1e4),
            fmt::num(based * 1e4),
            fmt::num(plain / based),
        )?;
    }
    Ok(out)
}
// ANCHOR_END: variance

/// The in-between methods [`in_between`] compares, by name, with their
/// weights for example 2.
pub fn in_between_weights() -> Result<Vec<(&'static str, Array1<f64>)>> {
    let s = cat_sat_scores();
    Ok(vec![
        ("softmax", softmax(s.view())?),
        ("sparsemax", sparsemax(s.view())?),
        ("top-3", top_k(s.view(), 3)?),
        ("top-2", top_k(s.view(), 2)?),
        ("hard (top-1)", top_k(s.view(), 1)?),
    ])
}

// ANCHOR: in_between
/// Example 2 under softmax, sparsemax, top-k and hard attention: the
/// weights, how many are non-zero, the cost, and the cost's gradient by
/// finite differences (with sparsemax's also from its Jacobian).
pub fn in_between() -> Result<String> {
    let s = cat_sat_scores();
    let c = cat_sat_costs();
    let mut out = String::new();
    writeln!(out, "weights for \"sat\" (tokens {:?})\n", CAT_SAT_TOKENS)?;
    let methods = in_between_weights()?;
    for (name, w) in &methods {
        let nonzero = w.iter().filter(|&&x| x > 0.0).count();
        writeln!(
            out,
            "{name:<12}  {}  non-zero {nonzero}  cost {}",
            fmt::vector(w.view()),
            fmt::num(w.dot(&c)),
        )?;
    }
    writeln!(out, "\ngradient of the cost, by differences with h = 1e-4:")?;
    type Method = fn(ArrayView1<f64>) -> Result<Array1<f64>>;
    let fns: [(&str, Method); 5] = [
        ("softmax", |x| softmax(x)),
        ("sparsemax", |x| sparsemax(x)),
        ("top-3", |x| top_k(x, 3)),
        ("top-2", |x| top_k(x, 2)),
        ("hard (top-1)", |x| top_k(x, 1)),
    ];
    for (name, f) in fns {
        let cost = |x: ArrayView1<f64>| Ok(f(x)?.dot(&c));
        let g = central_difference(cost, s.view(), 1e-4)?;
        writeln!(out, "{name:<12}  {}", fmt::vector(g.view()))?;
    }
    let jac = sparsemax_jacobian(s.view())?;
    let exact = jac.t().dot(&c); // (T, T) x (T,) -> (T,)
    writeln!(
        out,
        "\nsparsemax, exact (Jacobian^T costs): {}",
        fmt::vector(exact.view())
    )?;
    Ok(out)
}
// ANCHOR_END: in_between

// ANCHOR: spread
/// Example 2 at falling temperatures: softmax only approaches one-hot,
/// sparsemax reaches it exactly once the top score leads by `tau`.
pub fn sparsemax_temperature() -> Result<String> {
    let s = cat_sat_scores();
    let mut out = String::new();
    writeln!(out, "weights of softmax(s / tau) and sparsemax(s / tau)")?;
    for tau in [2.0, 1.0, 0.5, 0.25] {
        let soft = softmax_with_temperature(s.view(), tau)?;
        let sparse = sparsemax((&s / tau).view())?;
        let nz = sparse.iter().filter(|&&x| x > 0.0).count();
        writeln!(out, "\ntau = {}", fmt::num(tau))?;
        writeln!(out, "  softmax    {}", fmt::vector(soft.view()))?;
        writeln!(
            out,
            "  sparsemax  {}  non-zero {nz}",
            fmt::vector(sparse.view())
        )?;
    }
    Ok(out)
}
// ANCHOR_END: spread
