//! A grid of heatmaps, one panel per attention head.
//!
//! Multi-head attention produces one `(T, T)` weight matrix per head. Laid
//! side by side on one shared colour scale, the panels can be compared at a
//! glance: the same colour means the same weight in every panel. Colours
//! come from the viridis map and the background is white, as in
//! [`crate::plot`].

use anyhow::{Result, ensure};
use ndarray::Array2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::{
    FONT, NARROW_WIDTH, SIZE_CAPTION, SIZE_CELL, SIZE_LABEL, SIZE_TITLE,
    col_label, colour_bar, draw_err, heat_cell, ink, paper, style,
    svg_notation,
};

/// Cells are annotated with their value only when a panel is at most this
/// many columns wide; wider panels would print digits on top of each other.
pub const MAX_ANNOTATED_COLUMNS: usize = 8;

/// Draws one heatmap panel per entry of `panels`, `columns` panels to a
/// row, on one colour scale shared by every panel.
///
/// Each panel is titled with its name (such as `"head 1"`), its columns
/// are labelled with `col_labels` below, and each row of panels has its
/// rows labelled once, with `row_labels`, on the left (the panels share
/// them), which keeps a two-panel-wide grid within the text column. The scale runs from the smallest to the largest
/// value over all panels, so the same colour means the same value in every
/// panel, and differences between heads stay visible even when every
/// weight is close to the same number (the colour bar says how close).
/// Cells carry their value (four decimals) when a panel has at most
/// [`MAX_ANNOTATED_COLUMNS`] columns.
///
/// # Shapes
/// - every `panels[p].1`: `(rows, cols)`, the same for every panel, with
///   `rows == row_labels.len()` and `cols == col_labels.len()`.
///
/// # Errors
/// No panels, `columns == 0`, panels of different shapes, labels that do not
/// fit, or empty or non-finite values.
pub fn heatmap_grid(
    title: &str,
    panels: &[(String, Array2<f64>)],
    row_labels: &[&str],
    col_labels: &[&str],
    columns: usize,
) -> Result<String> {
    ensure!(
        !panels.is_empty(),
        "a heatmap grid needs at least one panel"
    );
    ensure!(columns > 0, "a heatmap grid needs at least one column");
    let (rows, cols) = panels[0].1.dim();
    for (name, values) in panels {
        ensure!(
            values.dim() == (rows, cols),
            "panel `{name}` has shape {} but the first panel has shape \
             ({rows}, {cols})",
            crate::check::shape(values)
        );
        crate::check::usable(name, values)?;
    }
    ensure!(
        rows == row_labels.len() && cols == col_labels.len(),
        "the panels have shape ({rows}, {cols}) but there are {} row labels \
         and {} column labels",
        row_labels.len(),
        col_labels.len()
    );
    let all = || panels.iter().flat_map(|(_, v)| v.iter().copied());
    let min = all().fold(f64::MAX, f64::min);
    // A grid of one repeated value still needs a scale of some width.
    let max = all().fold(f64::MIN, f64::max).max(min + 1e-12);
    let narrow = style().narrow;
    // A phone's column holds one panel to a row.
    let columns = if narrow { 1 } else { columns.min(panels.len()) };
    let grid_rows = panels.len().div_ceil(columns);
    let per_char = if narrow { 8 } else { 9 };
    let longest = row_labels.iter().map(|s| s.chars().count()).max();
    let label_w = 14 + per_char * longest.unwrap_or(1) as i32;
    let bar_area = if narrow { 66 } else { 100 };
    let (cell_w, cell_h, annotate) = if narrow {
        let room = NARROW_WIDTH as i32 - label_w - bar_area - 20;
        let w = (room / cols.max(1) as i32).clamp(12, 52);
        let annotate = w >= 52 && cols <= MAX_ANNOTATED_COLUMNS;
        (w, if annotate { 30 } else { w.min(26) }, annotate)
    } else if cols <= MAX_ANNOTATED_COLUMNS {
        (52, 30, true)
    } else {
        (22, 22, false)
    };
    // Column labels stand upright when they do not fit under their cell.
    let col_chars = col_labels.iter().map(|s| s.chars().count()).max();
    let col_chars = col_chars.unwrap_or(1) as i32;
    let upright = 8 * col_chars > cell_w - 4;
    let col_label_h = if upright { 10 + 8 * col_chars } else { 26 };
    // One panel: its title, its cells, its column labels below; the row
    // labels stand once, left of the first column of panels.
    let panel_w = cols as i32 * cell_w + 20;
    let panel_h = 32 + rows as i32 * cell_h + col_label_h + 10;
    let top = if narrow { 8 } else { 44 };
    let bar_w = if narrow { 14 } else { 18 };
    let width = (label_w + panel_w * columns as i32 + bar_area) as u32;
    let height = (top + panel_h * grid_rows as i32 + 36) as u32;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height))
            .into_drawing_area();
        root.fill(paper()).map_err(draw_err)?;
        let text = |size: i32, h: HPos, v: VPos| {
            TextStyle::from((FONT, size).into_font())
                .color(ink())
                .pos(Pos::new(h, v))
        };
        if !narrow {
            root.draw(&Text::new(
                title.to_string(),
                (width as i32 / 2, 20),
                text(SIZE_TITLE, HPos::Center, VPos::Center),
            ))
            .map_err(draw_err)?;
        }
        for (p, (name, values)) in panels.iter().enumerate() {
            let x0 = (p % columns) as i32 * panel_w + label_w;
            let first_column = p % columns == 0;
            let y0 = top + (p / columns) as i32 * panel_h;
            let cells_top = y0 + 30;
            root.draw(&Text::new(
                name.clone(),
                (x0 + cols as i32 * cell_w / 2, y0 + 14),
                text(SIZE_CAPTION, HPos::Center, VPos::Center),
            ))
            .map_err(draw_err)?;
            for (i, row) in values.rows().into_iter().enumerate() {
                let y = cells_top + i as i32 * cell_h;
                if first_column {
                    root.draw(&Text::new(
                        row_labels[i].to_string(),
                        (x0 - 6, y + cell_h / 2),
                        text(SIZE_LABEL, HPos::Right, VPos::Center),
                    ))
                    .map_err(draw_err)?;
                }
                for (j, &v) in row.iter().enumerate() {
                    let x = x0 + j as i32 * cell_w;
                    let label = annotate.then_some(SIZE_CELL);
                    heat_cell(
                        &root,
                        (x, y),
                        (cell_w, cell_h),
                        v,
                        (min, max),
                        label,
                    )?;
                }
            }
            let bottom = cells_top + rows as i32 * cell_h;
            for (j, label) in col_labels.iter().enumerate() {
                let x = x0 + j as i32 * cell_w + cell_w / 2;
                col_label(&root, label, x, bottom, upright)?;
            }
        }
        // One colour bar for every panel.
        let bar_x = label_w + panel_w * columns as i32 + 8;
        let bar_h = (panel_h * grid_rows as i32 - 64).min(360);
        colour_bar(&root, (bar_x, top + 30), (bar_w, bar_h), min, max)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg_notation(&svg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn two_panels() -> Vec<(String, Array2<f64>)> {
        vec![
            ("head 1".to_string(), array![[0.25, 0.75], [1.0, 0.0]]),
            ("head 2".to_string(), array![[0.5, 0.5], [0.125, 0.875]]),
        ]
    }

    #[test]
    fn every_panel_title_and_value_is_drawn() {
        let svg = heatmap_grid("t", &two_panels(), &["a", "b"], &["a", "b"], 2)
            .unwrap();
        assert!(svg.starts_with("<svg"));
        for s in ["head 1", "head 2", "0.2500", "0.1250", "0.8750"] {
            assert!(svg.contains(s), "missing {s}");
        }
    }

    /// The fill colour a value gets on the scale `[min, max]`, as the SVG
    /// writes it.
    fn fill(v: f64, min: f64, max: f64) -> String {
        let c = ViridisRGB::get_color_normalized(v, min, max);
        format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)
    }

    #[test]
    fn the_scale_is_shared_across_panels() {
        // Head 2's 0.125 is its own smallest value, but on the shared scale
        // (0 from head 1 up to 1) it is not the darkest colour.
        let svg = heatmap_grid("t", &two_panels(), &["a", "b"], &["a", "b"], 1)
            .unwrap();
        assert!(svg.contains(&fill(0.125, 0.0, 1.0)), "shared colour");
        assert_ne!(fill(0.125, 0.0, 1.0), fill(0.0, 0.0, 1.0));
        assert!(svg.contains("1.0000") && svg.contains("0.0000"));
    }

    #[test]
    fn the_scale_spans_the_values_not_zero() {
        // Weights between 0.15 and 0.2 use the whole colour range.
        let panels = vec![("head 1".to_string(), array![[0.15, 0.2]])];
        let svg = heatmap_grid("t", &panels, &["a"], &["b", "c"], 1).unwrap();
        assert!(svg.contains(&fill(0.15, 0.15, 0.2)));
        assert!(svg.contains(&fill(0.2, 0.15, 0.2)));
    }

    #[test]
    fn wide_panels_are_drawn_without_numbers() {
        // 0.3125 is neither end of the colour bar, so only a cell could
        // print it.
        let mut wide = Array2::from_elem((2, 9), 0.3125);
        wide[[0, 0]] = 0.0;
        wide[[1, 8]] = 1.0;
        let labels = ["x"; 9];
        let svg = heatmap_grid(
            "t",
            &[("head 1".to_string(), wide)],
            &["a", "b"],
            &labels,
            1,
        )
        .unwrap();
        assert!(!svg.contains("0.3125"));
    }

    #[test]
    fn panels_of_different_shapes_are_rejected() {
        let mut panels = two_panels();
        panels.push(("head 3".to_string(), array![[1.0]]));
        let err = heatmap_grid("t", &panels, &["a", "b"], &["a", "b"], 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`head 3` has shape (1, 1)"), "{err}");
    }

    #[test]
    fn labels_that_do_not_fit_are_rejected() {
        let err = heatmap_grid("t", &two_panels(), &["a"], &["a", "b"], 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("shape (2, 2)"), "{err}");
    }

    #[test]
    fn no_panels_or_no_columns_are_rejected() {
        assert!(heatmap_grid("t", &[], &[], &[], 2).is_err());
        assert!(
            heatmap_grid("t", &two_panels(), &["a"; 2], &["b"; 2], 0).is_err()
        );
    }

    #[test]
    fn non_finite_values_are_rejected() {
        let panels = vec![("head 1".to_string(), array![[f64::NAN]])];
        assert!(heatmap_grid("t", &panels, &["a"], &["b"], 1).is_err());
    }
}
