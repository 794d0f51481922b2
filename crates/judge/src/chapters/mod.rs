//! Every chapter's judge: the checks its exercises must pass, and the
//! reference answers they are compared with.
//!
//! `chNN.rs` lists chapter NN's checks; the reference answers come from
//! the chapter crate's own `answer` module, linked here with the reference
//! solutions. Student code is never linked with this crate.

pub mod ch01;
pub mod ch02;
pub mod ch03;
pub mod ch04;
pub mod ch05;
pub mod ch06;
pub mod ch07;
pub mod ch08;
pub mod ch09;
pub mod ch10;
pub mod ch11;
pub mod ch12;
pub mod ch13;
pub mod ch14;
pub mod ch15;
pub mod ch16;

use crate::check::Check;
use anyhow::Result;
use attn_common::answer::Value;

/// A chapter's reference: its `answer::answer` function.
pub type Reference = fn(&str, &Value) -> Result<Value>;

/// Every chapter this judge has checks for; a test keeps it equal to the
/// workspace's chapter crates, and the judge's hostile-answer tests go
/// through all of them.
pub const KNOWN: [&str; 16] = [
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    "13", "14", "15", "16",
];

/// Chapter `nn`'s (`"05"`) checks for the hidden `seed`, with its reference,
/// or `None` for a chapter this judge does not know.
pub fn suite(nn: &str, seed: u64) -> Option<(Vec<Check>, Reference)> {
    let suite: (Vec<Check>, Reference) = match nn {
        "01" => (ch01::checks(seed), ch01_attention_intuition::answer::answer),
        "02" => (ch02::checks(seed), ch02_bottleneck::answer::answer),
        "03" => (ch03::checks(seed), ch03_queries_keys_values::answer::answer),
        "04" => (ch04::checks(seed), ch04_self_attention::answer::answer),
        "05" => (ch05::checks(seed), ch05_trainable_weights::answer::answer),
        "06" => (ch06::checks(seed), ch06_causal_attention::answer::answer),
        "07" => (
            ch07::checks(seed),
            ch07_multi_head_attention::answer::answer,
        ),
        "08" => (ch08::checks(seed), ch08_cross_attention::answer::answer),
        "09" => (ch09::checks(seed), ch09_scoring_functions::answer::answer),
        "10" => (ch10::checks(seed), ch10_hard_soft_attention::answer::answer),
        "11" => (ch11::checks(seed), ch11_seeing_attention::answer::answer),
        "12" => (ch12::checks(seed), ch12_learning_to_attend::answer::answer),
        "13" => (ch13::checks(seed), ch13_cost_of_attention::answer::answer),
        "14" => (
            ch14::checks(seed),
            ch14_where_attention_lives::answer::answer,
        ),
        "15" => (ch15::checks(seed), ch15_induction_heads::answer::answer),
        "16" => (ch16::checks(seed), ch16_tiny_gpt::answer::answer),
        _ => return None,
    };
    Some(suite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::run_check;
    use crate::check::{Gate, Oracle, Reply};
    use crate::runner::Reference;

    const ALL: [&str; KNOWN.len()] = KNOWN;

    #[test]
    fn every_chapter_crate_of_the_workspace_is_known() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let crates: Vec<String> = assign::all_chapters(&root)
            .unwrap()
            .into_iter()
            .map(|c| c.nn)
            .collect();
        assert_eq!(crates, KNOWN, "judge::chapters::KNOWN is out of date");
        for nn in KNOWN {
            assert!(suite(nn, 1).is_some(), "no suite for chapter {nn}");
        }
    }

    /// A student who solved nothing: every call panics, as `todo!()` does.
    struct Unsolved;
    impl Oracle for Unsolved {
        fn ask(&mut self, _: &str, _: &Value) -> Reply {
            Reply::Crashed("panicked".into())
        }
    }

    #[test]
    fn the_reference_passes_every_check_and_opens_every_gate() {
        for seed in [1, 2026, u64::MAX] {
            for nn in ALL {
                let (checks, reference) = suite(nn, seed).unwrap();
                let mut gate = Gate::default();
                for c in &checks {
                    let failure = gate
                        .run(
                            c,
                            &mut Reference(reference),
                            &mut Reference(reference),
                        )
                        .unwrap();
                    assert_eq!(
                        failure, None,
                        "chapter {nn}, exercise {}, check `{}`, seed {seed}",
                        c.exercise, c.name
                    );
                }
                for c in &checks {
                    // Two different right answers that no trivial answer
                    // gives, so that a constant cannot open the gate.
                    assert!(
                        gate.anchors(&c.exercise) >= 2,
                        "chapter {nn}, exercise {}: fewer than 2 non-trivial \
                         right answers (seed {seed})",
                        c.exercise
                    );
                    assert!(gate.open(&c.exercise));
                }
            }
        }
    }

    #[test]
    fn every_check_fails_for_a_student_who_solved_nothing() {
        for nn in ALL {
            let (checks, reference) = suite(nn, 7).unwrap();
            for c in &checks {
                let failure =
                    run_check(c, &mut Unsolved, &mut Reference(reference))
                        .unwrap();
                assert!(
                    failure.is_some(),
                    "chapter {nn}, exercise {}: check `{}` passes unsolved",
                    c.exercise,
                    c.name
                );
            }
        }
    }

    #[test]
    fn every_input_survives_the_trip_through_json_text() {
        // The student's runner reads inputs as text; a number that came
        // back one ulp off would fail an exact check of a right answer.
        for nn in ALL {
            for c in suite(nn, 2026).unwrap().0 {
                let input = match &c.kind {
                    crate::check::Kind::Matches { input, .. }
                    | crate::check::Kind::Fails { input, .. } => input,
                    crate::check::Kind::Property(_) => continue,
                };
                let back =
                    attn_common::answer::parse(&input.to_string()).unwrap();
                assert_eq!(&back, input, "chapter {nn}, `{}`", c.name);
            }
        }
    }

    #[test]
    fn hidden_cases_change_with_the_seed() {
        // Two seeds draw different inputs for at least one check of
        // chapter 5: the hidden cases really are hidden behind the seed.
        let inputs = |seed| -> Vec<String> {
            suite("05", seed)
                .unwrap()
                .0
                .iter()
                .filter_map(|c| match &c.kind {
                    crate::check::Kind::Matches { input, .. } => {
                        Some(input.to_string())
                    }
                    _ => None,
                })
                .collect()
        };
        assert_ne!(inputs(1), inputs(2));
    }
}
