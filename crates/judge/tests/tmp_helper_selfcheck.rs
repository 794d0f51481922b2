// TEMPORARY (helper's scratch, not to be committed).
use attn_common::answer::Value;
use judge::chapters::suite;
use judge::check::{Kind, Oracle, Reply};

struct Ref(judge::chapters::Reference);
impl Oracle for Ref {
    fn ask(&mut self, ex: &str, input: &Value) -> Reply {
        match (self.0)(ex, input) {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(format!("{e:#}")),
        }
    }
}

#[test]
fn reference_passes() {
    let chs = std::env::var("CHS").unwrap_or("01 03 04 05 06 07 08".into());
    let mut bad = vec![];
    for nn in chs.split_whitespace() {
        for seed in [0u64, 1, 12345, u64::MAX] {
            let (checks, r) = suite(nn, seed).unwrap();
            let mut o = Ref(r);
            if seed == 0 {
                println!("ch{nn}: {} checks", checks.len());
            }
            for c in &checks {
                let res: Result<(), String> = match &c.kind {
                    Kind::Matches { input, .. } => {
                        match o.ask(&c.exercise, input) {
                            Reply::Value(_) => Ok(()),
                            other => Err(format!("{other:?}")),
                        }
                    }
                    Kind::Fails { input, mentions } => {
                        match o.ask(&c.exercise, input) {
                            Reply::Error(m) => {
                                let miss: Vec<_> = mentions
                                    .iter()
                                    .filter(|x| !m.contains(x.as_str()))
                                    .collect();
                                if miss.is_empty() {
                                    Ok(())
                                } else {
                                    Err(format!("missing {miss:?} in {m}"))
                                }
                            }
                            other => Err(format!("no error: {other:?}")),
                        }
                    }
                    Kind::Property(p) => p(&mut o),
                };
                if let Err(e) = res {
                    bad.push(format!(
                        "ch{nn} seed {seed} {} `{}`: {e}",
                        c.exercise, c.name
                    ));
                }
            }
        }
    }
    for b in &bad {
        println!("{b}");
    }
    assert!(bad.is_empty());
}

use attn_common::answer::{self as a, json};
use judge::check::close;

type Override = fn(&str, &Value) -> Option<anyhow::Result<Value>>;
struct Mutant(judge::chapters::Reference, Override);
impl Oracle for Mutant {
    fn ask(&mut self, ex: &str, input: &Value) -> Reply {
        let r = (self.1)(ex, input).unwrap_or_else(|| (self.0)(ex, input));
        match r {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(format!("{e:#}")),
        }
    }
}

fn failures(nn: &str, ex: &str, m: Override) -> Vec<String> {
    let (checks, r) = suite(nn, 77).unwrap();
    let mut o = Mutant(r, m);
    let mut refo = Ref(r);
    let mut failed = vec![];
    for c in checks.iter().filter(|c| c.exercise == ex) {
        let ok = match &c.kind {
            Kind::Matches { input, tol } => {
                match (o.ask(ex, input), refo.ask(ex, input)) {
                    (Reply::Value(g), Reply::Value(w)) => close(&g, &w, *tol),
                    _ => false,
                }
            }
            Kind::Fails { input, mentions } => match o.ask(ex, input) {
                Reply::Error(m) => {
                    mentions.iter().all(|x| m.contains(x.as_str()))
                }
                _ => false,
            },
            Kind::Property(p) => p(&mut o).is_ok(),
        };
        if !ok {
            failed.push(c.name.clone());
        }
    }
    failed
}

