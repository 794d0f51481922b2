//! A key-value memory, read two ways: softly, with attention weights, and
//! exactly, like a dictionary.

use anyhow::{Result, bail};
use attn_common::check;
use ch03_queries_keys_values::softmax::softmax;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// A small memory of `T` named entries. Each entry has a key (what the
/// entry is about) and a value (what recalling it gives back).
///
/// The constructor checks the inputs once, so every read can rely on a
/// memory that is non-empty, finite and has distinct keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Memory {
    names: Vec<String>,
    keys: Array2<f64>,
    values: Array2<f64>,
}

/// What a soft read returns: every entry gets some weight.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftRead {
    /// How well each key matches the query (a dot product). Shape `(T,)`.
    pub scores: Array1<f64>,
    /// Softmax of the scores: positive, summing to 1. Shape `(T,)`.
    pub weights: Array1<f64>,
    /// The weighted blend of all values. Shape `(d_v,)`.
    pub output: Array1<f64>,
}

/// What an exact lookup returns when one key equals the query.
#[derive(Debug, Clone, PartialEq)]
pub struct HardRead {
    /// The row of the matching entry, from 0.
    pub index: usize,
    /// One-hot weights: 1 for the match, 0 elsewhere. Shape `(T,)`.
    pub weights: Array1<f64>,
    /// The matching entry's value, unchanged. Shape `(d_v,)`.
    pub output: Array1<f64>,
}

impl Memory {
    /// Builds a memory from one name, one key and one value per entry.
    ///
    /// # Shapes
    /// - `names`: `T` entries
    /// - `keys`: `(T, d_k)`, one key per row
    /// - `values`: `(T, d_v)`, one value per row
    ///
    /// # Errors
    /// An empty memory, non-finite keys or values, different counts of
    /// names, keys and values, or two entries with the same key (an exact
    /// lookup could then not return exactly one entry).
    pub fn new(
        names: &[&str],
        keys: Array2<f64>,
        values: Array2<f64>,
    ) -> Result<Self> {
        check::usable("keys", &keys)?;
        check::usable("values", &values)?;
        check::same_len(
            "the number of keys and values (T)",
            ("keys", keys.nrows(), &check::shape(&keys)),
            ("values", values.nrows(), &check::shape(&values)),
        )?;
        check::same_len(
            "the number of names and keys (T)",
            ("names", names.len(), &format!("({},)", names.len())),
            ("keys", keys.nrows(), &check::shape(&keys)),
        )?;
        for i in 0..keys.nrows() {
            for j in i + 1..keys.nrows() {
                if keys.row(i) == keys.row(j) {
                    bail!(
                        "`keys` with shape {} holds the same key twice, for \
                         `{}` (row {i}) and `{}` (row {j}): an exact lookup \
                         needs distinct keys",
                        check::shape(&keys),
                        names[i],
                        names[j]
                    );
                }
            }
        }
        let names = names.iter().map(|s| s.to_string()).collect();
        Ok(Self {
            names,
            keys,
            values,
        })
    }

