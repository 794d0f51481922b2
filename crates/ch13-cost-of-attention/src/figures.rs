//! Chapter 13's figures: the benchmark's measurements against `T`, on log
//! axes, read from the committed `src/data/measured.csv` so that drawing them
//! is deterministic (`cargo xtask figures` never runs the benchmark).
//!
//! The shared `attn_common::plot::lines` has no logarithmic y axis, and
//! times from microseconds to seconds need one, so these two charts are
//! drawn with plotters here, in the shared palette, font sizes and styles
//! (wide or narrow, light or dark: see `attn_common::plot::Style`).

use anyhow::{Context, Result, anyhow, ensure};
use attn_common::plot::{
    Figure, Marker, NARROW_WIDTH, OKABE_ITO, ink, legend_height, line_legend,
    paper, style,
};
use plotters::coord::combinators::{BindKeyPoints, IntoLogRange};
use plotters::prelude::*;

/// The benchmark's output, committed with the code that made it.
pub const MEASURED_CSV: &str = include_str!("data/measured.csv");

/// One row of `src/data/measured.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// `naive`, `tiled`, `product`, `kv_step`, `generate_recompute` or
    /// `generate_cached`.
    pub method: String,
    /// The sequence length (or the number of tokens generated).
    pub t: u64,
    /// How many timed runs the median was taken over.
    pub repetitions: u64,
    /// CPU seconds of one call (the median of batches).
    pub seconds: f64,
    /// The most bytes allocated at once during a run, beyond what was
    /// allocated before it.
    pub peak_extra_bytes: u64,
}

/// The machine line (`# machine: ...`) and the rows of a measurements
/// file.
///
/// # Errors
/// A row that does not have five fields, or a field that does not parse.
pub fn parse(csv: &str) -> Result<(String, Vec<Measured>)> {
    let machine = csv
        .lines()
        .find_map(|l| l.strip_prefix("# machine: "))
        .unwrap_or("an unknown machine")
        .to_string();
    let mut rows = Vec::new();
    for line in csv.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        ensure!(f.len() == 5, "a measurement row needs 5 fields: {line}");
        let bad = || format!("cannot read the measurement row {line}");
        rows.push(Measured {
            method: f[0].to_string(),
            t: f[1].parse().with_context(bad)?,
            repetitions: f[2].parse().with_context(bad)?,
            seconds: f[3].parse().with_context(bad)?,
            peak_extra_bytes: f[4].parse().with_context(bad)?,
        });
    }
    Ok((machine, rows))
}

/// Every figure of chapter 13.
pub fn figures() -> Result<Vec<Figure>> {
    let (machine, rows) = parse(MEASURED_CSV)?;
    let series = |method: &str, y: fn(&Measured) -> f64| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.method == method)
            .map(|r| (r.t as f64, y(r)))
            .collect()
    };
    let names = [
        ("naive", "naive (whole T x T matrix)"),
        ("tiled", "tiled, online softmax (tile 128)"),
        ("kv_step", "one decoding step, KV cache of T tokens"),
    ];
    let time: Vec<_> = names
        .iter()
        .map(|&(m, label)| (label, series(m, |r| r.seconds)))
        .collect();
    let memory: Vec<_> = names
        .iter()
        .map(|&(m, label)| (label, series(m, |r| r.peak_extra_bytes as f64)))
        .collect();
    Ok(vec![
        Figure::new(
            "ch13-time.svg",
            log_log(
                "Time against T, d = 64",
                &machine,
                &time,
                "time per call",
                &[1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0],
                seconds_label,
            )?,
        ),
        Figure::new(
            "ch13-memory.svg",
            log_log(
                "Peak extra memory against T, d = 64",
                &machine,
                &memory,
                "bytes allocated at the peak",
                &[1e5, 1e6, 1e7, 1e8, 1e9, 1e10],
                bytes_label,
            )?,
        ),
    ])
}

fn seconds_label(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.0} s")
    } else if s >= 1e-3 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn bytes_label(b: f64) -> String {
    match b {
        b if b >= 1e9 => format!("{:.0} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.0} MB", b / 1e6),
        b => format!("{:.0} kB", b / 1e3),
    }
}

fn draw_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the figure failed: {e:?}")
}

