//! Tests for chapter 16's exercises. Run one exercise's tests with
//! `cargo test -p ch16-tiny-gpt --test exercises ex_16_1`.
//!
//! Expected values were worked out by hand (the arithmetic is in each
//! comment); the property tests compare the gradients with central
//! differences of forward passes written out here, and the sampler with
//! a softmax written out here.

use attn_common::message::{names, names_shape};
use ch16_tiny_gpt::exercises::{
    gelu_backward, layer_norm_backward, learning_rate, sample_top_k,
};
use ndarray::{Array1, array};
use proptest::prelude::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// GELU, tanh form, written out again for the central differences.
fn gelu(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044_715 * x * x * x)).tanh())
}

/// `sum(dy * layer_norm(x))` with `gamma` and no `beta`: the loss whose
/// gradient with respect to `x` exercise 16.2 returns.
fn layer_norm_loss(x: &[f64], gamma: &[f64], dy: &[f64], eps: f64) -> f64 {
    let n = x.len() as f64;
    let mu = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n;
    let r = 1.0 / (var + eps).sqrt();
    (0..x.len())
        .map(|i| dy[i] * gamma[i] * (x[i] - mu) * r)
        .sum()
}

/// The softmax of `logits / temperature`, for comparing with the
/// sampler's choices.
fn softmax(logits: &[f64], temperature: f64) -> Vec<f64> {
    let max = logits.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let e: Vec<f64> = logits
        .iter()
        .map(|x| ((x - max) / temperature).exp())
        .collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|x| x / total).collect()
}

// Exercise 16.1: gelu_backward

#[test]
fn ex_16_1_the_statement_example() {
    // At 0, tanh(0) = 0 and the second term has the factor x = 0: slope
    // 0.5. At 1, u = c * 1.044715 = 0.83356, tanh(u) = 0.68238, so the
    // slope is 0.5 * 1.68238 + 0.5 * 0.53436 * c * 1.134145
    // = 0.84119 + 0.24177 = 1.08296, times dy = 2: 2.16593.
    let dx = gelu_backward(array![0.0, 1.0].view(), array![1.0, 2.0].view())
        .unwrap();
    assert_eq!(dx[0], 0.5);
    assert!(close(dx[1], 2.16593, 1e-5), "{dx}");
}

#[test]
fn ex_16_1_far_from_zero_gelu_is_the_identity_or_zero() {
    // tanh(u) is exactly +-1 in f64 once |u| > 19.1 (|x| > 7.3): the
    // slope is 1 on the right and 0 on the left, even when x^3 overflows.
    let x = array![-40.0, 40.0, -1e200, 1e200];
    let dx = gelu_backward(x.view(), Array1::from_elem(4, 3.0).view()).unwrap();
    assert_eq!(dx, array![0.0, 3.0, 0.0, 3.0]);
}

#[test]
fn ex_16_1_rejects_bad_inputs_naming_the_shapes() {
    let err =
        gelu_backward(array![1.0, 2.0, 3.0].view(), array![1.0, 2.0].view())
            .unwrap_err()
            .to_string();
    assert!(names_shape(&err, &[3]) && names_shape(&err, &[2]), "{err}");
    let empty = Array1::<f64>::zeros(0);
    let err = gelu_backward(empty.view(), empty.view())
        .unwrap_err()
        .to_string();
    assert!(names_shape(&err, &[0]), "{err}");
    assert!(
        gelu_backward(array![f64::NAN].view(), array![1.0].view()).is_err()
    );
    assert!(
        gelu_backward(array![1.0].view(), array![f64::INFINITY].view())
            .is_err()
    );
}

// Exercise 16.2: layer_norm_backward

#[test]
fn ex_16_2_the_statement_example() {
    // x = [0, 1, 2]: mu = 1, var = 2/3, and with eps -> 0, r = sqrt(1.5)
    // and xhat = [-r, 0, r]. g = [1, 0, 0], mean(g) = 1/3,
    // mean(g * xhat) = -r/3, so dx = r (g - 1/3 - xhat (-r/3))
    // = r [1 - 1/3 - 1/2, -1/3, -1/3 + 1/2] = r [1/6, -1/3, 1/6]
    // = [0.20412, -0.40825, 0.20412]; eps = 1e-5 moves the fifth digit.
    let dx = layer_norm_backward(
        array![0.0, 1.0, 2.0].view(),
        array![1.0, 1.0, 1.0].view(),
        array![1.0, 0.0, 0.0].view(),
        1e-5,
    )
    .unwrap();
    for (got, want) in dx.iter().zip([0.20412, -0.40825, 0.20412]) {
        assert!(close(*got, want, 5e-5), "{dx}");
    }
}

