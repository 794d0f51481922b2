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
  cargo xtask grade --chapter N --batch DIR --csv OUT [--reports DIR]
                    [--summary FILE] [--jobs N] [--force] [--shard I/N]
      judge every folder in DIR; a student is named by the folder's name;
      one CSV row each (sorted by student) and, with --reports, one report
      each that can be handed to the student; a summary at the end (and
      as JSON in --summary FILE); never overwrites OUT without --force;
      --shard I/N grades only the I-th of N shares of the folders (by
      name), for a CI matrix
  cargo xtask grade --chapter N --batch DIR --csv OUT --only NAME
      regrade the folder NAME into the existing OUT, with its seed,
      replacing only that student's row
  cargo xtask grade --chapter N --list-checks
      the chapter's check categories and points (no inputs, no answers)
  cargo xtask grade --lock-references
      record the chapter crates' files as the committed reference (after
      an intended change to a chapter's code; commit the file it writes)
  options (in any order):
      --seed S        seed of the hidden cases (default: drawn at random,
                      printed, and written in every CSV row and JSON report)
      --timeout SECS  time per call of the student's code (default 10)
      --unsandboxed   run student code without bubblewrap: only for code
                      you trust (it could read the reference solutions)
  cargo xtask grade --self-test [--chapter N]
      does grading work here? grades the reference solution and an
      untouched copy of chapter N (default 5) in the sandbox
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
    summary: Option<PathBuf>,
    force: bool,
    only: Option<String>,
    shard: Option<(u64, u64)>,
    list_checks: bool,
    lock_references: bool,
}

fn shard(s: &str) -> Result<(u64, u64)> {
    let parsed = s
        .split_once('/')
        .and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?)));
    match parsed {
        Some((i, n)) if i >= 1 && i <= n => Ok((i, n)),
        _ => {
            bail!("--shard takes I/N with 1 <= I <= N, such as 2/4 (got `{s}`)")
        }
    }
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
            "--summary" => a.summary = Some(value("a file")?.into()),
            "--only" => a.only = Some(value("a folder name")?),
            "--shard" => a.shard = Some(shard(&value("I/N")?)?),
            "--force" => a.force = true,
            "--list-checks" => a.list_checks = true,
            "--lock-references" => a.lock_references = true,
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
    if args.iter().any(|a| a == "--self-test") {
        let rest: Vec<String> = args
            .iter()
            .filter(|a| *a != "--self-test")
            .cloned()
            .collect();
        let a = parse(&rest)?;
        let chapter = a.chapter.as_deref().unwrap_or("5");
        return judge::smoke::run(root, chapter, isolation(a.unsandboxed)?);
    }
    let a = parse(args)?;
    if a.lock_references {
        let path = judge::committed::write_lock(root)?;
        eprintln!(
            "judge: recorded the chapter crates' files as the reference in \
             {} (commit it with them)",
            path.display()
        );
        return Ok(());
    }
    let spec = match (&a.chapter, &a.batch) {
        (Some(c), _) => c.clone(),
        (None, Some(_)) => bail!(
            "a batch needs --chapter: every submission is graded as that \
             chapter, and one of another chapter gets a row saying so\n\n{USAGE}"
        ),
        (None, None) => bail!("--chapter is required\n\n{USAGE}"),
    };
    let chapter = assign::find_chapter(root, &spec)?;
    if a.list_checks {
        return list_checks(root, &chapter);
    }
    if a.only.is_some() && a.batch.is_none() {
        bail!("--only NAME regrades one folder of a --batch\n\n{USAGE}");
    }
    if a.shard.is_some() && a.only.is_some() {
        bail!("--shard and --only do not go together\n\n{USAGE}");
    }
    let seed = match (&a.only, &a.csv) {
        (Some(_), Some(csv)) => {
            let seed = batch::seed_of_csv(csv)?;
            if a.seed.is_some_and(|s| s != seed) {
                bail!(
                    "--only regrades with the seed of {} ({seed}), not --seed",
                    csv.display()
                );
            }
            seed
        }
        _ => a.seed.unwrap_or_else(random_seed),
    };
    let settings = Settings {
        seed,
        timeout: a.timeout,
        isolation: isolation(a.unsandboxed)?,
    };
    let grader = Grader::new(root, &chapter, settings)?;
    eprintln!("judge: {}", reference_note());
    if let Some(dir) = &a.batch {
        let csv = a
            .csv
            .as_deref()
            .with_context(|| format!("--batch needs --csv OUT\n\n{USAGE}"))?;
        let out = Outputs {
            csv,
            reports: a.reports.as_deref(),
        };
        let opts = batch::Options {
            summary: a.summary.as_deref(),
            force: a.force,
            only: a.only.as_deref(),
            shard: a.shard,
            grade: None,
        };
        let done = batch::run_with(&grader, dir, &out, &opts, a.jobs)?;
        eprintln!(
            "judge: {} submission(s) graded into {} (hidden seed {seed})",
            done.reports.len(),
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

/// Where the reference answers came from, in words.
fn reference_note() -> String {
    std::env::var("JUDGE_REFERENCE_NOTE").unwrap_or_else(|_| {
        format!(
            "reference: the chapter crates as recorded in {} (a local edit \
             to them would have been refused)",
            judge::committed::LOCK
        )
    })
}

/// `--list-checks`: what the checks cover, without building anything and
/// without any input or expected value.
fn list_checks(root: &Path, chapter: &assign::Chapter) -> Result<()> {
    let (checks, _) =
        judge::chapters::suite(&chapter.nn, 0).with_context(|| {
            format!("the judge knows no chapter {}", chapter.nn)
        })?;
    let points = assign::points(chapter)?;
    let _ = root;
    let mut total = 0.0;
    println!("{}: what the judge checks", chapter.name);
    for (id, max) in &points {
        let names: Vec<&str> = checks
            .iter()
            .filter(|c| &c.exercise == id)
            .map(|c| c.name.as_str())
            .collect();
        println!(
            "\nExercise {id}: {max} points, shared over {} checks",
            names.len()
        );
        let mut cats: Vec<(String, usize)> = Vec::new();
        for cat in judge::report::categories(&names) {
            match cats.iter_mut().find(|(k, _)| *k == cat) {
                Some(e) => e.1 += 1,
                None => cats.push((cat, 1)),
            }
        }
        for (cat, n) in cats {
            let share =
                judge::report::round(max * n as f64 / names.len() as f64);
            let count = if n > 1 {
                format!(" ({n} checks)")
            } else {
                String::new()
            };
            println!("  {share:>5} pts  {cat}{count}");
        }
        total += max;
    }
    println!(
        "\nTotal: {total} points. Refusals of bad input earn points only for an exercise that answers a valid input right."
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo xtask grade` may run a judge built from the committed files
    // (exported from git): that copy is its workspace.
    let root = std::env::var_os("JUDGE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(assign::workspace::root);
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