/// A chart with both axes logarithmic: `T` in powers of two, `y` in
/// decades labelled by `label`.
fn log_log(
    title: &str,
    machine: &str,
    series: &[(&str, Vec<(f64, f64)>)],
    y_desc: &str,
    y_ticks: &[f64],
    label: fn(f64) -> String,
) -> Result<String> {
    ensure!(
        series.iter().all(|(_, s)| !s.is_empty()
            && s.iter().all(|&(x, y)| x > 0.0 && y > 0.0)),
        "a log-log chart needs positive points in every series"
    );
    let (y_lo, y_hi) = (y_ticks[0], y_ticks[y_ticks.len() - 1]);
    let x_ticks: Vec<f64> = (7..=13).map(|p| f64::from(1u32 << p)).collect();
    let narrow = style().narrow;
    // On a phone: no title (the page's caption has it), bigger text, the
    // legend in a band below, every other tick.
    let (width, chart_h) = if narrow {
        (NARROW_WIDTH as i32, 330)
    } else {
        (740, 408)
    };
    let (label_size, desc_size) = if narrow { (16, 16) } else { (14, 15) };
    let x_ticks: Vec<f64> = if narrow {
        x_ticks.into_iter().step_by(2).collect()
    } else {
        x_ticks
    };
    let y_ticks: Vec<f64> = if narrow {
        y_ticks.iter().copied().step_by(2).collect()
    } else {
        y_ticks.to_vec()
    };
    let names: Vec<&str> = series.iter().map(|s| s.0).collect();
    let legend_h = if narrow {
        legend_height(&names, width)
    } else {
        0
    };
    let head = if narrow { 46 } else { 52 };
    let height = head + chart_h + legend_h;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width as u32, height))
            .into_drawing_area();
        root.fill(paper()).map_err(draw_err)?;
        let (top, rest) = root.split_vertically(head);
        let (chart_area, legend_area) = rest.split_vertically(chart_h);
        let note = ("sans-serif", if narrow { 16 } else { 14 })
            .into_font()
            .color(&ink().mix(0.75));
        if narrow {
            top.draw(&Text::new(
                format!("measured on {machine},"),
                (10, 4),
                note.clone(),
            ))
            .map_err(draw_err)?;
            top.draw(&Text::new(
                "release build, one thread".to_string(),
                (10, 25),
                note,
            ))
            .map_err(draw_err)?;
        } else {
            top.draw(&Text::new(
                title.to_string(),
                (14, 8),
                ("sans-serif", 18).into_font().color(ink()),
            ))
            .map_err(draw_err)?;
            top.draw(&Text::new(
                format!("measured on {machine}, release build, one thread"),
                (14, 31),
                note,
            ))
            .map_err(draw_err)?;
        }
        let mut chart = ChartBuilder::on(&chart_area)
            .margin(if narrow { 10 } else { 14 })
            .x_label_area_size(46)
            .y_label_area_size(if narrow { 70 } else { 78 })
            .build_cartesian_2d(
                (100.0..10_000.0).log_scale().with_key_points(x_ticks),
                (y_lo..y_hi).log_scale().with_key_points(y_ticks),
            )
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("sequence length T (log scale)")
            .y_desc(format!("{y_desc} (log scale)"))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| label(*y))
            .label_style(("sans-serif", label_size).into_font().color(ink()))
            .axis_desc_style(("sans-serif", desc_size).into_font().color(ink()))
            .axis_style(*ink())
            .bold_line_style(ink().mix(0.2))
            .light_line_style(ink().mix(0.05))
            .draw()
            .map_err(draw_err)?;
        let markers = [Marker::Circle, Marker::Triangle, Marker::Cross];
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = OKABE_ITO[i];
            chart
                .draw_series(LineSeries::new(
                    points.clone(),
                    colour.stroke_width(2),
                ))
                .map_err(draw_err)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 18, y)],
                        colour.stroke_width(2),
                    )
                });
            // A different marker per series, so they differ without colour.
            match markers[i % markers.len()] {
                Marker::Circle => chart.draw_series(
                    points.iter().map(|&p| Circle::new(p, 4, colour.filled())),
                ),
                Marker::Triangle => chart.draw_series(
                    points
                        .iter()
                        .map(|&p| TriangleMarker::new(p, 5, colour.filled())),
                ),
                Marker::Cross => chart.draw_series(
                    points
                        .iter()
                        .map(|&p| Cross::new(p, 5, colour.stroke_width(2))),
                ),
            }
            .map_err(draw_err)?;
        }
        if narrow {
            let entries: Vec<(&str, RGBColor, Marker)> = series
                .iter()
                .enumerate()
                .map(|(i, s)| (s.0, OKABE_ITO[i], markers[i % markers.len()]))
                .collect();
            line_legend(&legend_area, width, &entries)?;
        } else {
            chart
                .configure_series_labels()
                .background_style(paper().mix(0.9))
                .border_style(ink().mix(0.4))
                .label_font(("sans-serif", 14).into_font().color(ink()))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_measurements_parse_and_cover_every_length() {
        let (machine, rows) = parse(MEASURED_CSV).unwrap();
        assert!(!machine.is_empty());
        for method in ["naive", "tiled", "kv_step"] {
            let ts: Vec<u64> = rows
                .iter()
                .filter(|r| r.method == method)
                .map(|r| r.t)
                .collect();
            assert_eq!(ts, crate::worked::LENGTHS, "{method}");
        }
        assert!(parse("m,t\nnaive,1,2").is_err());
    }

    #[test]
    fn figures_are_deterministic() {
        assert_eq!(figures().unwrap(), figures().unwrap());
    }
}
