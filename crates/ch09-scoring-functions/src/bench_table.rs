//! The scorer benchmark's table for the book.
//!
//! `cargo run --release -p ch09-scoring-functions --example bench_scorers`
//! times the scorers with divan, which prints its results as a tree. Divan has no machine-readable
//! output yet, so the benchmark reads that tree with [`parse_divan`] and
//! writes the fastest times as a markdown table with [`markdown`],
//! labelled with the machine it ran on ([`machine`]). The times are
//! measured, never locked: they differ from machine to machine and from
//! run to run.

use anyhow::{Context, Result, bail, ensure};
use std::fmt::Write as _;

/// One benchmark result: a scorer at one size.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// The benchmark function's name, such as `scaled_dot`.
    pub scorer: String,
    /// The sequence length `T` (queries and keys alike).
    pub t: usize,
    /// The fastest time of one call over divan's samples, in
    /// nanoseconds: the one least disturbed by other programs.
    pub fastest_ns: f64,
    /// The median time of one call, in nanoseconds.
    pub median_ns: f64,
}

/// Reads a divan time such as `1.234 µs` or `12 ms`, in nanoseconds.
///
/// # Errors
/// Text that is not a number followed by `ns`, `µs`, `us`, `ms` or `s`.
pub fn parse_time(text: &str) -> Result<f64> {
    let text = text.trim();
    let (number, unit) = text
        .split_once(' ')
        .with_context(|| format!("`{text}` is not a time"))?;
    let value: f64 = number
        .parse()
        .with_context(|| format!("`{number}` is not a number"))?;
    let scale = match unit.trim() {
        "ns" => 1.0,
        "µs" | "μs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        other => bail!("`{other}` is not a unit of time"),
    };
    Ok(value * scale)
}

/// Removes ANSI colour codes (`ESC [ ... m`) from a line.
fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every benchmark's median from divan's printed tree.
///
/// A line whose columns are empty names a benchmark function; the lines
/// under it are its arguments (`T`) with the fastest, slowest, median and
/// mean times in columns separated by `│`.
///
/// # Errors
/// No results at all, or a result before any benchmark name.
pub fn parse_divan(text: &str) -> Result<Vec<Timing>> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = strip_ansi(line);
        let rest = line.trim_start_matches(['│', '├', '╰', '─', ' ']);
        let cols: Vec<&str> = rest.split('│').collect();
        if cols.len() < 4 {
            continue;
        }
        let first = cols[0].trim();
        let (name, fastest) = first.split_once(' ').unwrap_or((first, ""));
        if cols[2].trim().is_empty() {
            current = Some(name.to_string());
        } else if let (Ok(fastest_ns), Ok(median_ns)) =
            (parse_time(fastest), parse_time(cols[2]))
        {
            let scorer = current
                .clone()
                .with_context(|| format!("a result before any name: {line}"))?;
            let t = name
                .parse()
                .with_context(|| format!("`{name}` is not a length T"))?;
            out.push(Timing {
                scorer,
                t,
                fastest_ns,
                median_ns,
            });
        }
    }
    ensure!(!out.is_empty(), "divan's output held no results");
    Ok(out)
}

/// A time in the largest unit that keeps it at 1 or more, with one
/// decimal: `812.3 ns`, `4.1 µs`, `12.0 ms`.
pub fn readable_time(ns: f64) -> String {
    let units = [("s", 1e9), ("ms", 1e6), ("µs", 1e3)];
    for (unit, size) in units {
        if ns >= size {
            return format!("{:.1} {unit}", ns / size);
        }
    }
    format!("{ns:.1} ns")
}

/// The processor's model name and the number of logical cores, from
/// `/proc/cpuinfo` (or `unknown processor` where there is none).
pub fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown processor".to_string(), |(_, m)| {
            m.split_whitespace().collect::<Vec<_>>().join(" ")
        });
    let cores = info
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count()
        .max(1);
    format!("{model}, {cores} logical cores")
}

