//! The worked examples of chapter 2: each returns the exact text the
//! chapter shows, and `tests/outputs.rs` locks it.

use crate::attention_step;
use crate::encoder::{RecurrentEncoder, frobenius, spectral_norm};
use crate::paths;
use anyhow::Result;
use attn_common::fmt;
use attn_common::rng::SplitMix64;
use ndarray::{Array2, ArrayView2, s};
use std::fmt::Write as _;

/// Width of a token embedding, `d_in`.
pub const D_IN: usize = 4;
/// Width of the encoder's state, `d_h`.
pub const D_H: usize = 8;
/// Seed of the encoders' weights (`W_x` and the orthogonal `Q`).
pub const ENCODER_SEED: u64 = 2;
/// Seed of example 6's word embeddings.
pub const EMBEDDING_SEED: u64 = 6;
/// Seed of the long random sequences.
pub const SEQUENCE_SEED: u64 = 64;
/// How many random sequences the long measurements average over.
pub const SEQUENCES: usize = 20;
/// The longest random sequence.
pub const LONGEST: usize = 64;
/// The contracting radius: every step shrinks a state difference.
pub const CONTRACTING: f64 = 0.8;
/// The expanding radius: every step may stretch it.
pub const EXPANDING: f64 = 1.5;
/// The step of the central finite differences.
pub const FD_STEP: f64 = 1e-6;
/// How closely chain rule and finite differences must agree (largest
/// entry difference).
pub const FD_TOLERANCE: f64 = 1e-8;

/// Example 6, the bottleneck sentence.
pub const SENTENCE: [&str; 13] = [
    "The", "cat", "that", "lives", "in", "the", "big", "house", "on", "the",
    "hill", "is", "sleeping",
];

// ANCHOR: embeddings
/// Example 6's embeddings, shape `(13, D_IN)`: one seeded standard normal
/// vector per distinct word (case ignored), drawn from
/// `SplitMix64::new(EMBEDDING_SEED)` in order of first appearance, so the
/// three "the"s share one embedding.
pub fn sentence_embeddings() -> Array2<f64> {
    let mut rng = SplitMix64::new(EMBEDDING_SEED);
    let mut words: Vec<String> = Vec::new();
    let mut table: Vec<Vec<f64>> = Vec::new();
    let mut x = Array2::zeros((SENTENCE.len(), D_IN));
    for (t, token) in SENTENCE.iter().enumerate() {
        let word = token.to_lowercase();
        let id = match words.iter().position(|w| *w == word) {
            Some(id) => id,
            None => {
                words.push(word);
                table.push((0..D_IN).map(|_| rng.normal()).collect());
                words.len() - 1
            }
        };
        for (k, v) in table[id].iter().enumerate() {
            x[[t, k]] = *v;
        }
    }
    x
}
// ANCHOR_END: embeddings

/// The contracting and the expanding encoder: same `W_x`, same `Q`.
pub fn encoders() -> Result<(RecurrentEncoder, RecurrentEncoder)> {
    Ok((
        RecurrentEncoder::seeded(D_IN, D_H, CONTRACTING, ENCODER_SEED)?,
        RecurrentEncoder::seeded(D_IN, D_H, EXPANDING, ENCODER_SEED)?,
    ))
}

/// `SEQUENCES` seeded random sequences of `LONGEST` standard normal
/// embeddings each.
pub fn random_sequences() -> Vec<Array2<f64>> {
    let mut rng = SplitMix64::new(SEQUENCE_SEED);
    (0..SEQUENCES)
        .map(|_| rng.normal_matrix(LONGEST, D_IN))
        .collect()
}

