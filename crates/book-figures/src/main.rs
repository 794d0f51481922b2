//! Renders every figure of the book into one folder.
//!
//! `cargo xtask figures` runs this with `book/figures`; `cargo xtask check`
//! runs it with a scratch folder and compares. Each chapter crate offers its
//! figures through a `figures()` function; a new chapter adds one line to
//! [`all_figures`]. Each figure is written in the four styles of
//! `attn_common::plot::Style`, under the file names `Style::file` gives.

use anyhow::{Context, Result, bail};
use attn_common::plot::{Figure, Style, with_style};
use std::path::PathBuf;

fn all_figures() -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    figures.extend(ch01_attention_intuition::figures()?);
    figures.extend(ch02_bottleneck::figures()?);
    figures.extend(ch03_queries_keys_values::figures()?);
    figures.extend(ch04_self_attention::figures()?);
    figures.extend(ch05_trainable_weights::figures()?);
    figures.extend(ch06_causal_attention::figures()?);
    figures.extend(ch07_multi_head_attention::figures()?);
    figures.extend(ch08_cross_attention::figures()?);
    figures.extend(ch09_scoring_functions::figures()?);
    figures.extend(ch10_hard_soft_attention::figures()?);
    figures.extend(ch11_seeing_attention::figures()?);
    figures.extend(ch12_learning_to_attend::figures()?);
    figures.extend(ch13_cost_of_attention::figures()?);
    figures.extend(ch14_where_attention_lives::figures()?);
    figures.extend(ch15_induction_heads::figures()?);
    figures.extend(ch16_tiny_gpt::figures()?);
    Ok(figures)
}

fn main() -> Result<()> {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        bail!("usage: book-figures <output folder>");
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    // Every figure in every style: wide and narrow (chosen by the page's
    // width), light and dark (chosen by the book's theme).
    for style in Style::ALL {
        for figure in with_style(style, all_figures)? {
            let path = dir.join(style.file(&figure.file));
            std::fs::write(&path, &figure.svg)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}