/// The table the chapter includes: one row per scorer (in the order
/// `scorers` gives), one column per length, and each scorer's time over
/// the dot product's at the largest length.
///
/// # Errors
/// A scorer or length with no timing.
pub fn markdown(
    timings: &[Timing],
    scorers: &[(&str, &str)],
    lengths: &[usize],
    machine: &str,
) -> Result<String> {
    let find = |scorer: &str, t: usize| -> Result<f64> {
        timings
            .iter()
            .find(|x| x.scorer == scorer && x.t == t)
            .map(|x| x.fastest_ns)
            .with_context(|| format!("no timing for {scorer} at T = {t}"))
    };
    let last = *lengths.last().context("no lengths")?;
    let dot = find(scorers[0].0, last)?;
    let mut out = String::new();
    writeln!(
        out,
        "<!-- generated by `cargo run --release -p ch09-scoring-functions \
         --example bench_scorers`; do not edit -->"
    )?;
    write!(out, "| scorer |")?;
    for t in lengths {
        write!(out, " T = {t} |")?;
    }
    writeln!(out, " time over {} at T = {last} |", scorers[0].1)?;
    write!(out, "| --- |")?;
    for _ in 0..=lengths.len() {
        write!(out, " ---: |")?;
    }
    writeln!(out)?;
    for (key, label) in scorers {
        write!(out, "| {label} |")?;
        for &t in lengths {
            write!(out, " {} |", readable_time(find(key, t)?))?;
        }
        writeln!(out, " {:.1} |", find(key, last)? / dot)?;
    }
    writeln!(
        out,
        "\nFastest time of one call over divan's samples (the one least \
         disturbed by other programs), measured on {machine}: a release \
         build, one thread, `f64`, queries and keys {} wide, `d_a` = {} \
         for the additive scorer.",
        crate::worked::COST_D,
        crate::worked::COST_D
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
Timer precision: 20 ns
scorers        fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ additive                  │               │               │               │         │
│  ├─ 64       1.5 ms        │ 2 ms          │ 1.6 ms        │ 1.7 ms        │ 100     │ 100
│  ╰─ 256      24.1 ms       │ 30 ms         │ 25 ms         │ 25.5 ms       │ 100     │ 100
╰─ dot                       │               │               │               │         │
   ├─ 64       \u{1b}[1m15.2 µs\u{1b}[0m       │ 20 µs         │ 16.5 µs       │ 17 µs         │ 100     │ 100
   ╰─ 256      210 µs        │ 300 µs        │ 250 µs        │ 260 µs        │ 100     │ 100
";

    #[test]
    fn reads_the_times_under_each_name() {
        let t = parse_divan(SAMPLE).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].scorer, "additive");
        assert_eq!(t[0].t, 64);
        assert!((t[0].fastest_ns - 1.5e6).abs() < 1e-6);
        assert!((t[0].median_ns - 1.6e6).abs() < 1e-6);
        assert_eq!(t[3].scorer, "dot");
        assert!((t[3].fastest_ns - 210e3).abs() < 1e-6);
        assert!((t[2].fastest_ns - 15.2e3).abs() < 1e-6);
    }

    #[test]
    fn times_read_and_print_in_every_unit() {
        assert_eq!(parse_time("812 ns").unwrap(), 812.0);
        assert!((parse_time("1.5 µs").unwrap() - 1500.0).abs() < 1e-9);
        assert_eq!(parse_time("2 s").unwrap(), 2e9);
        assert!(parse_time("2 weeks").is_err());
        assert_eq!(readable_time(812.34), "812.3 ns");
        assert_eq!(readable_time(16_500.0), "16.5 µs");
        assert_eq!(readable_time(1.6e6), "1.6 ms");
    }

    #[test]
    fn the_table_has_a_row_per_scorer_and_a_ratio_to_dot() {
        let t = parse_divan(SAMPLE).unwrap();
        let md = markdown(
            &t,
            &[("dot", "dot"), ("additive", "additive")],
            &[64, 256],
            "a test machine",
        )
        .unwrap();
        assert!(md.contains("| dot | 15.2 µs | 210.0 µs | 1.0 |"), "{md}");
        assert!(
            md.contains("| additive | 1.5 ms | 24.1 ms | 114.8 |"),
            "{md}"
        );
        assert!(md.contains("a test machine"), "{md}");
        assert!(markdown(&t, &[("cosine", "cosine")], &[64], "m").is_err());
    }

    #[test]
    fn no_results_is_an_error() {
        assert!(parse_divan("nothing here").is_err());
    }
}