#[test]
fn ex_16_2_a_constant_row_and_a_row_of_one() {
    // A constant row has var = 0 and xhat = 0: dx = r (g - mean(g)) with
    // r = 1 / sqrt(1e-5) = 316.2278. g = [1, 2, 3], mean 2.
    let dx = layer_norm_backward(
        array![2.0, 2.0, 2.0].view(),
        array![1.0, 2.0, 3.0].view(),
        array![1.0, 1.0, 1.0].view(),
        1e-5,
    )
    .unwrap();
    let r = 1e5f64.sqrt();
    assert!(close(dx[0], -r, 1e-9) && dx[1] == 0.0, "{dx}");
    assert!(close(dx[2], r, 1e-9), "{dx}");
    // A row of one entry: normalised, it is always 0, so its gradient is.
    let dx = layer_norm_backward(
        array![7.0].view(),
        array![3.0].view(),
        array![5.0].view(),
        1e-5,
    )
    .unwrap();
    assert_eq!(dx, array![0.0]);
}

#[test]
fn ex_16_2_rejects_bad_inputs_naming_shapes_and_values() {
    let x = array![1.0, 2.0, 3.0];
    let two = array![1.0, 1.0];
    let three = array![1.0, 1.0, 1.0];
    for err in [
        layer_norm_backward(x.view(), two.view(), three.view(), 1e-5),
        layer_norm_backward(x.view(), three.view(), two.view(), 1e-5),
    ] {
        let err = err.unwrap_err().to_string();
        assert!(names_shape(&err, &[3]) && names_shape(&err, &[2]), "{err}");
    }
    for (eps, written) in [(0.0, "0"), (-0.5, "-0.5"), (f64::NAN, "NaN")] {
        let err =
            layer_norm_backward(x.view(), three.view(), three.view(), eps)
                .unwrap_err()
                .to_string();
        assert!(names(&err, written), "{err}");
    }
    let empty = Array1::<f64>::zeros(0);
    assert!(
        layer_norm_backward(empty.view(), empty.view(), empty.view(), 1e-5)
            .is_err()
    );
    let nan = array![1.0, f64::NAN, 1.0];
    assert!(
        layer_norm_backward(x.view(), nan.view(), three.view(), 1e-5).is_err()
    );
    assert!(
        layer_norm_backward(nan.view(), three.view(), three.view(), 1e-5)
            .is_err()
    );
}

// Exercise 16.3: sample_top_k

#[test]
fn ex_16_3_the_statement_example() {
    // Logits [1, 3, 3], k = 2: tokens 1 and 2 (tied, lower index first),
    // each with probability exactly 0.5. The running sums are 0.5 and 1:
    // u = 0.25 -> 1; u = 0.5 is not below 0.5, so -> 2.
    let z = array![1.0, 3.0, 3.0];
    let pick = |u| sample_top_k(z.view(), 1.0, 2, u).unwrap();
    assert_eq!([pick(0.0), pick(0.25), pick(0.5), pick(0.99)], [1, 1, 2, 2]);
}

#[test]
fn ex_16_3_ties_go_to_the_lower_index() {
    // Four equal logits: probability 0.25 each, running sums 0.25, 0.5,
    // 0.75, 1, all exact. With k = 2, tokens 0 and 1 only.
    let z = array![2.0, 2.0, 2.0, 2.0];
    let pick = |k, u| sample_top_k(z.view(), 0.7, k, u).unwrap();
    let all: Vec<usize> = [0.0, 0.2, 0.25, 0.5, 0.7, 0.75, 0.99]
        .map(|u| pick(4, u))
        .to_vec();
    assert_eq!(all, [0, 0, 1, 2, 2, 3, 3]);
    assert_eq!([pick(2, 0.49), pick(2, 0.5), pick(1, 0.99)], [0, 1, 0]);
}

#[test]
fn ex_16_3_when_rounding_leaves_no_token_the_last_kept_one() {
    // Seven equal logits: 1/7 added seven times is 0.9999999999999998 in
    // f64, below the largest u below 1, 1 - 2^-53: no running sum
    // exceeds it, and the answer is the last kept token.
    let u = 1.0 - f64::EPSILON / 2.0;
    let z = Array1::from_elem(7, 0.5);
    assert_eq!(sample_top_k(z.view(), 1.0, 7, u).unwrap(), 6);
    assert_eq!(sample_top_k(z.view(), 1.0, 5, u).unwrap(), 4);
}

