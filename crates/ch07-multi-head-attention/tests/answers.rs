//! Checks the claim of the worked answer to exercise 7.6: with heads of
//! width 2, the key a query prefers is always a corner of the convex
//! polygon around the keys.

use proptest::prelude::*;

/// The cross product of `b - a` and `c - a`: positive when `a`, `b`, `c`
/// turn left.
fn cross(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

/// The indices of the corners of the convex hull of `points` (Andrew's
/// monotone chain; points on an edge are not corners).
fn hull_corners(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&i, &j| points[i].partial_cmp(&points[j]).unwrap());
    let half = |iter: &mut dyn Iterator<Item = usize>| {
        let mut chain: Vec<usize> = Vec::new();
        for i in iter {
            while chain.len() >= 2 {
                let (a, b) = (chain[chain.len() - 2], chain[chain.len() - 1]);
                if cross(points[a], points[b], points[i]) <= 0.0 {
                    chain.pop();
                } else {
                    break;
                }
            }
            chain.push(i);
        }
        chain.pop();
        chain
    };
    let mut corners = half(&mut order.iter().copied());
    corners.extend(half(&mut order.iter().rev().copied()));
    corners
}

proptest! {
    #[test]
    fn a_favourite_key_is_a_corner_of_the_hull(
        keys in prop::collection::vec((-10.0f64..10.0, -10.0f64..10.0), 3..20),
        q in (-10.0f64..10.0, -10.0f64..10.0),
    ) {
        let scores: Vec<f64> =
            keys.iter().map(|k| q.0 * k.0 + q.1 * k.1).collect();
        let best = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        // Barring ties: skip the rare draw where two keys share the top.
        prop_assume!(scores.iter().filter(|&&s| s == best).count() == 1);
        prop_assume!(q.0 != 0.0 || q.1 != 0.0);
        let favourite = scores.iter().position(|&s| s == best).unwrap();
        prop_assert!(
            hull_corners(&keys).contains(&favourite),
            "key {favourite} wins but is not a corner"
        );
    }
}

#[test]
fn a_key_inside_the_square_is_not_a_corner() {
    let keys = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0)];
    let mut corners = hull_corners(&keys);
    corners.sort_unstable();
    assert_eq!(corners, vec![0, 1, 2, 3]);
}
