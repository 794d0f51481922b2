//! Chapter 4's checks.
//!
//! Fixed cases first (the statements' examples, the chapter's sentences,
//! ties, negative weights, budgets where a floating-point square root is
//! off by one, and bad inputs), then cases drawn from the hidden `seed`,
//! which the student never sees: other sequence lengths and widths, and
//! properties that call the student's code several times.

use crate::check::{Check, Oracle, Tol, close, indices, value};
use attn_common::answer::{Value, from_matrix, json};
use attn_common::rng::SplitMix64;
use ch04_self_attention::self_attention::self_attention;
use ch04_self_attention::sentences::{animal, journey};
use ndarray::{Array2, Axis};

fn context(x: &Array2<f64>, i: usize) -> Value {
    json!({"x": from_matrix(x.view()), "i": i})
}

fn weights(w: &Array2<f64>) -> Value {
    json!({"weights": from_matrix(w.view())})
}

fn budget(b: u64) -> Value {
    json!({"budget_bytes": b})
}

/// The checks of chapter 4's exercises; `seed` draws the hidden cases.
pub fn checks(seed: u64) -> Vec<Check> {
    let mut rng = SplitMix64::new(seed ^ 0x04);
    let mut out = ex_4_1(&mut rng);
    out.extend(ex_4_2(&mut rng));
    out.extend(ex_4_3(&mut rng));
    out
}