#[test]
fn ex_16_3_rejects_bad_inputs_naming_them() {
    let z = array![0.5, -1.0, 2.0];
    let fails = |z: &Array1<f64>, t: f64, k: usize, u: f64| {
        sample_top_k(z.view(), t, k, u).unwrap_err().to_string()
    };
    let empty = Array1::<f64>::zeros(0);
    let err = fails(&empty, 1.0, 1, 0.5);
    assert!(names_shape(&err, &[0]), "{err}");
    assert!(sample_top_k(array![1.0, f64::NAN].view(), 1.0, 1, 0.5).is_err());
    for (t, written) in [(0.0, "0"), (-1.5, "-1.5"), (f64::NAN, "NaN")] {
        let err = fails(&z, t, 1, 0.5);
        assert!(names(&err, written), "{err}");
    }
    assert!(sample_top_k(z.view(), f64::INFINITY, 1, 0.5).is_err());
    for k in [0, 4] {
        let err = fails(&z, 1.0, k, 0.5);
        assert!(names(&err, &k.to_string()), "{err}");
        assert!(names_shape(&err, &[3]), "{err}");
    }
    for (u, written) in [(1.0, "1"), (1.5, "1.5"), (-0.25, "-0.25")] {
        let err = fails(&z, 1.0, 2, u);
        assert!(names(&err, written), "{err}");
    }
    assert!(sample_top_k(z.view(), 1.0, 2, f64::NAN).is_err());
}

// Exercise 16.4: learning_rate

#[test]
fn ex_16_4_the_statement_example() {
    // Warm-up: 1 * 1/2, 1 * 2/2. Then p = 0, 1/4, 2/4, 3/4:
    // 0.5 (1 + cos(p pi)) = 1, 0.85355, 0.5, 0.14645.
    let rate = |s| learning_rate(s, 2, 6, 1.0, 0.0).unwrap();
    assert_eq!([rate(0), rate(1), rate(2), rate(4)], [0.5, 1.0, 1.0, 0.5]);
    assert!(close(rate(3), 0.85355, 1e-5), "{}", rate(3));
    assert!(close(rate(5), 0.14645, 1e-5), "{}", rate(5));
}

#[test]
fn ex_16_4_halfway_down_is_halfway_between_peak_and_floor() {
    // warmup 10, total 110: step 60 has p = 50/100, cos(pi/2) = 0, so
    // the rate is (3e-4 + 3e-5) / 2 = 1.65e-4.
    let got = learning_rate(60, 10, 110, 3e-4, 3e-5).unwrap();
    assert!(close(got, 1.65e-4, 1e-18), "{got}");
    // Step 4 of a 10-step warm-up: 3e-4 * 5 / 10.
    let got = learning_rate(4, 10, 110, 3e-4, 3e-5).unwrap();
    assert!(close(got, 1.5e-4, 1e-18), "{got}");
}

#[test]
fn ex_16_4_rejects_bad_arguments_naming_them() {
    let fails = |s, w, t, peak, floor| {
        learning_rate(s, w, t, peak, floor).unwrap_err().to_string()
    };
    assert!(learning_rate(0, 0, 10, 1.0, 0.0).is_err());
    let err = fails(0, 12, 10, 1.0, 0.0);
    assert!(names(&err, "12") && names(&err, "10"), "{err}");
    let err = fails(0, 10, 10, 1.0, 0.0);
    assert!(names(&err, "10"), "{err}");
    let err = fails(15, 2, 10, 1.0, 0.0);
    assert!(names(&err, "15") && names(&err, "10"), "{err}");
    for (peak, floor, written) in [
        (-0.001, 0.0, "-0.001"),
        (1.0, f64::NAN, "NaN"),
        (f64::INFINITY, 0.0, "inf"),
        (0.25, 0.5, "0.5"),
    ] {
        let err = fails(0, 2, 10, peak, floor);
        assert!(names(&err, written), "{err}");
    }
}