#[test]
fn mutants_are_caught() {
    let cases: Vec<(&str, &str, Override)> = vec![
        ("03", "3.1", |ex, i| {
            (ex == "3.1").then(|| {
                let s = a::vector(i, "scores")?;
                let w = ch03_queries_keys_values::softmax::softmax(s.view())?;
                Ok(a::from_vector(w.mapv(f64::ln).view()))
            })
        }),
        ("03", "3.3", |ex, i| {
            (ex == "3.3").then(|| {
                let t = ch03_queries_keys_values::answer::answer(ex, i)?;
                Ok(json!(t.as_f64().unwrap() * 1.000_001))
            })
        }),
        ("04", "4.2", |ex, i| {
            (ex == "4.2").then(|| {
                let w = a::matrix(i, "weights")?;
                if w.nrows() < 2
                    || w.nrows() != w.ncols()
                    || w.iter().any(|x| !x.is_finite())
                {
                    anyhow::bail!("bad {:?}", w.dim());
                }
                let v: Vec<usize> = w
                    .rows()
                    .into_iter()
                    .map(|r| {
                        let mut b = 0;
                        for (j, &x) in r.iter().enumerate() {
                            if x > r[b] {
                                b = j;
                            }
                        }
                        b
                    })
                    .collect();
                Ok(json!(v))
            })
        }),
        ("04", "4.3", |ex, i| {
            (ex == "4.3").then(|| {
                let b = a::seed(i, "budget_bytes")?;
                Ok(json!(((b / 4) as f64).sqrt() as u64))
            })
        }),
        ("05", "5.2", |ex, i| {
            (ex == "5.2").then(|| {
                let sd = a::number(i, "std_dev")?;
                let mut j = i.clone();
                j["std_dev"] = json!(1.0);
                let v = ch05_trainable_weights::answer::answer(ex, &j)?;
                Ok(json!(v.as_f64().unwrap() * sd * sd))
            })
        }),
        ("06", "6.1", |ex, i| {
            (ex == "6.1").then(|| {
                let t = a::count(i, "t")?;
                let w = a::count(i, "w")?;
                if w == 0 {
                    anyhow::bail!("w = 0");
                }
                let m: Vec<Vec<bool>> = (0..t)
                    .map(|r| (0..t).map(|c| c <= r && r - c <= w).collect())
                    .collect();
                Ok(json!(m))
            })
        }),
        ("06", "6.3", |ex, i| {
            (ex == "6.3").then(|| {
                let l = ch05_trainable_weights::SelfAttention::new(
                    a::matrix(i, "w_q")?,
                    a::matrix(i, "w_k")?,
                    a::matrix(i, "w_v")?,
                )?;
                let x = a::matrix(i, "x")?;
                let t = a::count(i, "t")?;
                anyhow::ensure!(t < x.nrows(), "t = {t} (x {:?})", x.dim());
                let o = l.forward(x.view())?;
                Ok(a::from_vector(o.context.row(t)))
            })
        }),
        ("07", "7.1", |ex, i| {
            (ex == "7.1").then(|| {
                let x = a::matrix(i, "x")?;
                let h = a::count(i, "n_heads")?;
                let d = ch07_multi_head_attention::head_width(x.ncols(), h)?;
                let (t, _) = x.dim();
                let y = x.to_shape((h, t, d))?.to_owned();
                Ok(a::from_array3(y.view()))
            })
        }),
        ("08", "8.1", |ex, i| {
            (ex == "8.1").then(|| {
                let w = a::matrix(i, "weights")?;
                let th = a::number(i, "threshold")?;
                anyhow::ensure!(
                    (0.0..=1.0).contains(&th)
                        && !w.is_empty()
                        && w.iter().all(|x| x.is_finite()),
                    "bad {:?}",
                    w.dim()
                );
                let v: Vec<Option<usize>> = w
                    .rows()
                    .into_iter()
                    .map(|r| {
                        let mut b = 0;
                        for (j, &x) in r.iter().enumerate() {
                            if x >= r[b] {
                                b = j;
                            }
                        }
                        (r[b] >= th).then_some(b)
                    })
                    .collect();
                Ok(json!(v))
            })
        }),
        ("08", "8.2", |ex, i| {
            (ex == "8.2").then(|| {
                let mut j = i.clone();
                let e = a::array3(i, "encoder")?;
                j["encoder_lengths"] = json!(vec![e.dim().1; e.dim().0]);
                ch08_cross_attention::answer::answer(ex, &j)
            })
        }),
    ];
    let mut bad = vec![];
    for (nn, ex, m) in cases {
        let f = failures(nn, ex, m);
        println!("{ex}: mutant fails {} checks: {:?}", f.len(), f);
        if f.is_empty() {
            bad.push(ex);
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

struct Count(judge::chapters::Reference, usize);
impl Oracle for Count {
    fn ask(&mut self, ex: &str, input: &Value) -> Reply {
        self.1 += 1;
        match (self.0)(ex, input) {
            Ok(v) => Reply::Value(v),
            Err(e) => Reply::Error(format!("{e:#}")),
        }
    }
}

#[test]
fn count_asks() {
    for nn in ["01", "03", "04", "05", "06", "07", "08"] {
        let (checks, r) = suite(nn, 5).unwrap();
        let mut o = Count(r, 0);
        let (mut fixed, mut props) = (0, 0);
        for c in &checks {
            match &c.kind {
                Kind::Property(p) => {
                    props += 1;
                    let _ = p(&mut o);
                }
                _ => {
                    fixed += 1;
                    o.1 += 1;
                }
            }
        }
        let hidden = checks
            .iter()
            .filter(|c| c.name.starts_with("hidden"))
            .count();
        println!(
            "ch{nn}: {} checks ({} input cases of which {} hidden-seeded, {} properties), {} asks",
            checks.len(),
            fixed,
            hidden,
            props,
            o.1
        );
        let mut per: std::collections::BTreeMap<
            String,
            (usize, usize, usize, usize),
        > = Default::default();
        for c in &checks {
            let e = per.entry(c.exercise.clone()).or_default();
            match &c.kind {
                Kind::Property(_) => e.3 += 1,
                Kind::Fails { .. } => e.2 += 1,
                _ => {
                    if c.name.starts_with("hidden") {
                        e.1 += 1
                    } else {
                        e.0 += 1
                    }
                }
            }
        }
        for (ex, (f, h, b, p)) in per {
            println!(
                "  {ex}: fixed {f}, bad-input {b}, hidden {h}, property {p}"
            );
        }
    }
}
