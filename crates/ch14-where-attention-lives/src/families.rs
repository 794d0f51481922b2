//! Three families of transformer and the masks that tell them apart.

use ch06_causal_attention::causal_mask;
use ndarray::Array2;

/// Which attention matrices a family uses, each as a mask: `true` where
/// a query (row) may look at a key (column).
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyMasks {
    /// The family's name, such as `"GPT (decoder only)"`.
    pub name: &'static str,
    /// One `(name, mask)` per attention matrix the family computes.
    pub masks: Vec<(&'static str, Array2<bool>)>,
}

// ANCHOR: families
/// BERT, GPT and T5 for an input of `t_enc` tokens and (for T5) an
/// output of `t_dec` tokens.
///
/// - BERT reads with every token seeing every token (bidirectional).
/// - GPT writes, each token seeing only itself and the past (causal).
/// - T5 reads bidirectionally in its encoder, writes causally in its
///   decoder, and every decoder token cross-attends to every encoder
///   token.
///
/// # Shapes
/// - BERT and GPT: `(t_enc, t_enc)`; T5: encoder `(t_enc, t_enc)`,
///   decoder `(t_dec, t_dec)`, cross `(t_dec, t_enc)`
pub fn families(t_enc: usize, t_dec: usize) -> Vec<FamilyMasks> {
    let everything = |rows, cols| Array2::from_elem((rows, cols), true);
    vec![
        FamilyMasks {
            name: "BERT (encoder only)",
            masks: vec![("self-attention", everything(t_enc, t_enc))],
        },
        FamilyMasks {
            name: "GPT (decoder only)",
            masks: vec![("self-attention", causal_mask(t_enc))],
        },
        FamilyMasks {
            name: "T5 (encoder-decoder)",
            masks: vec![
                ("encoder self-attention", everything(t_enc, t_enc)),
                ("decoder self-attention", causal_mask(t_dec)),
                ("cross-attention", everything(t_dec, t_enc)),
            ],
        },
    ]
}
// ANCHOR_END: families

/// A mask drawn with characters: `#` where allowed, `.` where not.
///
/// # Shapes
/// - `mask`: `(rows, cols)` -> `rows` lines of `cols` characters
pub fn draw(mask: &Array2<bool>) -> String {
    let mut out = String::new();
    for row in mask.rows() {
        let cells: Vec<&str> =
            row.iter().map(|&ok| if ok { "#" } else { "." }).collect();
        out.push_str(&cells.join(" "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_draw_as_hashes_and_dots() {
        assert_eq!(draw(&causal_mask(2)), "# .\n# #\n");
    }

    #[test]
    fn only_gpt_and_the_t5_decoder_hide_the_future() {
        let f = families(4, 3);
        assert!(f[0].masks[0].1.iter().all(|&ok| ok));
        assert!(!f[1].masks[0].1[[0, 1]]);
        assert_eq!(f[2].masks[2].1.dim(), (3, 4));
        assert!(!f[2].masks[1].1[[0, 2]]);
    }
}
