//! Figures as SVG strings, drawn with plotters.
//!
//! Every figure in the book comes from one of these functions, called by a
//! chapter crate with numbers it computed. They return the SVG text instead
//! of writing a file, so `cargo xtask figures` can write it and
//! `cargo xtask check` can compare it with the committed copy.
//!
//! Colours are chosen for readers with colour-vision deficiencies: heatmaps
//! use the viridis map (perceptually uniform, readable in greyscale) and
//! series use the Okabe–Ito palette. Every figure has a white background so
//! it stays legible on the book's dark themes too.

use crate::fmt::num;
use anyhow::{Result, anyhow, ensure};
use ndarray::ArrayView2;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The Okabe–Ito palette (without black), safe for the common forms of
/// colour blindness.
pub const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];

pub(crate) const FONT: &str = "sans-serif";

pub(crate) fn draw_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the figure failed: {e:?}")
}

/// Draws one heatmap cell at `(x, y)` of size `(w, h)`, coloured by where
/// `v` lies in `range`, with its value written in `label_size` points
/// (dark ink on light cells, light ink on dark ones) unless `None`.
pub(crate) fn heat_cell<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    v: f64,
    (min, max): (f64, f64),
    label_size: Option<i32>,
) -> Result<()> {
    let fill = ViridisRGB::get_color_normalized(v, min, max);
    root.draw(&Rectangle::new([(x, y), (x + w, y + h)], fill.filled()))
        .map_err(draw_err)?;
    if let Some(size) = label_size {
        // Viridis is dark at the bottom and light at the top.
        let ink = if (v - min) / (max - min) > 0.6 {
            BLACK
        } else {
            WHITE
        };
        root.draw(&Text::new(
            num(v),
            (x + w / 2, y + h / 2),
            TextStyle::from((FONT, size).into_font())
                .color(&ink)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Draws a vertical viridis colour bar at `(x, top)` of size
/// `(width, height)`, 40 slices from `min` (bottom) to `max` (top),
/// labelled at both ends.
pub(crate) fn colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    (x, top): (i32, i32),
    (width, height): (i32, i32),
    min: f64,
    max: f64,
) -> Result<()> {
    let slices = 40;
    for s in 0..slices {
        let y0 = top + height - (s + 1) * height / slices;
        let y1 = top + height - s * height / slices;
        let v = min + (max - min) * (s as f64 + 0.5) / slices as f64;
        let fill = ViridisRGB::get_color_normalized(v, min, max);
        root.draw(&Rectangle::new([(x, y0), (x + width, y1)], fill.filled()))
            .map_err(draw_err)?;
    }
    for (v, y) in [(max, top), (min, top + height)] {
        root.draw(&Text::new(
            num(v),
            (x + width + 4, y),
            TextStyle::from((FONT, 12).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// What a heatmap shows: a matrix with a label for each row and column.
pub struct Heatmap<'a> {
    /// The title above the map.
    pub title: &'a str,
    /// The values, one cell each. Shape `(rows, cols)`.
    pub values: ArrayView2<'a, f64>,
    /// One label per row, drawn on the left.
    pub row_labels: &'a [&'a str],
    /// One label per column, drawn below.
    pub col_labels: &'a [&'a str],
    /// Caption of the row axis, such as "query".
    pub row_axis: &'a str,
    /// Caption of the column axis, such as "key".
    pub col_axis: &'a str,
}

/// Draws a heatmap with every cell annotated with its value (four decimals).
///
/// The colour scale runs from 0 to the largest value, so attention weights
/// (which lie in `[0, 1]`) keep their zero at the dark end.
///
/// # Shapes
/// - `map.values`: `(rows, cols)`, with `rows == row_labels.len()` and
///   `cols == col_labels.len()`.
pub fn heatmap(map: &Heatmap) -> Result<String> {
    let (rows, cols) = map.values.dim();
    ensure!(
        rows == map.row_labels.len() && cols == map.col_labels.len(),
        "heatmap values have shape ({rows}, {cols}) but there are {} row \
         labels and {} column labels",
        map.row_labels.len(),
        map.col_labels.len()
    );
    crate::check::usable("heatmap values", &map.values)?;
    let max = map
        .values
        .iter()
        .copied()
        .fold(f64::MIN, f64::max)
        .max(1e-12);
    let min = map.values.iter().copied().fold(f64::MAX, f64::min).min(0.0);

    let label_w = 20
        + 9 * map.row_labels.iter().map(|s| s.len()).max().unwrap_or(1) as i32;
    let cell_w = 76;
    let cell_h = 38;
    let left = 34 + label_w;
    let top = 50;
    let bar_w = 18;
    let width = (left + cols as i32 * cell_w + 100) as u32;
    let height = (top + rows as i32 * cell_h + 70) as u32;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let text = |size: i32, h: HPos, v: VPos| {
            TextStyle::from((FONT, size).into_font())
                .color(&BLACK)
                .pos(Pos::new(h, v))
        };
        root.draw(&Text::new(
            map.title.to_string(),
            (width as i32 / 2, 20),
            text(17, HPos::Center, VPos::Center),
        ))
        .map_err(draw_err)?;
        for (i, row) in map.values.rows().into_iter().enumerate() {
            let y = top + i as i32 * cell_h;
            root.draw(&Text::new(
                map.row_labels[i].to_string(),
                (left - 8, y + cell_h / 2),
                text(14, HPos::Right, VPos::Center),
            ))
            .map_err(draw_err)?;
            for (j, &v) in row.iter().enumerate() {
                let x = left + j as i32 * cell_w;
                heat_cell(
                    &root,
                    (x, y),
                    (cell_w, cell_h),
                    v,
                    (min, max),
                    Some(13),
                )?;
            }
        }
        let bottom = top + rows as i32 * cell_h;
        for (j, label) in map.col_labels.iter().enumerate() {
            root.draw(&Text::new(
                label.to_string(),
                (left + j as i32 * cell_w + cell_w / 2, bottom + 14),
                text(14, HPos::Center, VPos::Center),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Text::new(
            map.col_axis.to_string(),
            (left + cols as i32 * cell_w / 2, bottom + 44),
            text(15, HPos::Center, VPos::Center),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            map.row_axis.to_string(),
            (14, top + rows as i32 * cell_h / 2),
            TextStyle::from(
                (FONT, 15).into_font().transform(FontTransform::Rotate270),
            )
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(draw_err)?;
        let bar_x = left + cols as i32 * cell_w + 18;
        colour_bar(
            &root,
            (bar_x, top),
            (bar_w, rows as i32 * cell_h),
            min,
            max,
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// One named series of a bar or line chart.
pub struct Series<'a> {
    /// The name shown in the legend.
    pub name: &'a str,
    /// The values: one per category for bars, `(x, y)` points for lines.
    pub values: Vec<(f64, f64)>,
}

/// Draws grouped bars: one group per category, one bar per series.
///
/// # Shapes
/// - every `series[s].values` has `categories.len()` points whose `x` is
///   ignored and whose `y` is the bar height.
pub fn grouped_bars(
    title: &str,
    categories: &[&str],
    series: &[Series],
    y_label: &str,
) -> Result<String> {
    ensure!(
        !categories.is_empty(),
        "a bar chart needs at least one category"
    );
    ensure!(
        !series.is_empty() && series.len() <= OKABE_ITO.len(),
        "a bar chart takes 1 to {} series, got {}",
        OKABE_ITO.len(),
        series.len()
    );
    for s in series {
        ensure!(
            s.values.len() == categories.len(),
            "series `{}` has {} values for {} categories",
            s.name,
            s.values.len(),
            categories.len()
        );
    }
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().map(|p| p.1))
        .fold(0.0_f64, f64::max)
        // Headroom above the tallest bar for the legend (about 16 px per
        // series in a plot area about 280 px tall).
        * (1.1 + 0.12 * series.len() as f64);
    let n = categories.len();
    let width = (140 + n * (40 + 30 * series.len())).max(520) as u32;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max.max(1e-9))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                // Ticks fall on whole numbers, the centre of each group.
                let i = x.round();
                if (x - i).abs() > 1e-9 || i < 0.0 {
                    return String::new();
                }
                categories
                    .get(i as usize)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            })
            .x_label_offset(0)
            .y_desc(y_label)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(draw_err)?;
        let group = 0.8;
        let bar = group / series.len() as f64;
        for (s_idx, s) in series.iter().enumerate() {
            let colour = OKABE_ITO[s_idx];
            chart
                .draw_series(s.values.iter().enumerate().map(|(i, &(_, y))| {
                    let x0 = i as f64 - 0.4 + s_idx as f64 * bar;
                    Rectangle::new(
                        [(x0, 0.0), (x0 + bar * 0.92, y)],
                        colour.filled(),
                    )
                }))
                .map_err(draw_err)?
                .label(s.name)
                .legend(move |(x, y)| {
                    Rectangle::new(
                        [(x, y - 6), (x + 14, y + 6)],
                        colour.filled(),
                    )
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font((FONT, 13))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// How a line chart spaces its x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XScale {
    /// Evenly spaced values.
    Linear,
    /// Powers of two evenly spaced (the x values must be positive).
    Log2,
}

/// Draws one line with markers per series.
///
/// # Shapes
/// - every `series[s].values` is a list of `(x, y)` points.
pub fn lines(
    title: &str,
    series: &[Series],
    x_label: &str,
    y_label: &str,
    x_scale: XScale,
) -> Result<String> {
    ensure!(
        !series.is_empty() && series.len() <= OKABE_ITO.len(),
        "a line chart takes 1 to {} series, got {}",
        OKABE_ITO.len(),
        series.len()
    );
    let points = || series.iter().flat_map(|s| s.values.iter().copied());
    ensure!(
        points().count() > 0,
        "a line chart needs at least one point"
    );
    ensure!(
        points().all(|(x, y)| x.is_finite() && y.is_finite()),
        "a line chart's points must be finite"
    );
    let tx = |x: f64| match x_scale {
        XScale::Linear => x,
        XScale::Log2 => x.log2(),
    };
    if x_scale == XScale::Log2 {
        ensure!(points().all(|(x, _)| x > 0.0), "a log2 axis needs x > 0");
    }
    let (x_min, x_max) = points()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
            (lo.min(tx(x)), hi.max(tx(x)))
        });
    let (y_min, y_max) = points()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (_, y)| {
            (lo.min(y), hi.max(y))
        });
    let y_min = y_min.min(0.0);
    let y_pad = (y_max - y_min).max(1e-9) * 0.08;
    let x_pad = (x_max - x_min).max(1e-9) * 0.03;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 17))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (x_min - x_pad)..(x_max + x_pad),
                y_min..(y_max + y_pad),
            )
            .map_err(draw_err)?;
        let x_fmt = |x: &f64| match x_scale {
            XScale::Linear => format!("{x}"),
            XScale::Log2 => format!("{}", 2f64.powf(x.round()) as u64),
        };
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&x_fmt)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(BLACK.mix(0.05))
            .draw()
            .map_err(draw_err)?;
        for (s_idx, s) in series.iter().enumerate() {
            let colour = OKABE_ITO[s_idx];
            let pts: Vec<(f64, f64)> =
                s.values.iter().map(|&(x, y)| (tx(x), y)).collect();
            chart
                .draw_series(LineSeries::new(
                    pts.clone(),
                    colour.stroke_width(2),
                ))
                .map_err(draw_err)?
                .label(s.name)
                .legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 18, y)],
                        colour.stroke_width(2),
                    )
                });
            // Alternate marker shapes so series differ without colour too.
            if s_idx % 2 == 0 {
                chart
                    .draw_series(
                        pts.iter().map(|&p| Circle::new(p, 4, colour.filled())),
                    )
                    .map_err(draw_err)?;
            } else {
                chart
                    .draw_series(
                        pts.iter().map(|&p| {
                            TriangleMarker::new(p, 5, colour.filled())
                        }),
                    )
                    .map_err(draw_err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font((FONT, 13))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn heatmap_writes_every_value_into_the_svg() {
        let values = array![[0.25, 0.75], [1.0, 0.0]];
        let svg = heatmap(&Heatmap {
            title: "t",
            values: values.view(),
            row_labels: &["a", "b"],
            col_labels: &["c", "d"],
            row_axis: "query",
            col_axis: "key",
        })
        .unwrap();
        assert!(svg.starts_with("<svg"));
        for v in ["0.2500", "0.7500", "1.0000", "0.0000"] {
            assert!(svg.contains(v), "missing {v}");
        }
    }

    #[test]
    fn heatmap_rejects_labels_that_do_not_fit() {
        let values = array![[0.5, 0.5]];
        let err = heatmap(&Heatmap {
            title: "t",
            values: values.view(),
            row_labels: &["a"],
            col_labels: &["c"],
            row_axis: "",
            col_axis: "",
        })
        .unwrap_err();
        assert!(err.to_string().contains("shape (1, 2)"), "{err}");
    }

    #[test]
    fn charts_are_deterministic() {
        let s = || {
            vec![Series {
                name: "a",
                values: vec![(1.0, 0.5), (2.0, 0.7)],
            }]
        };
        let a = lines("t", &s(), "x", "y", XScale::Log2).unwrap();
        let b = lines("t", &s(), "x", "y", XScale::Log2).unwrap();
        assert_eq!(a, b);
        let c = grouped_bars("t", &["p", "q"], &s(), "y").unwrap();
        assert!(c.contains("<svg"));
    }
}

/// One rendered figure: the file name under `book/figures/` and its SVG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// File name such as `ch04-journey-weights.svg`; the chapter prefix
    /// keeps every chapter's figures apart.
    pub file: String,
    /// The SVG document.
    pub svg: String,
}

impl Figure {
    /// Pairs a file name with its SVG text.
    pub fn new(file: impl Into<String>, svg: String) -> Self {
        Self {
            file: file.into(),
            svg,
        }
    }
}