    /// The entries' names, in row order (`T` of them).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The keys, one per row.
    ///
    /// # Shapes
    /// - returns `(T, d_k)`
    pub fn keys(&self) -> ArrayView2<'_, f64> {
        self.keys.view()
    }

    /// The values, one per row.
    ///
    /// # Shapes
    /// - returns `(T, d_v)`
    pub fn values(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// Checks that a query can be compared with this memory's keys.
    fn check_query(&self, query: ArrayView1<f64>) -> Result<()> {
        check::usable("query", &query)?;
        check::same_len(
            "the query's width and the keys' width (d_k)",
            ("query", query.len(), &check::shape(&query)),
            ("keys", self.keys.ncols(), &check::shape(&self.keys)),
        )
    }

    // ANCHOR: scores
    /// How well each key matches the query: one dot product per entry.
    ///
    /// # Shapes
    /// - `query`: `(d_k,)`
    /// - returns `(T,)`
    ///
    /// # Errors
    /// An empty or non-finite query, or one whose width is not `d_k`.
    pub fn scores(&self, query: ArrayView1<f64>) -> Result<Array1<f64>> {
        self.check_query(query)?;
        Ok(self.keys.dot(&query)) // (T, d_k) x (d_k,) -> (T,)
    }
    // ANCHOR_END: scores

    // ANCHOR: soft_read
    /// Reads every entry at once, each in proportion to its weight.
    ///
    /// # Shapes
    /// - `query`: `(d_k,)`
    /// - returns scores `(T,)`, weights `(T,)` and output `(d_v,)`
    ///
    /// # Errors
    /// As [`Memory::scores`].
    pub fn soft_read(&self, query: ArrayView1<f64>) -> Result<SoftRead> {
        let scores = self.scores(query)?;
        // Chapter 3 explains softmax: positive weights that sum to 1.
        let weights = softmax(scores.view())?;
        let output = weights.dot(&self.values); // (T,) x (T, d_v) -> (d_v,)
        Ok(SoftRead {
            scores,
            weights,
            output,
        })
    }
    // ANCHOR_END: soft_read

    // ANCHOR: hard_lookup
    /// Reads the one entry whose key equals the query exactly, if any.
    ///
    /// Returns `Ok(None)` when no key matches: a dictionary has nothing
    /// to say about a key it does not hold, however close.
    ///
    /// # Shapes
    /// - `query`: `(d_k,)`
    /// - returns weights `(T,)` (one-hot) and output `(d_v,)`
    ///
    /// # Errors
    /// As [`Memory::scores`].
    pub fn hard_lookup(
        &self,
        query: ArrayView1<f64>,
    ) -> Result<Option<HardRead>> {
        self.check_query(query)?;
        let mut keys = self.keys.rows().into_iter();
        let Some(index) = keys.position(|key| key == query) else {
            return Ok(None);
        };
        let mut weights = Array1::zeros(self.keys.nrows());
        weights[index] = 1.0;
        // The same mixing step as the soft read; one-hot weights pick a row.
        let output = weights.dot(&self.values); // (T,) x (T, d_v) -> (d_v,)
        Ok(Some(HardRead {
            index,
            weights,
            output,
        }))
    }
    // ANCHOR_END: hard_lookup
}

#[cfg(test)]
mod tests {
    use super::*;
    use attn_common::rng::SplitMix64;
    use ndarray::array;
    use proptest::prelude::*;

    fn two_entries() -> Memory {
        Memory::new(
            &["a", "b"],
            array![[1.0, 0.0], [0.0, 1.0]],
            array![[2.0], [4.0]],
        )
        .unwrap()
    }

    #[test]
    fn soft_read_matches_the_hand_computation() {
        // Scores [1, 0]; weights [e / (e + 1), 1 / (e + 1)]
        // = [0.7310585786, 0.2689414214]; output 2 w_a + 4 w_b
        // = 2.5378828427.
        let read = two_entries().soft_read(array![1.0, 0.0].view()).unwrap();
        assert_eq!(read.scores, array![1.0, 0.0]);
        assert!((read.weights[0] - 0.731_058_578_630_004_9).abs() < 1e-15);
        assert!((read.weights[1] - 0.268_941_421_369_995_1).abs() < 1e-15);
        assert!((read.output[0] - 2.537_882_842_739_990_3).abs() < 1e-14);
    }

    #[test]
    fn hard_lookup_returns_the_exact_match_or_nothing() {
        let memory = two_entries();
        let hit = memory.hard_lookup(array![0.0, 1.0].view()).unwrap();
        let hit = hit.expect("the key [0, 1] is stored");
        assert_eq!(hit.index, 1);
        assert_eq!(hit.weights, array![0.0, 1.0]);
        assert_eq!(hit.output, array![4.0]);
        let miss = memory.hard_lookup(array![0.0, 0.999].view()).unwrap();
        assert_eq!(miss, None);
    }

    #[test]
    fn a_query_of_the_wrong_width_names_both_shapes() {
        let memory = two_entries();
        for err in [
            memory.soft_read(array![1.0, 0.0, 1.0].view()).unwrap_err(),
            memory.hard_lookup(array![1.0].view()).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(err.contains("`keys` has shape (2, 2)"), "{err}");
            assert!(err.contains("`query` has shape"), "{err}");
        }
    }

