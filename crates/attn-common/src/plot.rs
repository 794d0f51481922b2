//! Figures as SVG strings, drawn with plotters.
//!
//! Every figure in the book comes from one of these functions, called by a
//! chapter crate with numbers it computed. They return the SVG text instead
//! of writing a file, so `cargo xtask figures` can write it and
//! `cargo xtask check` can compare it with the committed copy.
//!
//! Colours are chosen for readers with colour-vision deficiencies: heatmaps
//! use the viridis map (perceptually uniform, readable in greyscale) and
//! series use the Okabe–Ito palette.
//!
//! Every figure comes in four [`Style`]s: wide (the desktop column) or
//! narrow (a phone's), on a light or a dark plate, so that a figure follows
//! the book's theme and stays legible on a phone. A chapter's `figures()`
//! draws whichever style [`with_style`] asks for; `book-figures` calls it
//! once per style and writes each under its own [`Style::suffix`].
//!
//! Legibility: wide figures are at most about 750 px wide (the book's text
//! column) and their smallest text is at least 11 px there; narrow ones are
//! at most [`NARROW_WIDTH`] px wide, so their text stays at least 11 px in
//! the column of a 360 px phone; numbers on
//! heatmap cells take black or white ink, whichever contrasts more with
//! the cell (at least 4.5:1). Text is written in the book's notation:
//! [`notation`] turns `d_k` into a subscript, `sqrt(d_k)` into `√d_k`,
//! `tau` into `τ`, `q . k` into `q · k` and `4 x 3` into `4 × 3`.

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

/// How a figure is drawn: for which column, on which plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Drawn for a phone's column, at most [`NARROW_WIDTH`] px wide: the
    /// title goes (the page's caption carries it), numbers on cells go
    /// where they would not fit, and panels stack.
    pub narrow: bool,
    /// Light ink on a dark plate, for the book's dark themes.
    pub dark: bool,
}

impl Style {
    /// Every style, the default (wide, light) first.
    pub const ALL: [Style; 4] = [
        Style {
            narrow: false,
            dark: false,
        },
        Style {
            narrow: false,
            dark: true,
        },
        Style {
            narrow: true,
            dark: false,
        },
        Style {
            narrow: true,
            dark: true,
        },
    ];

    /// What the style adds to a figure's file name before `.svg`: nothing,
    /// `-dark`, `-narrow` or `-narrow-dark`.
    pub fn suffix(self) -> &'static str {
        match (self.narrow, self.dark) {
            (false, false) => "",
            (false, true) => "-dark",
            (true, false) => "-narrow",
            (true, true) => "-narrow-dark",
        }
    }

    /// The file name of `file` (such as `ch04-a.svg`) in this style.
    pub fn file(self, file: &str) -> String {
        match file.strip_suffix(".svg") {
            Some(stem) => format!("{stem}{}.svg", self.suffix()),
            None => format!("{file}{}", self.suffix()),
        }
    }

    /// The plate figures are drawn on.
    pub fn paper(self) -> &'static RGBColor {
        if self.dark { &DARK_PAPER } else { &WHITE }
    }

    /// The colour of text, axes and ticks.
    pub fn ink(self) -> &'static RGBColor {
        if self.dark { &DARK_INK } else { &BLACK }
    }
}

/// The dark plate: darker than no theme's text, lighter than every dark
/// theme's page, so a figure reads as a card on navy, coal and ayu.
pub const DARK_PAPER: RGBColor = RGBColor(0x22, 0x25, 0x2c);
/// Ink on the dark plate: 12:1 against it.
pub const DARK_INK: RGBColor = RGBColor(0xe6, 0xe6, 0xe6);

/// The widest a narrow figure is drawn: a 360 px phone shows mdBook's
/// column 320 px wide, so a figure is shown at its own size there and its
/// smallest text (a subscript at 85 % of plotters' 17, 11.65 px) stays
/// above 11 px.
pub const NARROW_WIDTH: u32 = 320;