fn largest_difference(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a - b).iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// The encoders, their radii and the sentence's embeddings.
pub fn setup() -> Result<String> {
    let (small, large) = encoders()?;
    let x = sentence_embeddings();
    let mut out = String::new();
    writeln!(
        out,
        "example 6: T = {} tokens, d_in = {D_IN}, d_h = {D_H}",
        SENTENCE.len()
    )?;
    writeln!(
        out,
        "embeddings: SplitMix64 seed {EMBEDDING_SEED}, one per distinct word"
    )?;
    out.push_str(&fmt::matrix(x.view(), &SENTENCE, &[]));
    writeln!(out, "\nweights: SplitMix64 seed {ENCODER_SEED}")?;
    writeln!(out, "  W_x = N(0, 1) / sqrt(d_in), shape (4, 8)")?;
    writeln!(out, "  W_h = r Q, Q orthogonal, shape (8, 8)")?;
    for (name, enc, r) in [
        ("contracting", &small, CONTRACTING),
        ("expanding", &large, EXPANDING),
    ] {
        let sigma = spectral_norm(enc.w_h.view(), 50)?;
        writeln!(
            out,
            "{name:<12} r = {}: largest singular value of W_h by power \
             iteration = {}",
            fmt::num(r),
            fmt::num(sigma)
        )?;
    }
    writeln!(
        out,
        "|W_x| (Frobenius) = {}",
        fmt::num(frobenius(small.w_x.view()))
    )?;
    Ok(out)
}

/// The first token's influence on the final state of each prefix of
/// example 6, for both encoders and one attention step, every Jacobian
/// checked against finite differences.
pub fn sentence_sensitivity() -> Result<String> {
    let (small, large) = encoders()?;
    let x = sentence_embeddings();
    let mut out = String::new();
    writeln!(
        out,
        "|d h_T / d x_1| and |d z_T / d x_1| (Frobenius) on prefixes of \
         example 6"
    )?;
    writeln!(
        out,
        "{:>2}  {:<9}  {:>9}  {:>9}  {:>9}",
        "T", "x_T", "r = 0.8", "r = 1.5", "attention"
    )?;
    let mut worst: f64 = 0.0;
    let mut checked = 0;
    for t in 1..=SENTENCE.len() {
        let prefix = x.slice(s![..t, ..]);
        let mut cells = Vec::new();
        for enc in [&small, &large] {
            let exact = enc.token_jacobian(prefix, 0)?;
            let numeric = enc.token_jacobian_numeric(prefix, 0, FD_STEP)?;
            worst = worst.max(largest_difference(&exact, &numeric));
            checked += 1;
            cells.push(fmt::num(frobenius(exact.view())));
        }
        if t > 1 {
            let exact = attention_step::token_jacobian(prefix, 0)?;
            let numeric =
                attention_step::token_jacobian_numeric(prefix, 0, FD_STEP)?;
            worst = worst.max(largest_difference(&exact, &numeric));
            checked += 1;
            cells.push(fmt::num(frobenius(exact.view())));
        } else {
            cells.push("-".into());
        }
        writeln!(
            out,
            "{t:>2}  {:<9}  {:>9}  {:>9}  {:>9}",
            SENTENCE[t - 1],
            cells[0],
            cells[1],
            cells[2]
        )?;
    }
    writeln!(
        out,
        "\nchain rule vs central finite differences (step 1e-6), {checked} \
         Jacobians:"
    )?;
    writeln!(
        out,
        "every entry agrees within 1e-8: {}",
        if worst <= FD_TOLERANCE { "yes" } else { "no" }
    )?;
    Ok(out)
}

/// The mean of `log10 |J|` over the random sequences, where `J` is what
/// `jacobian` returns for the first `t` tokens of a sequence.
pub fn mean_log10(
    sequences: &[Array2<f64>],
    t: usize,
    jacobian: impl Fn(ArrayView2<f64>) -> Result<Array2<f64>>,
) -> Result<f64> {
    let mut total = 0.0;
    for x in sequences {
        total += frobenius(jacobian(x.slice(s![..t, ..]))?.view()).log10();
    }
    Ok(total / sequences.len() as f64)
}

/// The lengths the long measurement prints.
pub const LONG_T: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];