    #[test]
    fn an_empty_memory_is_rejected() {
        let err =
            Memory::new(&[], Array2::zeros((0, 3)), Array2::zeros((0, 2)))
                .unwrap_err()
                .to_string();
        assert!(err.contains("`keys` with shape (0, 3) is empty"), "{err}");
    }

    #[test]
    fn a_non_finite_query_is_rejected() {
        let memory = two_entries();
        let err = memory
            .soft_read(array![f64::NAN, 0.0].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`query` with shape (2,)"), "{err}");
        let err = memory
            .hard_lookup(array![0.0, f64::INFINITY].view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("non-finite value inf at 1"), "{err}");
    }

    #[test]
    fn an_empty_query_is_rejected() {
        let err = two_entries()
            .soft_read(Array1::zeros(0).view())
            .unwrap_err()
            .to_string();
        assert!(err.contains("`query` with shape (0,) is empty"), "{err}");
    }

    #[test]
    fn non_finite_keys_or_values_are_rejected() {
        let err = Memory::new(&["a"], array![[f64::NAN]], array![[1.0]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`keys` with shape (1, 1)"), "{err}");
        let err = Memory::new(&["a"], array![[1.0]], array![[f64::INFINITY]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`values` with shape (1, 1)"), "{err}");
    }

    #[test]
    fn counts_of_names_keys_and_values_must_agree() {
        let err = Memory::new(&["a", "b"], array![[1.0]], array![[1.0]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`names` has shape (2,)"), "{err}");
        let err = Memory::new(&["a"], array![[1.0]], array![[1.0], [2.0]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`values` has shape (2, 1)"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let err = Memory::new(
            &["a", "b"],
            array![[1.0, 2.0], [1.0, 2.0]],
            array![[1.0], [2.0]],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`a` (row 0) and `b` (row 1)"), "{err}");
    }

    /// A random memory with keys and values uniform in `[-3, 3)`.
    fn random_memory(
        rng: &mut SplitMix64,
        t: usize,
        d_k: usize,
        d_v: usize,
    ) -> Memory {
        let names: Vec<String> = (0..t).map(|i| format!("m{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let keys = rng.uniform_matrix(t, d_k, -3.0, 3.0);
        let values = rng.uniform_matrix(t, d_v, -3.0, 3.0);
        Memory::new(&names, keys, values).unwrap()
    }

    proptest! {
        #[test]
        fn soft_weights_are_positive_and_sum_to_one(
            t in 1usize..8, d_k in 1usize..6, d_v in 1usize..4,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let memory = random_memory(&mut rng, t, d_k, d_v);
            let query = rng.uniform_matrix(1, d_k, -3.0, 3.0).row(0).to_owned();
            let read = memory.soft_read(query.view()).unwrap();
            prop_assert!(read.weights.iter().all(|&w| w > 0.0));
            prop_assert!((read.weights.sum() - 1.0).abs() < 1e-12);
        }

        #[test]
        fn the_soft_read_lies_between_the_smallest_and_largest_values(
            t in 1usize..8, d_k in 1usize..6, d_v in 1usize..4,
            seed in any::<u64>(),
        ) {
            // A blend with positive weights summing to 1 (a convex
            // combination) can never leave the range of what it blends.
            let mut rng = SplitMix64::new(seed);
            let memory = random_memory(&mut rng, t, d_k, d_v);
            let query = rng.uniform_matrix(1, d_k, -3.0, 3.0).row(0).to_owned();
            let read = memory.soft_read(query.view()).unwrap();
            for (d, out) in read.output.iter().enumerate() {
                let column = memory.values().column(d).to_owned();
                let lo = column.fold(f64::INFINITY, |m, &x| m.min(x));
                let hi = column.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
                prop_assert!(lo - 1e-12 <= *out && *out <= hi + 1e-12);
            }
        }

        #[test]
        fn every_stored_key_is_found_by_the_exact_lookup(
            t in 1usize..8, d_k in 1usize..6, d_v in 1usize..4,
            seed in any::<u64>(),
        ) {
            let mut rng = SplitMix64::new(seed);
            let memory = random_memory(&mut rng, t, d_k, d_v);
            for (i, key) in memory.keys().rows().into_iter().enumerate() {
                let hit = memory.hard_lookup(key).unwrap().unwrap();
                prop_assert_eq!(hit.index, i);
                prop_assert_eq!(hit.output, memory.values().row(i).to_owned());
            }
        }

        #[test]
        fn a_sharp_query_makes_the_soft_read_the_hard_read(
            t in 2usize..8, d_k in 2usize..6, d_v in 1usize..4,
            pick in any::<prop::sample::Index>(),
            sharpness in 1.0f64..200.0,
            seed in any::<u64>(),
        ) {
            // With unit-length keys, key i scores s against the query
            // s * k_i and every other key scores s * cos <= s * (1 - m),
            // where m is the margin to the closest other key. So the
            // weight left for the others is at most (T - 1) exp(-s m), and
            // the soft read moves from the hard read by at most that much
            // times the largest distance between two values.
            let mut rng = SplitMix64::new(seed);
            let mut keys = rng.normal_matrix(t, d_k);
            for mut row in keys.rows_mut() {
                let norm = row.dot(&row).sqrt(); // (d_k,) x (d_k,) -> ()
                row /= norm;
            }
            let values = rng.uniform_matrix(t, d_v, -3.0, 3.0);
            let names: Vec<String> = (0..t).map(|i| format!("m{i}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let memory = Memory::new(&names, keys.clone(), values)
                .unwrap();
            let i = pick.index(t);
            let own = keys.row(i);
            let closest = (0..t)
                .filter(|&j| j != i)
                .map(|j| keys.row(j).dot(&own)) // (d_k,) x (d_k,) -> ()
                .fold(f64::NEG_INFINITY, f64::max);
            let margin = 1.0 - closest;
            prop_assume!(margin > 1e-6);
            let query = own.to_owned() * sharpness;
            let soft = memory.soft_read(query.view()).unwrap();
            let hard = memory.hard_lookup(own).unwrap().unwrap();
            let left_over = 1.0 - soft.weights[i];
            let bound = (t - 1) as f64 * (-sharpness * margin).exp();
            prop_assert!(left_over <= bound + 1e-12, "{left_over} > {bound}");
            let spread = 6.0; // values lie in [-3, 3)
            for (s, h) in soft.output.iter().zip(&hard.output) {
                prop_assert!((s - h).abs() <= left_over * spread + 1e-12);
            }
        }

        #[test]
        fn a_nudge_breaks_the_exact_lookup_but_barely_moves_the_soft_read(
            t in 1usize..8, d_k in 1usize..6, d_v in 1usize..4,
            pick in any::<prop::sample::Index>(),
            nudge in 1e-9f64..1e-3,
            seed in any::<u64>(),
        ) {
            // Softmax moves its weights by at most twice the largest change
            // in any score (in total, summed over entries), so each output
            // feature moves by at most that times the largest |value|.
            let mut rng = SplitMix64::new(seed);
            let memory = random_memory(&mut rng, t, d_k, d_v);
            let i = pick.index(t);
            let key = memory.keys().row(i).to_owned();
            let mut nudged = key.clone();
            nudged[0] += nudge;
            prop_assert_eq!(memory.hard_lookup(nudged.view()).unwrap(), None);
            let before = memory.soft_read(key.view()).unwrap();
            let after = memory.soft_read(nudged.view()).unwrap();
            let score_change = (&after.scores - &before.scores)
                .fold(0.0_f64, |m, &x| m.max(x.abs()));
            let largest_value = memory
                .values()
                .fold(0.0_f64, |m, &x| m.max(x.abs()));
            let bound = 2.0 * score_change * largest_value;
            for (a, b) in after.output.iter().zip(&before.output) {
                prop_assert!((a - b).abs() <= bound + 1e-12);
            }
        }
    }
}
