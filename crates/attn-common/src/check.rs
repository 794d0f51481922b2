//! Input checks that fail with a message naming the shapes.
//!
//! ndarray panics deep inside a `dot` when shapes disagree; a learner then
//! sees a stack trace instead of the mistake. Every public function in the
//! chapter crates calls these first and returns an [`anyhow::Error`] that
//! says which input had which shape.

use anyhow::{Result, bail};
use ndarray::{ArrayBase, Data, Dimension};

/// Writes a shape as `(6, 3)`.
pub fn shape<S: Data, D: Dimension>(a: &ArrayBase<S, D>) -> String {
    let dims: Vec<String> = a.shape().iter().map(|d| d.to_string()).collect();
    if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    }
}

/// Fails unless every entry of `a` is finite, naming the first bad entry.
pub fn finite<S, D>(name: &str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data<Elem = f64>,
    D: Dimension,
{
    if let Some((index, value)) = a.indexed_iter().find(|(_, v)| !v.is_finite())
    {
        bail!(
            "`{name}` with shape {} holds a non-finite value {value} at {:?}",
            shape(a),
            index
        );
    }
    Ok(())
}

/// Fails if `a` has no rows (an empty sequence) or no columns.
pub fn non_empty<S, D>(name: &str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data,
    D: Dimension,
{
    if a.is_empty() {
        bail!(
            "`{name}` with shape {} is empty: attention needs at least one \
             token with at least one feature",
            shape(a)
        );
    }
    Ok(())
}

/// Fails unless `a` is non-empty and finite: the usual check for an input.
pub fn usable<S, D>(name: &str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data<Elem = f64>,
    D: Dimension,
{
    non_empty(name, a)?;
    finite(name, a)
}

/// Fails unless `left` (length `left_len`) and `right` (length `right_len`)
/// agree, with a message naming both inputs and their shapes.
pub fn same_len(
    what: &str,
    left: (&str, usize, &str),
    right: (&str, usize, &str),
) -> Result<()> {
    let (left_name, left_len, left_shape) = left;
    let (right_name, right_len, right_shape) = right;
    if left_len != right_len {
        bail!(
            "{what} must agree: `{left_name}` has shape {left_shape} \
             ({left_len}) but `{right_name}` has shape {right_shape} \
             ({right_len})"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn names_the_first_non_finite_entry() {
        let a = array![[1.0, 2.0], [f64::NAN, 4.0]];
        let err = finite("keys", &a).unwrap_err().to_string();
        assert_eq!(
            err,
            "`keys` with shape (2, 2) holds a non-finite value NaN at (1, 0)"
        );
    }

    #[test]
    fn rejects_an_empty_sequence() {
        let a = Array2::<f64>::zeros((0, 3));
        let err = usable("x", &a).unwrap_err().to_string();
        assert!(err.contains("`x` with shape (0, 3) is empty"), "{err}");
    }

    #[test]
    fn names_both_shapes_on_mismatch() {
        let err = same_len("widths", ("q", 3, "(3,)"), ("keys", 2, "(4, 2)"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`q` has shape (3,)"), "{err}");
        assert!(err.contains("`keys` has shape (4, 2)"), "{err}");
    }
}