/// The first token's influence on long random sequences: the mean of
/// `log10 |d h_T / d x_1|` for tanh and linear encoders of both radii, and
/// of `log10 |d z_T / d x_1|` for one attention step.
pub fn long_sequences() -> Result<String> {
    let (small, large) = encoders()?;
    let (small_lin, large_lin) =
        (small.clone().linear(), large.clone().linear());
    let seqs = random_sequences();
    let mut out = String::new();
    writeln!(
        out,
        "mean of log10 |d output_T / d x_1| over {SEQUENCES} random \
         sequences"
    )?;
    writeln!(
        out,
        "{:>2}  {:>8}  {:>8}  {:>8}  {:>8}  {:>9}",
        "T", "tanh 0.8", "tanh 1.5", "lin 0.8", "lin 1.5", "attention"
    )?;
    let mut first = Vec::new();
    let mut last = Vec::new();
    for t in LONG_T {
        let mut row = Vec::new();
        for enc in [&small, &large, &small_lin, &large_lin] {
            row.push(mean_log10(&seqs, t, |x| enc.token_jacobian(x, 0))?);
        }
        let attn = if t > 1 {
            fmt::num(mean_log10(&seqs, t, |x| {
                attention_step::token_jacobian(x, 0)
            })?)
        } else {
            "-".into()
        };
        writeln!(
            out,
            "{t:>2}  {:>8}  {:>8}  {:>8}  {:>8}  {attn:>9}",
            fmt::num(row[0]),
            fmt::num(row[1]),
            fmt::num(row[2]),
            fmt::num(row[3])
        )?;
        if t == 1 {
            first = row.clone();
        }
        last = row;
    }
    let steps = (LONGEST - 1) as f64;
    writeln!(out, "\naverage factor per token, from T = 1 to T = 64:")?;
    for (name, i) in [
        ("tanh 0.8", 0),
        ("tanh 1.5", 1),
        ("lin 0.8", 2),
        ("lin 1.5", 3),
    ] {
        let factor = 10f64.powf((last[i] - first[i]) / steps);
        writeln!(out, "  {name:<8} x {}", fmt::num(factor))?;
    }
    writeln!(out, "\ngrowth from T = 1 to T = 64, as a power of 10:")?;
    for (name, i) in [
        ("tanh 0.8", 0),
        ("tanh 1.5", 1),
        ("lin 0.8", 2),
        ("lin 1.5", 3),
    ] {
        writeln!(out, "  {name:<8} 10^{}", fmt::num(last[i] - first[i]))?;
    }
    // The second figure: which tokens the output at T = 32 feels more
    // strongly through the contracting tanh encoder than through attention.
    const AT: usize = 32;
    let mut louder = Vec::new();
    for j in 0..AT - 1 {
        let rnn = mean_log10(&seqs, AT, |x| small.token_jacobian(x, j))?;
        let attn =
            mean_log10(&seqs, AT, |x| attention_step::token_jacobian(x, j))?;
        if rnn > attn {
            louder.push((j + 1).to_string());
        }
    }
    writeln!(
        out,
        "\nat T = {AT}, the tanh 0.8 state feels token j more strongly than\n\
         the attention output does for {} of {} tokens: j = {}",
        louder.len(),
        AT - 1,
        louder.join(", ")
    )?;
    Ok(out)
}

/// Path lengths and sequential steps, recurrent against attention.
pub fn path_table() -> Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "{:>5}  {:>13}  {:>10}  {:>13}  {:>10}  {:>9}",
        "T",
        "rnn: path 1-T",
        "rnn: steps",
        "attn: path",
        "attn: steps",
        "attn: T^2"
    )?;
    for t in [13, 64, 1024] {
        let row = paths::lengths(t)?;
        writeln!(
            out,
            "{t:>5}  {:>13}  {:>10}  {:>13}  {:>10}  {:>9}",
            row.recurrent_path,
            row.recurrent_steps,
            row.attention_path,
            row.attention_steps,
            row.attention_pairs
        )?;
    }
    Ok(out)
}

/// What bad input gets back.
pub fn errors() -> Result<String> {
    let (small, _) = encoders()?;
    let mut out = String::new();
    let wide = Array2::<f64>::zeros((3, 5));
    writeln!(out, "tokens of width 5 into an encoder with d_in = 4:")?;
    writeln!(out, "  {}", small.states(wide.view()).unwrap_err())?;
    let empty = Array2::<f64>::zeros((0, 4));
    writeln!(out, "an empty sentence:")?;
    writeln!(out, "  {}", small.states(empty.view()).unwrap_err())?;
    let w_x = Array2::<f64>::zeros((4, 8));
    let w_h = Array2::<f64>::zeros((8, 6));
    writeln!(out, "a recurrent matrix that is not square:")?;
    writeln!(out, "  {}", RecurrentEncoder::new(w_x, w_h).unwrap_err())?;
    Ok(out)
}
