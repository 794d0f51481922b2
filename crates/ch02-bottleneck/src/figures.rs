//! Chapter 2's figures, drawn from the same functions the text prints.

use crate::attention_step;
use crate::worked::{LONGEST, encoders, mean_log10, random_sequences};
use anyhow::Result;
use attn_common::plot::{Figure, Series, XScale, lines};

/// Every figure of chapter 2.
pub fn figures() -> Result<Vec<Figure>> {
    Ok(vec![first_token_influence()?, influence_by_position()?])
}

/// The lengths the first figure plots: 1, then every 4th up to 64.
fn lengths() -> Vec<usize> {
    std::iter::once(1).chain((4..=LONGEST).step_by(4)).collect()
}

/// `log10 |d output_T / d x_1|` against `T` for four encoders and one
/// attention step, averaged over the seeded random sequences.
fn first_token_influence() -> Result<Figure> {
    let (small, large) = encoders()?;
    let (small_lin, large_lin) =
        (small.clone().linear(), large.clone().linear());
    let seqs = random_sequences();
    let curve = |enc: &crate::RecurrentEncoder| -> Result<Vec<(f64, f64)>> {
        lengths()
            .into_iter()
            .map(|t| {
                let y = mean_log10(&seqs, t, |x| enc.token_jacobian(x, 0))?;
                Ok((t as f64, y))
            })
            .collect()
    };
    let attention: Vec<(f64, f64)> = lengths()
        .into_iter()
        .filter(|&t| t > 1)
        .map(|t| {
            let y =
                mean_log10(&seqs, t, |x| attention_step::token_jacobian(x, 0))?;
            Ok((t as f64, y))
        })
        .collect::<Result<_>>()?;
    let series = [
        Series {
            name: "linear, r = 1.5 (explodes)",
            values: curve(&large_lin)?,
        },
        Series {
            name: "one attention step",
            values: attention,
        },
        Series {
            name: "tanh, r = 1.5",
            values: curve(&large)?,
        },
        Series {
            name: "linear, r = 0.8",
            values: curve(&small_lin)?,
        },
        Series {
            name: "tanh, r = 0.8 (vanishes)",
            values: curve(&small)?,
        },
    ];
    let svg = lines(
        "How much the output still feels token 1",
        &series,
        "T (tokens read)",
        "log10 |d output_T / d x_1|",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch02-first-token-influence.svg", svg))
}

/// For a 32-token sequence, `log10 |d output_T / d x_j|` against `j`: the
/// recurrent encoder hears recent tokens best, attention hears every
/// token through one step.
fn influence_by_position() -> Result<Figure> {
    const T: usize = 32;
    let (small, _) = encoders()?;
    let seqs: Vec<_> = random_sequences()
        .into_iter()
        .map(|x| x.slice(ndarray::s![..T, ..]).to_owned())
        .collect();
    let mut rnn = Vec::new();
    let mut attn = Vec::new();
    for j in 0..T - 1 {
        let y = mean_log10(&seqs, T, |x| small.token_jacobian(x, j))?;
        rnn.push(((j + 1) as f64, y));
        let y = mean_log10(&seqs, T, |x| attention_step::token_jacobian(x, j))?;
        attn.push(((j + 1) as f64, y));
    }
    let series = [
        Series {
            name: "tanh encoder, r = 0.8: h_32",
            values: rnn,
        },
        Series {
            name: "one attention step: z_32",
            values: attn,
        },
    ];
    let svg = lines(
        "Influence of token j on the output at T = 32",
        &series,
        "j (position of the token)",
        "log10 |d output_32 / d x_j|",
        XScale::Linear,
    )?;
    Ok(Figure::new("ch02-influence-by-position.svg", svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_is_an_svg_with_a_chapter_2_name() {
        // Seconds of training or drawing whose only input is this
        // executable: not run again while it is unchanged.
        attn_common::record::unless_passed(
            "ch02::figures::every_figure_is_an_svg",
            || {
                let figures = figures().unwrap();
                assert_eq!(figures.len(), 2);
                for f in figures {
                    assert!(f.file.starts_with("ch02-"), "{}", f.file);
                    assert!(f.svg.starts_with("<svg"), "{}", f.file);
                }
            },
        );
    }
}
