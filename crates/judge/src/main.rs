//! `cargo xtask grade` and `cargo xtask check-exercises` run this binary.

use anyhow::{Context, Result, bail};
use judge::batch::{self, Outputs};
use judge::grade::{Grader, Settings};
use judge::sandbox::Isolation;
use std::path::{Path, PathBuf};

const USAGE: &str = "\
usage:
  cargo xtask grade --chapter N DIR [--json] [--report FILE]
      judge one student crate (only its src/ is read)
  cargo xtask grade --chapter N --batch DIR --csv OUT [--reports DIR] [--jobs N]
      judge every folder in DIR; a student is named by the folder's name;
      one CSV row each (written as each finishes) and, with --reports, one
      report each that can be handed to the student
  options:
      --seed S        seed of the hidden cases (default: drawn at random,
                      printed, and written in every CSV row)
      --timeout SECS  time per call of the student's code (default 10)
      --unsandboxed   run student code without bubblewrap: only for code
                      you trust (it could read the reference solutions)
  cargo xtask check-exercises [CHAPTER] [--no-cache] [--unsandboxed]
      prove the homework of every chapter (or one): the student copy gives
      no solution away and scores 0, the reference solutions score full
      marks; a chapter that passed with the same inputs is not graded
      again (--no-cache grades it; with CI set, every chapter is graded)
";

fn random_seed() -> u64 {
    use std::io::Read;
    let mut b = [0u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok()
    {
        return u64::from_le_bytes(b);
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[derive(Default)]
struct Args {
    chapter: Option<String>,
    dir: Option<PathBuf>,
    batch: Option<PathBuf>,
    csv: Option<PathBuf>,
    reports: Option<PathBuf>,
    report: Option<PathBuf>,
    json: bool,
    jobs: usize,
    seed: Option<u64>,
    timeout: u64,
    unsandboxed: bool,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut a = Args {
        jobs: 1,
        timeout: 10,
        ..Args::default()
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{arg} takes {what}\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--chapter" => a.chapter = Some(value("a chapter (5, ch05)")?),
            "--batch" => a.batch = Some(value("a folder")?.into()),
            "--csv" => a.csv = Some(value("a file")?.into()),
            "--reports" => a.reports = Some(value("a folder")?.into()),
            "--report" => a.report = Some(value("a file")?.into()),
            "--jobs" => {
                a.jobs = value("a number")?.parse().context("--jobs")?
            }
            "--seed" => {
                a.seed = Some(value("a number")?.parse().context("--seed")?)
            }
            "--timeout" => {
                a.timeout = value("seconds")?.parse().context("--timeout")?
            }
            "--json" => a.json = true,
            "--unsandboxed" => a.unsandboxed = true,
            flag if flag.starts_with("--") => {
                bail!("unknown option `{flag}`\n\n{USAGE}")
            }
            _ if a.dir.is_none() => a.dir = Some(arg.into()),
            other => bail!("unexpected `{other}`\n\n{USAGE}"),
        }
    }
    Ok(a)
}

fn isolation(unsandboxed: bool) -> Result<Isolation> {
    if unsandboxed {
        eprintln!(
            "judge: WARNING: --unsandboxed: student code runs with your \
             rights and can read the reference solutions"
        );
        Ok(Isolation::None)
    } else {
        Isolation::detect()
    }
}

fn grade(root: &Path, args: &[String]) -> Result<()> {
    let a = parse(args)?;
    let spec = match (&a.chapter, &a.batch) {
        (Some(c), _) => c.clone(),
        (None, Some(_)) => bail!(
            "a batch needs --chapter: every submission is graded as that \
             chapter, and one of another chapter gets a row saying so\n\n{USAGE}"
        ),
        (None, None) => bail!("--chapter is required\n\n{USAGE}"),
    };
    let chapter = assign::find_chapter(root, &spec)?;
    let seed = a.seed.unwrap_or_else(random_seed);
    let settings = Settings {
        seed,
        timeout: a.timeout,
        isolation: isolation(a.unsandboxed)?,
    };
    let grader = Grader::new(root, &chapter, settings)?;
    if let Some(dir) = &a.batch {
        let csv = a
            .csv
            .as_deref()
            .with_context(|| format!("--batch needs --csv OUT\n\n{USAGE}"))?;
        let out = Outputs {
            csv,
            reports: a.reports.as_deref(),
        };
        let reports = batch::run(&grader, dir, &out, a.jobs, seed)?;
        eprintln!(
            "judge: {} submissions graded into {} (hidden seed {seed})",
            reports.len(),
            csv.display()
        );
        return Ok(());
    }
    let dir = a.dir.context(format!("which submission?\n\n{USAGE}"))?;
    let student = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let report = grader.grade(&dir, &student)?;
    let text = if a.json {
        serde_json::to_string_pretty(&report.json())? + "\n"
    } else {
        report.text()
    };
    match &a.report {
        Some(file) => std::fs::write(file, &text)?,
        None => print!("{text}"),
    }
    eprintln!(
        "judge: hidden seed {seed} (--seed {seed} grades the same cases)"
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = assign::workspace::root();
    let result = match args.first().map(String::as_str) {
        Some("grade") => grade(&root, &args[1..]),
        Some("check-exercises") => judge::selfcheck::main(&root, &args[1..]),
        _ => {
            print!("{USAGE}");
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