proptest! {
    #[test]
    fn ex_16_1_agrees_with_central_differences_of_gelu(
        x in prop::collection::vec(-8.0f64..8.0, 1..10),
        scale in -3.0f64..3.0,
    ) {
        let x = Array1::from(x);
        let dy = x.mapv(|v| scale * (1.0 + v.abs()));
        let dx = gelu_backward(x.view(), dy.view()).unwrap();
        let h = 1e-5;
        for i in 0..x.len() {
            let numeric = (gelu(x[i] + h) - gelu(x[i] - h)) / (2.0 * h);
            prop_assert!(
                close(dx[i], dy[i] * numeric, 1e-8 * (1.0 + dy[i].abs())),
                "x = {}: {} against {}", x[i], dx[i], dy[i] * numeric
            );
        }
    }

    #[test]
    fn ex_16_2_agrees_with_central_differences_and_sums_to_zero(
        x in prop::collection::vec(-3.0f64..3.0, 2..10),
        seed in any::<u64>(),
    ) {
        let n = x.len();
        let mut rng = attn_common::rng::SplitMix64::new(seed);
        let gamma: Vec<f64> =
            (0..n).map(|_| rng.uniform_in(0.5, 2.0)).collect();
        let dy: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let eps = 1e-5;
        let dx = layer_norm_backward(
            Array1::from(x.clone()).view(),
            Array1::from(gamma.clone()).view(),
            Array1::from(dy.clone()).view(),
            eps,
        )
        .unwrap();
        let scale = dx.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        prop_assert!(dx.sum().abs() <= 1e-12 * scale, "sum {}", dx.sum());
        let h = 1e-6;
        for i in 0..n {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let numeric = (layer_norm_loss(&up, &gamma, &dy, eps)
                - layer_norm_loss(&down, &gamma, &dy, eps))
                / (2.0 * h);
            prop_assert!(
                close(dx[i], numeric, 1e-6 * scale),
                "entry {i}: {} against {numeric}", dx[i]
            );
        }
    }

    #[test]
    fn ex_16_2_shifting_the_row_changes_nothing(
        x in prop::collection::vec(-3.0f64..3.0, 1..10),
        shift in -100.0f64..100.0,
    ) {
        // Adding a constant moves mu by it and leaves xhat as it was.
        let x = Array1::from(x);
        let n = x.len();
        let gamma = Array1::from_shape_fn(n, |i| 1.0 + i as f64 / 4.0);
        let dy = Array1::from_shape_fn(n, |i| (i as f64 * 1.7).sin());
        let a = layer_norm_backward(x.view(), gamma.view(), dy.view(), 1e-5)
            .unwrap();
        let b = layer_norm_backward(
            (&x + shift).view(), gamma.view(), dy.view(), 1e-5,
        )
        .unwrap();
        let scale = a.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (p, q) in a.iter().zip(&b) {
            prop_assert!(close(*p, *q, 1e-9 * scale), "{a} against {b}");
        }
    }

    #[test]
    fn ex_16_3_tokens_come_in_rank_order_and_as_often_as_their_probability(
        logits in prop::collection::vec(-4.0f64..4.0, 1..9),
        temperature in 0.2f64..3.0,
        pick in any::<usize>(),
    ) {
        // Walk u over a grid of n points: the token's rank never goes
        // down, only the top k appear, and each appears about as often as
        // its probability among the top k (within one grid step).
        let v = logits.len();
        let k = 1 + pick % v;
        let mut rank: Vec<usize> = (0..v).collect();
        rank.sort_by(|&a, &b| logits[b].partial_cmp(&logits[a]).unwrap());
        let kept: Vec<f64> = rank[..k].iter().map(|&i| logits[i]).collect();
        let p = softmax(&kept, temperature);
        let z = Array1::from(logits);
        let n = 2000;
        let mut counts = vec![0usize; k];
        let mut last = 0;
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            let token = sample_top_k(z.view(), temperature, k, u).unwrap();
            let r = rank.iter().position(|&t| t == token).unwrap();
            prop_assert!(r < k && r >= last, "u = {u}: rank {r} after {last}");
            last = r;
            counts[r] += 1;
        }
        for (r, &c) in counts.iter().enumerate() {
            let share = c as f64 / n as f64;
            prop_assert!(
                (share - p[r]).abs() <= 1.0 / n as f64 + 1e-12,
                "rank {r}: share {share} against probability {}", p[r]
            );
        }
    }

    #[test]
    fn ex_16_3_k_1_is_the_arg_max_and_cooling_never_hurts_the_top_token(
        logits in prop::collection::vec(-4.0f64..4.0, 2..9),
        hot in 0.5f64..4.0,
        cooling in 0.1f64..1.0,
    ) {
        let z = Array1::from(logits.clone());
        let v = logits.len();
        let best = (0..v).fold(0, |b, i| if z[i] > z[b] { i } else { b });
        // The top token's share of a grid of u: its probability, to
        // within a grid step. A lower temperature never lowers it.
        let share = |t: f64| {
            (0..500)
                .filter(|i| {
                    let u = (*i as f64 + 0.5) / 500.0;
                    sample_top_k(z.view(), t, v, u).unwrap() == best
                })
                .count()
        };
        prop_assert!(share(hot * cooling) >= share(hot));
        for u in [0.0, 0.3, 0.999] {
            prop_assert_eq!(sample_top_k(z.view(), hot, 1, u).unwrap(), best);
        }
    }

    #[test]
    fn ex_16_4_rises_to_the_peak_then_never_rises_nor_drops_below_the_floor(
        warmup in 1usize..20,
        decay in 1usize..200,
        peak in 1e-5f64..1.0,
        fraction in 0.0f64..1.0,
    ) {
        let total = warmup + decay;
        let floor = peak * fraction;
        let rate = |s| learning_rate(s, warmup, total, peak, floor).unwrap();
        for s in 1..warmup {
            prop_assert!(rate(s) > rate(s - 1));
        }
        // The last warm-up step and the first cosine step are both the
        // peak: the schedule is continuous where the branches meet.
        prop_assert!(close(rate(warmup - 1), peak, 1e-15 * peak));
        prop_assert!(close(rate(warmup), peak, 1e-15 * peak));
        for s in warmup + 1..total {
            prop_assert!(rate(s) <= rate(s - 1) + 1e-15 * peak, "step {s}");
            prop_assert!(rate(s) >= floor, "step {s}");
        }
    }
}