thread_local! {
    static STYLE: std::cell::Cell<Style> = const { std::cell::Cell::new(Style { narrow: false, dark: false }) };
}

/// Runs `draw` with every figure drawn in `style`, then restores the
/// style that was in force (the default is wide and light).
pub fn with_style<T>(style: Style, draw: impl FnOnce() -> T) -> T {
    struct Restore(Style);
    impl Drop for Restore {
        fn drop(&mut self) {
            STYLE.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STYLE.with(|s| s.replace(style)));
    draw()
}

/// The style figures are drawn in now (see [`with_style`]).
pub fn style() -> Style {
    STYLE.with(|s| s.get())
}

/// A colour as SVG and CSS write it, such as `#0072B2`.
pub fn hex(c: &RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The ink of the current style.
pub fn ink() -> &'static RGBColor {
    style().ink()
}

/// The plate of the current style.
pub fn paper() -> &'static RGBColor {
    style().paper()
}

/// Font sizes as plotters takes them; its SVG writes `size / 1.24` px, so
/// 14 is the smallest size that stays above 11 px at full width.
pub(crate) const SIZE_TITLE: i32 = 19;
/// Axis captions and legends.
pub(crate) const SIZE_CAPTION: i32 = 17;
/// Tick labels, row and column labels.
pub(crate) const SIZE_LABEL: i32 = 16;
/// Numbers written on heatmap cells.
pub(crate) const SIZE_CELL: i32 = 16;

/// The widest a figure should be: the book's text column.
pub const MAX_WIDTH: u32 = 750;

