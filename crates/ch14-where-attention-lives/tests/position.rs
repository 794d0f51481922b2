//! Position, as properties: without it self-attention only follows a
//! shuffle; with sinusoidal encodings the outputs change; with RoPE a
//! score depends on the offset between two positions and nothing else.

use attn_common::rng::SplitMix64;
use ch04_self_attention::self_attention::self_attention;
use ch14_where_attention_lives::position::{rope, rope_score, with_positions};
use ndarray::Axis;
use proptest::prelude::*;

/// A random permutation of `0..n` (Fisher-Yates).
fn permutation(rng: &mut SplitMix64, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

proptest! {
    // ANCHOR: equivariance
    /// Without positions, shuffling the tokens shuffles the outputs the
    /// same way: row r of the shuffled output is row p[r] of the original.
    #[test]
    fn without_positions_a_shuffle_only_reorders_the_outputs(
        t in 2usize..9, d in 1usize..6, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let x = rng.normal_matrix(t, d);
        let p = permutation(&mut rng, t);
        let shuffled = x.select(Axis(0), &p); // row r is token p[r]
        let a = self_attention(x.view()).unwrap().context;
        let b = self_attention(shuffled.view()).unwrap().context;
        for r in 0..t {
            for c in 0..d {
                prop_assert!((b[[r, c]] - a[[p[r], c]]).abs() < 1e-12);
            }
        }
    }
    // ANCHOR_END: equivariance

    // ANCHOR: rope_shift
    /// Moving a query and a key along by the same number of positions
    /// leaves their RoPE score unchanged.
    #[test]
    fn rope_scores_depend_only_on_the_offset(
        pairs in 1usize..5, m in 0usize..500, n in 0usize..500,
        shift in 0usize..500, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let q = rng.normal_matrix(1, 2 * pairs).row(0).to_owned();
        let k = rng.normal_matrix(1, 2 * pairs).row(0).to_owned();
        let here = rope_score(q.view(), m, k.view(), n).unwrap();
        let there =
            rope_score(q.view(), m + shift, k.view(), n + shift).unwrap();
        prop_assert!((here - there).abs() < 1e-9 * (1.0 + here.abs()));
    }
    // ANCHOR_END: rope_shift

    #[test]
    fn rope_keeps_a_vector_s_length(
        pairs in 1usize..5, position in 0usize..10_000, seed in any::<u64>(),
    ) {
        let x = SplitMix64::new(seed).normal_matrix(1, 2 * pairs);
        let turned = rope(x.row(0), position).unwrap();
        let (a, b) = (x.row(0).dot(&x.row(0)), turned.dot(&turned));
        prop_assert!((a - b).abs() < 1e-9 * (1.0 + a));
    }
}

#[test]
fn with_positions_the_reversed_sentence_gives_other_outputs() {
    let s = ch04_self_attention::sentences::journey();
    let reversed = s.x.slice(ndarray::s![..;-1, ..]).to_owned();
    let a = self_attention(with_positions(s.x.view()).unwrap().view())
        .unwrap()
        .context;
    let b = self_attention(with_positions(reversed.view()).unwrap().view())
        .unwrap()
        .context;
    // Row 1 is "journey" in order; in the reversed sentence it is row 4.
    let gap = (0..3)
        .map(|c| (a[[1, c]] - b[[4, c]]).abs())
        .fold(0.0, f64::max);
    assert!(gap > 0.01, "{gap}");
}