// The exercises and the model: the trained model in this crate has its
// own GELU slope, layer norm backward, sampler and schedule (its training
// code cannot call a student's `todo!()`). A solved exercise computes the
// same numbers as the model does.
mod the_models_own {
    use super::*;
    use ch16_tiny_gpt::{layers, sample, train};

    proptest! {
        #[test]
        fn ex_16_1_gelu_slope_agrees(
            x in prop::collection::vec(-6.0f64..6.0, 1..12),
        ) {
            let dy = Array1::from_elem(x.len(), 1.0);
            let dx = gelu_backward(Array1::from(x.clone()).view(), dy.view())
                .unwrap();
            for (d, &xi) in dx.iter().zip(&x) {
                let model = layers::gelu_grad(xi);
                prop_assert!(close(*d, model, 1e-12), "x = {xi}");
            }
        }

        #[test]
        fn ex_16_2_layer_norm_backward_agrees(
            rows in prop::collection::vec(
                (-3.0f64..3.0, 0.5f64..2.0, -1.0f64..1.0), 3..10),
        ) {
            let x: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let g: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let dy: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let c = x.len();
            let (mut out, mut mean, mut rstd) = (vec![0.0; c], [0.0], [0.0]);
            let zeros = vec![0.0; c];
            layers::layer_norm_forward(
                &mut out, &mut mean, &mut rstd, &x, &g, &zeros, c,
            );
            let (mut dx, mut dg, mut db) = (zeros.clone(), zeros.clone(), zeros);
            layers::layer_norm_backward(
                &mut dx, &mut dg, &mut db, &dy, &x, &g, &mean, &rstd, c,
            );
            let mine = layer_norm_backward(
                Array1::from(x).view(),
                Array1::from(g).view(),
                Array1::from(dy).view(),
                layers::EPS,
            )
            .unwrap();
            for (a, b) in mine.iter().zip(&dx) {
                prop_assert!(close(*a, *b, 1e-10), "{mine} vs {dx:?}");
            }
        }

        #[test]
        fn ex_16_3_sampler_agrees_away_from_the_boundaries(
            z in prop::collection::vec(-4.0f64..4.0, 2..10),
            tau in 0.2f64..3.0,
            k_seed in 0usize..100,
            u in 0.0f64..1.0,
        ) {
            let k = 1 + k_seed % z.len();
            let kept = sample::top_k_probabilities(&z, tau, k).unwrap();
            // Two ways of adding the same probabilities may round apart:
            // keep u clear of every running sum.
            let mut running = 0.0;
            for &(_, p) in &kept {
                running += p;
                prop_assume!((running - u).abs() > 1e-9);
            }
            let model = sample::sample_token(&z, tau, k, u).unwrap();
            let mine =
                sample_top_k(Array1::from(z).view(), tau, k, u).unwrap();
            prop_assert_eq!(mine, model);
        }

        #[test]
        fn ex_16_4_schedule_agrees(
            warmup in 1usize..50,
            decay in 1usize..500,
            peak in 1e-5f64..1.0,
            fraction in 0.0f64..1.0,
        ) {
            let total = warmup + decay;
            let floor = peak * fraction;
            for s in 0..total {
                let mine = learning_rate(s, warmup, total, peak, floor).unwrap();
                let model =
                    train::learning_rate(s, warmup, total, peak, floor).unwrap();
                prop_assert!(close(mine, model, 1e-15), "step {s}");
            }
        }
    }
}