/// The relative luminance of an sRGB colour (WCAG 2).
pub fn relative_luminance(c: RGBColor) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// The WCAG contrast ratio of two colours, from 1 to 21.
pub fn contrast_ratio(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Black or white, whichever contrasts more with `fill`: at least 4.58:1
/// for any colour.
pub fn ink_for(fill: RGBColor) -> RGBColor {
    if contrast_ratio(fill, BLACK) >= contrast_ratio(fill, WHITE) {
        BLACK
    } else {
        WHITE
    }
}

/// A tick label with no more decimals than it needs: `2` rather than
/// `2.00`, `0.25`, `0.5`. Counts keep their whole numbers.
pub fn tick(v: f64) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Rewrites plain-text notation into the book's: `d_k` gets a subscript
/// `k` (written with `subscript`), `sqrt(x)` becomes `√x`, the word `tau`
/// becomes `τ`, ` . ` between two letters becomes ` · ` and ` x ` between
/// two words or numbers becomes ` × `.
fn notation_with(text: &str, subscript: &dyn Fn(&str) -> String) -> String {
    let text = text.replace("sqrt(", "\u{221a}(");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let word = |c: char| c.is_alphanumeric();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        // √(x) -> √x when x is one word.
        if c == '\u{221a}' && next == Some('(') {
            let close = chars[i + 2..].iter().position(|&c| c == ')');
            if let Some(len) = close {
                let inner: String = chars[i + 2..i + 2 + len].iter().collect();
                if !inner.is_empty()
                    && inner.chars().all(|c| c.is_alphanumeric() || c == '_')
                {
                    out.push('\u{221a}');
                    out.push_str(&notation_with(&inner, subscript));
                    i += 3 + len;
                    continue;
                }
            }
        }
        if c == '_' && prev.is_some_and(word) && next.is_some_and(word) {
            let len = chars[i + 1..].iter().take_while(|&&c| word(c)).count();
            let sub: String = chars[i + 1..i + 1 + len].iter().collect();
            out.push_str(&subscript(&sub));
            i += 1 + len;
            continue;
        }
        let spaced = |k: usize| {
            prev == Some(' ')
                && chars.get(k + 1) == Some(&' ')
                && k >= 2
                && word(chars[k - 2])
                && chars.get(k + 2).is_some_and(|&c| word(c))
        };
        if c == '.' && spaced(i) && chars[i - 2].is_alphabetic() {
            out.push('\u{b7}');
        } else if c == 'x' && spaced(i) {
            out.push('\u{d7}');
        } else if c == 't'
            && chars[i..].starts_with(&['t', 'a', 'u'])
            && !prev.is_some_and(word)
            && !chars.get(i + 3).is_some_and(|&c| word(c))
        {
            out.push('\u{3c4}');
            i += 3;
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// The book's notation in plain text, with subscripts as `_k` kept
/// (see [`notation_with`] for the rules).
///
/// # Shapes
/// Text in, text out.
pub fn notation(text: &str) -> String {
    notation_with(text, &|sub| format!("_{sub}"))
}

/// Applies the book's notation to every `<text>` element of an SVG drawn
/// by plotters, writing subscripts as `<tspan>`s at 85 % of the text's
/// size, shifted down.
pub(crate) fn svg_notation(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text ") {
        let Some(open_end) = rest[start..].find('>').map(|e| start + e + 1)
        else {
            break;
        };
        let Some(close) =
            rest[open_end..].find("</text>").map(|e| open_end + e)
        else {
            break;
        };
        let tag = &rest[start..open_end];
        let size = tag
            .split("font-size=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(12.0);
        let sub = |s: &str| {
            format!(
                "<tspan baseline-shift=\"sub\" font-size=\"{:.2}\">{s}</tspan>",
                size * 0.85
            )
        };
        out.push_str(&rest[..open_end]);
        out.push_str(&notation_with(&rest[open_end..close], &sub));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

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
        let ink = ink_for(fill);
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
/// `(width, height)`, 40 slices from `min` (bottom) to `max` (top), with
/// labelled ticks: both ends and the quarters between, or only the ends
/// (or halves) on a bar too short for five labels.
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
    // Five ticks (the ends and the quarters) where there is room for
    // them, fewer on a short bar, so that labels never overlap.
    let steps = (height / 26).clamp(1, 4);
    for q in 0..=steps {
        let v = min + (max - min) * f64::from(q) / f64::from(steps);
        let y = top + height - q * height / steps;
        root.draw(&PathElement::new(
            vec![(x + width, y), (x + width + 4, y)],
            ink().stroke_width(1),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            num(v),
            (x + width + 7, y),
            TextStyle::from((FONT, SIZE_LABEL).into_font())
                .color(ink())
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Writes a column label below a heatmap column centred at `x`, whose
/// cells end at `bottom`: level, or reading upwards when `upright`.
pub(crate) fn col_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    label: &str,
    x: i32,
    bottom: i32,
    upright: bool,
) -> Result<()> {
    let (font, pos, at) = if upright {
        (
            (FONT, SIZE_LABEL)
                .into_font()
                .transform(FontTransform::Rotate270),
            Pos::new(HPos::Right, VPos::Center),
            (x, bottom + 6),
        )
    } else {
        (
            (FONT, SIZE_LABEL).into_font(),
            Pos::new(HPos::Center, VPos::Center),
            (x, bottom + 14),
        )
    };
    root.draw(&Text::new(
        label.to_string(),
        at,
        TextStyle::from(font).color(ink()).pos(pos),
    ))
    .map_err(draw_err)?;
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

    let narrow = style().narrow;
    let per_char = if narrow { 8 } else { 9 };
    let longest = map.row_labels.iter().map(|s| s.chars().count()).max();
    let label_w = 20 + per_char * longest.unwrap_or(1) as i32;
    let left = if narrow { 26 } else { 34 } + label_w;
    let bar_area = if narrow { 66 } else { 110 };
    let max_width = if narrow { NARROW_WIDTH } else { MAX_WIDTH } as i32;
    // As wide as fits the column, between room for a number and a
    // comfortable cell; on a phone as small as it must be.
    let min_cell = if narrow { 12 } else { 56 };
    let cell_w = ((max_width - left - bar_area) / cols.max(1) as i32)
        .clamp(min_cell, 76);
    // A number needs about 52 px; narrower cells show colour only (the
    // full-size figure, a tap away, has the numbers).
    let annotate = cell_w >= 52;
    let cell_h = if annotate { 38 } else { cell_w.clamp(20, 30) };
    // The row axis's caption reads upwards beside the rows; on a phone,
    // where a short map has no room for it, it stands level above them.
    let caption_px = 8 * map.row_axis.chars().count() as i32;
    let level_caption = narrow && caption_px > rows as i32 * cell_h;
    let top = match (narrow, level_caption) {
        (false, _) => 50,
        (true, false) => 12,
        (true, true) => 36,
    };
    let bar_w = if narrow { 14 } else { 18 };
    // Column labels stand upright when they do not fit under their cell.
    let col_chars = map.col_labels.iter().map(|s| s.chars().count());
    let col_chars = col_chars.max().unwrap_or(1) as i32;
    let upright = 8 * col_chars > cell_w - 4;
    let col_label_h = if upright { 12 + 8 * col_chars } else { 28 };
    let width = (left + cols as i32 * cell_w + bar_area) as u32;
    let height = (top + rows as i32 * cell_h + col_label_h + 42) as u32;

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
                map.title.to_string(),
                (width as i32 / 2, 20),
                text(SIZE_TITLE, HPos::Center, VPos::Center),
            ))
            .map_err(draw_err)?;
        }
        for (i, row) in map.values.rows().into_iter().enumerate() {
            let y = top + i as i32 * cell_h;
            root.draw(&Text::new(
                map.row_labels[i].to_string(),
                (left - 8, y + cell_h / 2),
                text(SIZE_LABEL, HPos::Right, VPos::Center),
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
                    annotate.then_some(SIZE_CELL),
                )?;
            }
        }
        let bottom = top + rows as i32 * cell_h;
        for (j, label) in map.col_labels.iter().enumerate() {
            let x = left + j as i32 * cell_w + cell_w / 2;
            col_label(&root, label, x, bottom, upright)?;
        }
        root.draw(&Text::new(
            map.col_axis.to_string(),
            (left + cols as i32 * cell_w / 2, bottom + col_label_h + 16),
            text(SIZE_CAPTION, HPos::Center, VPos::Center),
        ))
        .map_err(draw_err)?;
        if level_caption {
            root.draw(&Text::new(
                map.row_axis.to_string(),
                (6, 16),
                text(SIZE_CAPTION, HPos::Left, VPos::Center),
            ))
            .map_err(draw_err)?;
        } else {
            root.draw(&Text::new(
                map.row_axis.to_string(),
                (14, top + rows as i32 * cell_h / 2),
                TextStyle::from(
                    (FONT, SIZE_CAPTION)
                        .into_font()
                        .transform(FontTransform::Rotate270),
                )
                .color(ink())
                .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(draw_err)?;
        }
        let bar_x = left + cols as i32 * cell_w + if narrow { 10 } else { 18 };
        colour_bar(
            &root,
            (bar_x, top),
            (bar_w, rows as i32 * cell_h),
            min,
            max,
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg_notation(&svg))
}

/// One named series of a bar or line chart.
pub struct Series<'a> {
    /// The name shown in the legend.
    pub name: &'a str,
    /// The values: one per category for bars, `(x, y)` points for lines.
    pub values: Vec<(f64, f64)>,
}

/// The marker a line chart's series draws at its points, so series differ
/// without colour too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A cross.
    Cross,
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
enum Key {
    /// A filled square, for bars.
    Bar,
    /// A line with the series' marker, for line charts.
    Line(Marker),
}

/// The width a legend entry takes: its key, a gap, its name, a gap.
fn entry_width(name: &str) -> i32 {
    let px = f64::from(SIZE_CAPTION) / 1.24;
    28 + (name.chars().count() as f64 * px * 0.56).ceil() as i32 + 22
}

/// Legend entries split into rows no wider than `width`.
fn legend_rows(names: &[&str], width: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (i, name) in names.iter().enumerate() {
        let w = entry_width(name);
        if used + w > width && !rows[rows.len() - 1].is_empty() {
            rows.push(Vec::new());
            used = 0;
        }
        used += w;
        let last = rows.len() - 1;
        rows[last].push(i);
    }
    rows
}

const LEGEND_ROW: i32 = 26;

/// Draws the legend in its own band below a chart, each row centred, so it
/// never hides a bar or a line.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    width: i32,
    entries: &[(&str, RGBColor, Key)],
) -> Result<()> {
    let names: Vec<&str> = entries.iter().map(|e| e.0).collect();
    for (r, row) in legend_rows(&names, width - 20).iter().enumerate() {
        let row_w: i32 = row.iter().map(|&i| entry_width(names[i])).sum();
        let mut x = ((width - row_w) / 2).max(2);
        let y = 6 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        for &i in row {
            let (name, colour, key) = entries[i];
            match key {
                Key::Bar => area
                    .draw(&Rectangle::new(
                        [(x, y - 7), (x + 16, y + 7)],
                        colour.filled(),
                    ))
                    .map_err(draw_err)?,
                Key::Line(marker) => {
                    area.draw(&PathElement::new(
                        vec![(x - 2, y), (x + 20, y)],
                        colour.stroke_width(2),
                    ))
                    .map_err(draw_err)?;
                    let at = (x + 9, y);
                    match marker {
                        Marker::Circle => area
                            .draw(&Circle::new(at, 4, colour.filled()))
                            .map_err(draw_err)?,
                        Marker::Triangle => area
                            .draw(&TriangleMarker::new(at, 5, colour.filled()))
                            .map_err(draw_err)?,
                        Marker::Cross => area
                            .draw(&Cross::new(at, 5, colour.stroke_width(2)))
                            .map_err(draw_err)?,
                    }
                }
            }
            area.draw(&Text::new(
                name.to_string(),
                (x + 28, y),
                TextStyle::from((FONT, SIZE_CAPTION).into_font())
                    .color(ink())
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(draw_err)?;
            x += entry_width(name);
        }
    }
    Ok(())
}

/// The height of the legend band for `names` in a chart `width` wide.
pub fn legend_height(names: &[&str], width: i32) -> u32 {
    (legend_rows(names, width - 20).len() as i32 * LEGEND_ROW + 12) as u32
}

/// Draws a line chart's legend in its own band `area`, `width` wide (as
/// tall as [`legend_height`] says): each entry a line in its colour with
/// its marker, then its name, rows centred.
pub fn line_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    width: i32,
    entries: &[(&str, RGBColor, Marker)],
) -> Result<()> {
    let entries: Vec<(&str, RGBColor, Key)> = entries
        .iter()
        .map(|&(n, c, m)| (n, c, Key::Line(m)))
        .collect();
    draw_legend(area, width, &entries)
}

/// Whether an axis shows attention weights: its caption says "weight" and
/// every value lies in `[0, 1]`. Such an axis stops at 1.
fn weights_axis(label: &str, values: impl Iterator<Item = f64>) -> bool {
    label.to_lowercase().contains("weight")
        && values.into_iter().all(|v| (0.0..=1.0).contains(&v))
}

/// Draws grouped bars: one group per category, one bar per series.
///
/// The legend sits in a band below the chart. A y axis whose caption says
/// "weight" and whose values lie in `[0, 1]` runs from 0 to exactly 1.
/// Tick labels carry no more decimals than they need.
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
    let heights = || series.iter().flat_map(|s| s.values.iter().map(|p| p.1));
    let y_max = if weights_axis(y_label, heights()) {
        1.0
    } else {
        heights().fold(0.0_f64, f64::max) * 1.08
    };
    let n = categories.len();
    let narrow = style().narrow;
    let width = if narrow {
        NARROW_WIDTH
    } else {
        (140 + n * (40 + 30 * series.len())).clamp(520, MAX_WIDTH as usize)
            as u32
    };
    // Category names stand upright when they do not fit side by side.
    let chars = categories.iter().map(|c| c.chars().count()).max();
    let chars = chars.unwrap_or(1) as i32;
    let slot = (width as i32 - 100) / n as i32;
    let upright = 8 * chars > slot - 6;
    let x_area = if upright { 16 + 8 * chars } else { 44 };
    let names: Vec<&str> = series.iter().map(|s| s.name).collect();
    let chart_h = (if narrow { 300 } else { 380 } + x_area - 44) as u32;
    let height = chart_h + legend_height(&names, width as i32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height))
            .into_drawing_area();
        root.fill(paper()).map_err(draw_err)?;
        let (chart_area, legend_area) = root.split_vertically(chart_h);
        let mut builder = ChartBuilder::on(&chart_area);
        if !narrow {
            builder.caption(title, (FONT, SIZE_TITLE).into_font().color(ink()));
        }
        let mut chart = builder
            .margin(12)
            .x_label_area_size(x_area)
            .y_label_area_size(if narrow { 64 } else { 72 })
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max.max(1e-9))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .axis_style(*ink())
            .bold_line_style(ink().mix(0.2))
            .light_line_style(ink().mix(0.05))
            .x_label_style((FONT, SIZE_LABEL).into_font().color(ink()))
            .x_labels(n)
            .x_label_formatter(&|x| {
                // Ticks fall on whole numbers, the centre of each group;
                // upright names are written below, after the mesh.
                let i = x.round();
                if upright || (x - i).abs() > 1e-9 || i < 0.0 {
                    return String::new();
                }
                categories
                    .get(i as usize)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            })
            .x_label_offset(0)
            .y_desc(y_label)
            .y_label_formatter(&|y| tick(*y))
            .y_label_style((FONT, SIZE_LABEL).into_font().color(ink()))
            .axis_desc_style((FONT, SIZE_CAPTION).into_font().color(ink()))
            .draw()
            .map_err(draw_err)?;
        if upright {
            for (i, name) in categories.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(i as f64, 0.0));
                col_label(&root, name, x, y, true)?;
            }
        }
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
                .map_err(draw_err)?;
        }
        let entries: Vec<(&str, RGBColor, Key)> = series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name, OKABE_ITO[i], Key::Bar))
            .collect();
        draw_legend(&legend_area, width as i32, &entries)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg_notation(&svg))
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
/// The legend sits in a band below the chart. A y axis whose caption says
/// "weight" and whose values lie in `[0, 1]` stops at 1. Tick labels carry
/// no more decimals than they need.
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
    let y_top = if weights_axis(y_label, points().map(|p| p.1)) {
        (y_max + y_pad).min(1.0)
    } else {
        y_max + y_pad
    };
    let narrow = style().narrow;
    let width = if narrow { NARROW_WIDTH } else { 640 };
    let names: Vec<&str> = series.iter().map(|s| s.name).collect();
    let split = narrow && 8 * x_label.chars().count() as u32 > width - 40;
    let chart_h = if narrow { 300 } else { 400 } + if split { 18 } else { 0 };
    let height = chart_h + legend_height(&names, width as i32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height))
            .into_drawing_area();
        root.fill(paper()).map_err(draw_err)?;
        let (chart_area, legend_area) = root.split_vertically(chart_h);
        let mut builder = ChartBuilder::on(&chart_area);
        if !narrow {
            builder.caption(title, (FONT, SIZE_TITLE).into_font().color(ink()));
        }
        let mut chart = builder
            .margin(if narrow { 10 } else { 14 })
            .x_label_area_size(if split { 66 } else { 48 })
            .y_label_area_size(if narrow { 64 } else { 72 })
            .build_cartesian_2d((x_min - x_pad)..(x_max + x_pad), y_min..y_top)
            .map_err(draw_err)?;
        let x_fmt = |x: &f64| match x_scale {
            XScale::Linear => tick(*x),
            XScale::Log2 => format!("{}", 2f64.powf(x.round()) as u64),
        };
        // On a phone an x caption too long for one line takes two, split
        // at the space nearest its middle, and is written after the mesh.
        let split = narrow && 8 * x_label.chars().count() as u32 > width - 40;
        chart
            .configure_mesh()
            .x_desc(if split { "" } else { x_label })
            .y_desc(y_label)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|y| tick(*y))
            .x_labels(if narrow { 5 } else { 10 })
            .y_labels(if narrow { 6 } else { 10 })
            .label_style((FONT, SIZE_LABEL).into_font().color(ink()))
            .axis_desc_style((FONT, SIZE_CAPTION).into_font().color(ink()))
            .axis_style(*ink())
            .bold_line_style(ink().mix(0.2))
            .light_line_style(ink().mix(0.05))
            .draw()
            .map_err(draw_err)?;
        if split {
            let middle = x_label.len() / 2;
            let cut = x_label
                .match_indices(' ')
                .map(|(i, _)| i)
                .min_by_key(|&i| i.abs_diff(middle))
                .unwrap_or(middle);
            let (first, second) = x_label.split_at(cut);
            for (k, line) in [first, second.trim_start()].iter().enumerate() {
                root.draw(&Text::new(
                    line.to_string(),
                    (
                        width as i32 / 2 + 30,
                        chart_h as i32 - 34 + 20 * k as i32,
                    ),
                    TextStyle::from((FONT, SIZE_CAPTION).into_font())
                        .color(ink())
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(draw_err)?;
            }
        }
        for (s_idx, s) in series.iter().enumerate() {
            let colour = OKABE_ITO[s_idx];
            let pts: Vec<(f64, f64)> =
                s.values.iter().map(|&(x, y)| (tx(x), y)).collect();
            chart
                .draw_series(LineSeries::new(
                    pts.clone(),
                    colour.stroke_width(2),
                ))
                .map_err(draw_err)?;
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
        let entries: Vec<(&str, RGBColor, Key)> = series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let marker = if i % 2 == 1 {
                    Marker::Triangle
                } else {
                    Marker::Circle
                };
                (s.name, OKABE_ITO[i], Key::Line(marker))
            })
            .collect();
        draw_legend(&legend_area, width as i32, &entries)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg_notation(&svg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

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
    fn every_viridis_cell_gets_ink_with_at_least_4_5_contrast() {
        for i in 0..=200 {
            let fill =
                ViridisRGB::get_color_normalized(f64::from(i), 0.0, 200.0);
            let ratio = contrast_ratio(fill, ink_for(fill));
            assert!(ratio >= 4.5, "{fill:?}: {ratio}");
        }
    }

    #[test]
    fn ticks_have_no_needless_decimals() {
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.5000001), "0.5");
        assert_eq!(tick(-0.0), "0");
    }

    #[test]
    fn notation_matches_the_book() {
        assert_eq!(notation("q . k / sqrt(d_k)"), "q \u{b7} k / \u{221a}d_k");
        assert_eq!(
            notation("tau = 0.5, n_heads x d_head"),
            "\u{3c4} = 0.5, n_heads \u{d7} d_head"
        );
        assert_eq!(
            notation("4 x query, taut, x = 1"),
            "4 \u{d7} query, taut, x = 1"
        );
        let svg =
            svg_notation("<text font-size=\"20\">\nW_q and 1/sqrt(3)\n</text>");
        assert_eq!(
            svg,
            "<text font-size=\"20\">\nW<tspan baseline-shift=\"sub\" \
             font-size=\"17.00\">q</tspan> and 1/\u{221a}3\n</text>"
        );
    }

    #[test]
    fn weights_axes_stop_at_one() {
        let s = vec![Series {
            name: "a",
            values: vec![(0.0, 0.95), (0.0, 0.05)],
        }];
        let svg = grouped_bars("t", &["p", "q"], &s, "weight").unwrap();
        assert!(
            svg.contains(">\n1\n</text>") || svg.contains(">1</text>"),
            "{svg}"
        );
        assert!(!svg.contains(">\n1.2\n</text>"));
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

    /// The width of an SVG and the smallest font size it writes.
    fn width_and_smallest_font(svg: &str) -> (f64, f64) {
        let width = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        let smallest = svg
            .split("font-size=\"")
            .skip(1)
            .filter_map(|f| f.split('"').next()?.parse::<f64>().ok())
            .fold(f64::MAX, f64::min);
        (width, smallest)
    }

    /// One chart of each kind, with long labels, in the current style.
    fn three_charts() -> Vec<String> {
        let values = Array2::from_shape_fn((11, 11), |(i, j)| {
            ((i * 11 + j) % 7) as f64 / 7.0
        });
        let labels = [
            "The", "animal", "didn't", "cross", "the", "street", "because",
            "it", "was", "too", "tired",
        ];
        let series = || {
            vec![
                Series {
                    name: "one decoding step, KV cache of T tokens",
                    values: vec![(1.0, 0.5), (2.0, 0.7), (3.0, 0.2)],
                },
                Series {
                    name: "b",
                    values: vec![(1.0, 0.1), (2.0, 0.3), (3.0, 0.9)],
                },
            ]
        };
        vec![
            heatmap(&Heatmap {
                title: "A title far too long for the column of any phone",
                values: values.view(),
                row_labels: &labels,
                col_labels: &labels,
                row_axis: "query (the token that attends)",
                col_axis: "key",
            })
            .unwrap(),
            lines(
                "t",
                &series(),
                "log2 of the temperature tau (-8: tau = 1/256, 0: tau = 1)",
                "weight",
                XScale::Linear,
            )
            .unwrap(),
            grouped_bars(
                "t",
                &["exact match", "no match", "partial match"],
                &series(),
                "weight",
            )
            .unwrap(),
        ]
    }

    #[test]
    fn narrow_figures_fit_a_phone_with_text_above_11_px() {
        for svg in with_style(
            Style {
                narrow: true,
                dark: false,
            },
            three_charts,
        ) {
            let (width, smallest) = width_and_smallest_font(&svg);
            assert!(width <= f64::from(NARROW_WIDTH), "{width}");
            // Shown at its own width in a 320 px column: plotters' sizes
            // are pixels here.
            assert!(smallest >= 11.0, "{smallest}");
            assert!(!svg.contains("far too long"), "no title on a phone");
        }
        // The wide ones keep their title.
        assert!(three_charts()[0].contains("far too long"));
    }

    #[test]
    fn dark_figures_are_dark_plates_with_light_ink() {
        let dark = with_style(
            Style {
                narrow: false,
                dark: true,
            },
            three_charts,
        );
        let light = three_charts();
        let paper = format!("fill=\"{}\"", hex(&DARK_PAPER));
        for (d, l) in dark.iter().zip(&light) {
            assert!(d.contains(&paper), "dark plate");
            assert!(!l.contains(&paper));
            assert!(d.contains(&hex(&DARK_INK)), "light ink");
        }
        assert!(contrast_ratio(DARK_PAPER, DARK_INK) >= 7.0);
    }

    #[test]
    fn styles_are_restored_and_named() {
        assert_eq!(style(), Style::default());
        let inside = with_style(Style::ALL[3], style);
        assert_eq!(
            inside,
            Style {
                narrow: true,
                dark: true
            }
        );
        assert_eq!(style(), Style::default());
        let names: Vec<String> =
            Style::ALL.iter().map(|s| s.file("ch01-a.svg")).collect();
        assert_eq!(
            names,
            [
                "ch01-a.svg",
                "ch01-a-dark.svg",
                "ch01-a-narrow.svg",
                "ch01-a-narrow-dark.svg"
            ]
        );
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
