//! The invariants the chapter claims, on random models and inputs. Each
//! property is a plain function (so that rustfmt keeps it narrow);
//! `proptest!` at the end feeds it random cases.

use attn_common::rng::SplitMix64;
use ch16_tiny_gpt::gpt::{forward, loss};
use ch16_tiny_gpt::layers::{EPS, layer_norm_forward};
use ch16_tiny_gpt::model::{Config, Params};
use ch16_tiny_gpt::sample::{
    generate_cached, generate_recomputing, sample_token,
};
use ch16_tiny_gpt::train::learning_rate;
use proptest::prelude::*;

type Outcome = Result<(), TestCaseError>;

fn config() -> impl Strategy<Value = Config> {
    (2usize..12, 2usize..10, 1usize..4, 1usize..6, 1usize..3).prop_map(
        |(vocab, context, n_heads, d_head, n_layers)| Config {
            vocab,
            context,
            d_model: n_heads * d_head,
            n_layers,
            n_heads,
        },
    )
}

/// A random model whose weights are larger than at initialisation, so
/// that attention is far from uniform.
fn model(c: Config, seed: u64) -> Params {
    let mut rng = SplitMix64::new(seed);
    let mut p = Params::random(c, &mut rng).unwrap();
    for w in &mut p.flat {
        *w += 0.5 * rng.normal();
    }
    p
}

fn tokens(vocab: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| (rng.next_u64() % vocab as u64) as usize)
        .collect()
}

fn mean_and_variance(row: &[f64]) -> (f64, f64) {
    let n = row.len() as f64;
    let mean = row.iter().sum::<f64>() / n;
    let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var)
}

/// Causal: a change to the token at position `j` leaves the logits of
/// every earlier position exactly as they were.
fn causal(c: Config, seed: u64, j: usize, new: usize) -> Outcome {
    let p = model(c, seed);
    let t = c.context;
    let j = j % t;
    let mut x = tokens(c.vocab, t, seed ^ 1);
    let before = forward(&p, &x, t).unwrap().logits;
    x[j] = new % c.vocab;
    let after = forward(&p, &x, t).unwrap().logits;
    prop_assert_eq!(&before[..j * c.vocab], &after[..j * c.vocab]);
    Ok(())
}

/// Layer norm with gain 1 and shift 0: every row has mean 0 and
/// variance `var / (var + eps)`, just under 1.
fn layer_norm_rows(x: &[f64], c: usize) -> Outcome {
    let n = x.len() / c;
    let (mut y, mut m, mut r) = (vec![0.0; n * c], vec![0.0; n], vec![0.0; n]);
    let (g, b) = (vec![1.0; c], vec![0.0; c]);
    layer_norm_forward(&mut y, &mut m, &mut r, x, &g, &b, c);
    for (row, xr) in y.chunks(c).zip(x.chunks(c)) {
        let (mean, var) = mean_and_variance(row);
        let (_, x_var) = mean_and_variance(xr);
        prop_assert!(mean.abs() < 1e-12, "mean {mean}");
        prop_assert!((var - x_var / (x_var + EPS)).abs() < 1e-9, "var {var}");
    }
    Ok(())
}

/// Generating through the key-value cache gives the same tokens and the
/// same logits, to the bit, as recomputing everything each time.
fn cache_equals_recomputing(
    c: Config,
    seed: u64,
    len: usize,
    tau: f64,
    k: usize,
) -> Outcome {
    let p = model(c, seed);
    let len = len.min(c.context);
    let prompt = tokens(c.vocab, len, seed ^ 2);
    let n_new = c.context + 1 - len;
    let k = k.min(c.vocab);
    let mut rng = SplitMix64::new(seed);
    let a = generate_cached(&p, &prompt, n_new, tau, k, &mut rng).unwrap();
    let mut rng = SplitMix64::new(seed);
    let b = generate_recomputing(&p, &prompt, n_new, tau, k, &mut rng);
    prop_assert_eq!(a, b.unwrap());
    Ok(())
}