fn ex_4_1(rng: &mut SplitMix64) -> Vec<Check> {
    let tol = Tol::new(1e-12, 1e-9);
    let mut out = vec![
        Check::matches(
            "4.1",
            "the statement's example",
            json!({"x": [[1.0, 0.0], [0.0, 1.0]], "i": 0}),
            tol,
        ),
        Check::matches(
            "4.1",
            "a single token returns itself",
            json!({"x": [[3.5, -2.0, 0.25]], "i": 0}),
            tol,
        ),
        Check::matches(
            "4.1",
            "scores too large for a naive softmax",
            json!({"x": [[40.0, 0.0], [0.0, 40.0], [40.0, 1.0]], "i": 0}),
            tol,
        ),
        Check::matches(
            "4.1",
            "a token that outscores every other one",
            json!({"x": [[40.0, 0.0], [0.0, 40.0], [40.0, 1.0]], "i": 1}),
            tol,
        ),
        Check::fails(
            "4.1",
            "rejects a query index past the last token, naming the shape",
            json!({"x": [[1.0, 2.0]], "i": 1}),
            &["(1, 2)"],
        ),
        Check::fails(
            "4.1",
            "rejects the largest possible query index",
            json!({"x": [[1.0, 2.0]], "i": u64::MAX}),
            &["(1, 2)"],
        ),
        Check::fails(
            "4.1",
            "rejects a NaN",
            json!({"x": [[1.0, 0.0], ["NaN", 1.0]], "i": 0}),
            &["(2, 2)"],
        ),
        Check::fails(
            "4.1",
            "rejects tokens with no features",
            json!({"x": [[], [], []], "i": 0}),
            &["(3, 0)"],
        ),
        Check::fails(
            "4.1",
            "rejects an empty sequence",
            json!({"x": [], "i": 0}),
            &[],
        ),
    ];
    for (name, s) in [("journey", journey()), ("animal", animal())] {
        for i in [0, s.x.nrows() / 2, s.x.nrows() - 1] {
            out.push(Check::matches(
                "4.1",
                format!("the {name} sentence, token {i}"),
                context(&s.x, i),
                tol,
            ));
        }
    }
    let mut case = 0;
    for (t, d_in) in [(2, 5), (4, 1), (7, 3), (10, 8), (25, 4)] {
        let x = rng.normal_matrix(t, d_in);
        for i in [0, (rng.next_u64() % t as u64) as usize, t - 1] {
            case += 1;
            out.push(Check::matches(
                "4.1",
                format!("hidden random case {case}"),
                context(&x, i),
                tol,
            ));
        }
    }
    let x = rng.normal_matrix(6, 3);
    let shift = 1 + (rng.next_u64() % 5) as usize;
    out.push(Check::property(
        "4.1",
        "reordering the tokens only reorders the contexts",
        move |ask: &mut dyn Oracle| {
            // Token i of `rolled` is token (i + shift) % 6 of `x`.
            let rolled =
                Array2::from_shape_fn((6, 3), |(i, c)| x[[(i + shift) % 6, c]]);
            for i in 0..6 {
                let a = value(ask.ask("4.1", &context(&rolled, i)))?;
                let b = value(ask.ask("4.1", &context(&x, (i + shift) % 6)))?;
                if !close(&a, &b, Tol::new(1e-12, 1e-9)) {
                    return Err(
                        "a token's context changed when the other tokens \
                                were put in another order"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
    out
}

fn ex_4_2(rng: &mut SplitMix64) -> Vec<Check> {
    let mut out = vec![
        Check::matches(
            "4.2",
            "the statement's example",
            json!({
                "weights": [[0.5, 0.2, 0.3], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]],
            }),
            Tol::EXACT,
        ),
        Check::matches(
            "4.2",
            "two tokens pick each other",
            json!({"weights": [[0.9, 0.1], [0.3, 0.7]]}),
            Tol::EXACT,
        ),
        Check::matches(
            "4.2",
            "all weights equal",
            weights(&Array2::from_elem((4, 4), 0.25)),
            Tol::EXACT,
        ),
        Check::matches(
            "4.2",
            "negative weights",
            json!({
                "weights": [
                    [-1.0, -3.0, -2.0],
                    [-5.0, 0.0, -4.0],
                    [-2.0, -1.0, -9.0]
                ],
            }),
            Tol::EXACT,
        ),
        Check::matches(
            "4.2",
            "a tie away from the first column",
            json!({"weights": [
                [0.1, 0.2, 0.35, 0.35],
                [0.4, 0.3, 0.2, 0.1],
                [0.1, 0.1, 0.7, 0.1],
                [0.3, 0.3, 0.1, 0.3]
            ]}),
            Tol::EXACT,
        ),
        Check::fails(
            "4.2",
            "rejects a single row of two, naming the shape",
            json!({"weights": [[0.5, 0.5]]}),
            &["(1, 2)"],
        ),
        Check::fails(
            "4.2",
            "rejects a tall matrix, naming the shape",
            json!({"weights": [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]}),
            &["(3, 2)"],
        ),
        Check::fails(
            "4.2",
            "rejects a wide matrix, naming the shape",
            json!({"weights": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]}),
            &["(2, 3)"],
        ),
        Check::fails(
            "4.2",
            "rejects a single token",
            json!({"weights": [[1.0]]}),
            &["(1, 1)"],
        ),
        Check::fails(
            "4.2",
            "rejects an empty matrix",
            json!({"weights": []}),
            &[],
        ),
        Check::fails(
            "4.2",
            "rejects a NaN",
            json!({"weights": [[0.5, "NaN"], [0.5, 0.5]]}),
            &["(2, 2)"],
        ),
        Check::fails(
            "4.2",
            "rejects minus infinity",
            json!({"weights": [[0.5, 0.5], ["-inf", 0.5]]}),
            &["(2, 2)"],
        ),
    ];
    for (name, s) in [("journey", journey()), ("animal", animal())] {
        if let Ok(w) = self_attention(s.x.view()) {
            out.push(Check::matches(
                "4.2",
                format!("the {name} sentence's weights"),
                weights(&w.weights),
                Tol::EXACT,
            ));
        }
    }
    let mut case = 0;
    for t in [2, 3, 5, 9, 17] {
        case += 1;
        if let Ok(w) = self_attention(rng.normal_matrix(t, 3).view()) {
            out.push(Check::matches(
                "4.2",
                format!("hidden random case {case}"),
                weights(&w.weights),
                Tol::EXACT,
            ));
        }
        case += 1;
        out.push(Check::matches(
            "4.2",
            format!("hidden random case {case}"),
            weights(&rng.uniform_matrix(t, t, -5.0, 5.0)),
            Tol::EXACT,
        ));
    }
    let w = rng.uniform_matrix(8, 8, 0.0, 1.0);
    out.push(Check::property(
        "4.2",
        "never names the token itself, and scaling the weights changes nothing",
        move |ask: &mut dyn Oracle| {
            let a = indices(&value(ask.ask("4.2", &weights(&w)))?)?;
            if a.len() != 8
                || a.iter()
                    .enumerate()
                    .any(|(i, &j)| j as usize == i || j >= 8)
            {
                return Err("an answer names the token \
                    itself or no token at all"
                    .into());
            }
            let b = indices(&value(
                ask.ask("4.2", &weights(&w.mapv(|x| 7.0 * x))),
            )?)?;
            let mut flipped = w.clone();
            flipped.invert_axis(Axis(0));
            flipped.invert_axis(Axis(1));
            let c = indices(&value(ask.ask("4.2", &weights(&flipped)))?)?;
            // An index past 7 has no mirror image: it stays out of range.
            let back: Vec<u64> = c
                .iter()
                .rev()
                .map(|&j| 7u64.checked_sub(j).unwrap_or(u64::MAX))
                .collect();
            if a != b {
                return Err("multiplying every weight \
                    by 7 changed the answer"
                    .into());
            }
            if a != back {
                return Err("reversing the order of the tokens \
                    did not reverse the answer"
                    .into());
            }
            Ok(())
        },
    ));
    out
}

fn ex_4_3(rng: &mut SplitMix64) -> Vec<Check> {
    let mut budgets: Vec<u64> = vec![
        400,
        399,
        144,
        3,
        0,
        4,
        15,
        16,
        35,
        36,
        1_000_003,
        1 << 30,
        40_000_000_000,
        39_999_999_999,
        u64::MAX,
    ];
    for t in [94_906_267u64, 1_000_000_007, (1 << 31) - 1] {
        budgets.extend([4 * t * t, 4 * t * t - 1]);
    }
    let mut out: Vec<Check> = budgets
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            Check::matches(
                "4.3",
                format!("budget {}", i + 1),
                budget(b),
                Tol::EXACT,
            )
        })
        .collect();
    for k in 0..12 {
        // Budgets of every size: a random u64 shifted right by 0..64 bits,
        // and one byte short of 4 T^2 for a random T above 2^26.
        let b = rng.next_u64() >> (k * 5 % 64);
        out.push(Check::matches(
            "4.3",
            format!("hidden budget {}", 2 * k + 1),
            budget(b),
            Tol::EXACT,
        ));
        let t = (1u64 << 26) + rng.next_u64() % ((1u64 << 31) - (1u64 << 26));
        out.push(Check::matches(
            "4.3",
            format!("hidden budget {}", 2 * k + 2),
            budget(4 * t * t - 1),
            Tol::EXACT,
        ));
    }
    let random: Vec<u64> =
        (0..32).map(|k| rng.next_u64() >> (2 * k % 64)).collect();
    out.push(Check::property(
        "4.3",
        "the answer T satisfies 4 T^2 <= budget < 4 (T + 1)^2",
        move |ask: &mut dyn Oracle| {
            for &b in &random {
                let r = value(ask.ask("4.3", &budget(b)))?
                    .as_u64()
                    .ok_or("the answer is not a whole number")?
                    as u128;
                let b = b as u128;
                // 4 r^2 in u128, or None past u128 (which no budget
                // reaches): an answer near u64::MAX must not overflow.
                let four_squared =
                    |r: u128| r.checked_mul(r).and_then(|x| x.checked_mul(4));
                let fits = four_squared(r).is_some_and(|x| x <= b);
                let next_too_big = four_squared(r + 1).is_none_or(|x| b < x);
                if !(fits && next_too_big) {
                    return Err(
                        "a budget got a token count whose score matrix \
                                does not fit, or a smaller count than fits"
                            .into(),
                    );
                }
            }
            Ok(())
        },
    ));
    out
}
