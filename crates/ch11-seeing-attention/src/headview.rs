//! The data behind the chapter's interactive head view, and the static
//! figure shown where JavaScript does not run.
//!
//! A [`HeadView`] is a set of attention maps over one pair of token
//! sequences (queries on the left, keys on the right), one map per head.
//! [`HeadView::to_json`] writes it as the JSON the page's script reads;
//! the chapter includes that text from a locked snapshot, so the view
//! shows exactly the locked numbers. [`HeadView::to_svg`] draws every
//! head as lines whose opacity is the weight: the same picture, frozen.

use crate::weights::check_rows;
use anyhow::{Result, bail};
use attn_common::{check, fmt};
use ndarray::Array2;
use std::fmt::Write as _;

/// Attention maps of several heads over one pair of token sequences.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadView {
    title: String,
    queries: Vec<String>,
    keys: Vec<String>,
    heads: Vec<(String, Array2<f64>)>,
}

impl HeadView {
    /// A head view of `heads`, each a name and its weights.
    ///
    /// # Shapes
    /// - every head's weights: `(T_q, T_k)` with `T_q = queries.len()`
    ///   and `T_k = keys.len()`
    ///
    /// # Errors
    /// No heads, a map of another shape, or rows that are not
    /// distributions; the error names the shapes.
    pub fn new(
        title: impl Into<String>,
        queries: &[&str],
        keys: &[&str],
        heads: Vec<(String, Array2<f64>)>,
    ) -> Result<Self> {
        if heads.is_empty() {
            bail!("a head view needs at least one head");
        }
        for (name, w) in &heads {
            if w.dim() != (queries.len(), keys.len()) {
                bail!(
                    "head `{name}` has weights of shape {} but there are \
                     {} queries and {} keys",
                    check::shape(w),
                    queries.len(),
                    keys.len()
                );
            }
            check_rows(name, w.view())?;
        }
        Ok(Self {
            title: title.into(),
            queries: queries.iter().map(|s| s.to_string()).collect(),
            keys: keys.iter().map(|s| s.to_string()).collect(),
            heads,
        })
    }

    // ANCHOR: to_json
    /// The view as JSON: the title, the tokens on each side, and every
    /// head's weights at four decimals, one head per line.
    ///
    /// Strings are escaped so the text can sit inside an HTML `<script>`
    /// element: `<`, `>` and `&` become `\u` escapes.
    pub fn to_json(&self) -> String {
        let strings = |xs: &[String]| {
            let quoted: Vec<String> = xs.iter().map(|s| json_str(s)).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut out = String::new();
        let _ = writeln!(out, "{{\"title\": {},", json_str(&self.title));
        let _ = writeln!(out, " \"queries\": {},", strings(&self.queries));
        let _ = writeln!(out, " \"keys\": {},", strings(&self.keys));
        out.push_str(" \"heads\": [\n");
        for (h, (name, w)) in self.heads.iter().enumerate() {
            let rows: Vec<String> = w
                .rows()
                .into_iter()
                .map(|r| fmt::list(r.iter().copied()))
                .collect();
            let comma = if h + 1 < self.heads.len() { "," } else { "" };
            let _ = writeln!(
                out,
                "  {{\"name\": {}, \"weights\": [{}]}}{comma}",
                json_str(name),
                rows.join(", ")
            );
        }
        out.push_str(" ]}\n");
        out
    }
    // ANCHOR_END: to_json

    /// Every head drawn as a panel: queries on the left, keys on the
    /// right, one line per pair whose opacity is the weight. Drawn in the
    /// current `attn_common::plot::Style`: two panels to a row, or one on
    /// a phone; dark ink on a white plate, or light ink on a dark one.
    pub fn to_svg(&self) -> String {
        let style = attn_common::plot::style();
        let hex = attn_common::plot::hex;
        let (paper, ink) = (hex(style.paper()), hex(style.ink()));
        // Okabe–Ito blue on white, its sky blue on the dark plate.
        let stroke = if style.dark { "#56B4E9" } else { "#0072B2" };
        let columns = if self.heads.len() > 1 && !style.narrow {
            2
        } else {
            1
        };
        let rows = self.heads.len().div_ceil(columns);
        let (panel_w, step) = (360, 22);
        let panel_h = 40 + step * self.queries.len().max(self.keys.len());
        let (top, bottom) = (44, if style.narrow { 52 } else { 34 });
        let width = panel_w * columns + 20;
        let height = top + panel_h * rows + bottom;
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" \
             height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
             font-family=\"sans-serif\" font-size=\"14\" fill=\"{ink}\">"
        );
        let _ = writeln!(
            svg,
            "<rect width=\"{width}\" height=\"{height}\" fill=\"{paper}\"/>"
        );
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" \
             font-size=\"17\">{}</text>",
            width / 2,
            xml(&self.title)
        );
        for (h, (name, w)) in self.heads.iter().enumerate() {
            let x0 = 10 + (h % columns) * panel_w;
            let y0 = top + (h / columns) * panel_h;
            let (left, right) = (x0 + 100, x0 + panel_w - 100);
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" \
                 font-size=\"15\">{}</text>",
                x0 + panel_w / 2,
                y0 + 14,
                xml(name)
            );
            let y = |i: usize| y0 + 36 + step * i;
            for ((i, j), &weight) in w.indexed_iter() {
                let _ = writeln!(
                    svg,
                    "<line x1=\"{left}\" y1=\"{}\" x2=\"{right}\" y2=\"{}\" \
                     stroke=\"{stroke}\" stroke-width=\"2\" \
                     stroke-opacity=\"{}\"/>",
                    y(i) - 5,
                    y(j) - 5,
                    fmt::num(weight)
                );
            }
            for (i, token) in self.queries.iter().enumerate() {
                let _ = writeln!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    left - 6,
                    y(i),
                    xml(token)
                );
            }
            for (j, token) in self.keys.iter().enumerate() {
                let _ = writeln!(
                    svg,
                    "<text x=\"{}\" y=\"{}\">{}</text>",
                    right + 6,
                    y(j),
                    xml(token)
                );
            }
        }
        let legend = if style.narrow {
            [
                "queries on the left, keys on the right;",
                "line opacity = weight",
            ]
            .as_slice()
        } else {
            &["queries on the left, keys on the right; line opacity = weight"]
        };
        for (k, line) in legend.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{line}</text>",
                width / 2,
                height + 18 * k - 12 - 18 * (legend.len() - 1)
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// A JSON string literal that is also safe inside an HTML `<script>`.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' | '>' | '&' | '$' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text escaped for an SVG (XML) document.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn json_escapes_markup_and_keeps_four_decimals() {
        let view = HeadView::new(
            "t",
            &["a"],
            &["</s>", "b"],
            vec![("h".into(), array![[0.25, 0.75]])],
        )
        .unwrap();
        let json = view.to_json();
        assert!(json.contains("\"\\u003c/s\\u003e\""), "{json}");
        assert!(json.contains("[[0.2500, 0.7500]]"), "{json}");
        assert!(!json.contains('<') && !json.contains('$'), "{json}");
    }

    #[test]
    fn rejects_a_map_of_the_wrong_shape() {
        let err = HeadView::new(
            "t",
            &["a", "b"],
            &["c"],
            vec![("h".into(), array![[1.0]])],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("(1, 1)"), "{err}");
    }
}