/// At GPT-2's initialisation the logits are small, so the model's guess
/// is nearly uniform and the loss, on 8 random sequences, is near `ln V`.
fn initial_loss(c: Config, seed: u64) -> Outcome {
    let mut rng = SplitMix64::new(seed);
    let p = Params::random(c, &mut rng).unwrap();
    let x = tokens(c.vocab, 8 * c.context, seed ^ 3);
    let y = tokens(c.vocab, 8 * c.context, seed ^ 4);
    let l = loss(&p, &x, &y, c.context).unwrap();
    let ln_v = (c.vocab as f64).ln();
    prop_assert!((l - ln_v).abs() < 0.1, "{l} vs ln {}", c.vocab);
    Ok(())
}

/// Whether token `i` ranks before token `j` (larger logit, ties to the
/// lower index).
fn before(z: &[f64], i: usize, j: usize) -> bool {
    z[i] > z[j] || (z[i] == z[j] && i < j)
}

/// The sampler only returns one of the `k` highest logits, and with
/// `k = 1` always the highest.
fn top_k(z: &[f64], tau: f64, k: usize, u: f64) -> Outcome {
    let k = k.min(z.len());
    let i = sample_token(z, tau, k, u).unwrap();
    let ahead = (0..z.len()).filter(|&j| before(z, j, i)).count();
    prop_assert!(ahead < k);
    let best = sample_token(z, tau, 1, u).unwrap();
    prop_assert!((0..z.len()).all(|j| !before(z, j, best)));
    Ok(())
}

/// The schedule rises to the peak during the warm-up, starts its cosine
/// at the peak, never rises after it and ends just above the floor.
fn schedule(warmup: usize, extra: usize) -> Outcome {
    let total = warmup + extra;
    let (peak, floor) = (3e-3, 3e-4);
    let lr = |s| learning_rate(s, warmup, total, peak, floor).unwrap();
    // peak * warmup / warmup: the peak, to a rounding.
    prop_assert!((lr(warmup - 1) - peak).abs() <= 1e-15 * peak);
    prop_assert_eq!(lr(warmup), peak);
    for s in warmup..total - 1 {
        prop_assert!(lr(s + 1) <= lr(s));
    }
    prop_assert!(lr(total - 1) >= floor);
    prop_assert!(learning_rate(total, warmup, total, peak, floor).is_err());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_later_token_never_changes_earlier_logits(
        c in config(), seed in any::<u64>(), j in 0usize..10,
        new in 0usize..12,
    ) {
        causal(c, seed, j, new)?;
    }

    #[test]
    fn layer_norm_rows_have_mean_0_and_variance_near_1(
        c in 4usize..20, x in prop::collection::vec(-5.0f64..5.0, 80),
    ) {
        layer_norm_rows(&x[..x.len() / c * c], c)?;
    }

    #[test]
    fn the_kv_cache_equals_recomputation(
        c in config(), seed in any::<u64>(), len in 1usize..6,
        tau in 0.2f64..2.0, k in 1usize..12,
    ) {
        cache_equals_recomputing(c, seed, len, tau, k)?;
    }

    #[test]
    fn the_loss_at_initialisation_is_near_ln_vocab(
        c in config(), seed in any::<u64>(),
    ) {
        initial_loss(c, seed)?;
    }

    #[test]
    fn the_sampler_stays_in_the_top_k(
        z in prop::collection::vec(-4.0f64..4.0, 1..20),
        tau in 0.05f64..3.0, k in 1usize..20, u in 0.0f64..1.0,
    ) {
        top_k(&z, tau, k, u)?;
    }

    #[test]
    fn the_schedule_warms_up_then_decays(
        warmup in 1usize..50, extra in 1usize..200,
    ) {
        schedule(warmup, extra)?;
    }
}
