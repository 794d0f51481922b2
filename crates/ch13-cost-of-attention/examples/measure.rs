//! The chapter 13 benchmark: time and peak memory of naive attention,
//! tiled attention, one `(T, d) x (d, T)` matrix product (the yardstick:
//! attention does two such products' worth of multiply-adds) and one
//! KV-cached decoding step for T = 128 to 8192 at d = 64, and the time to
//! generate 1,024 tokens with and without the cache, all in one run.
//!
//! `cargo run --release -p ch13-cost-of-attention --example measure`
//!
//! It writes `src/data/measured.csv`, which the chapter's figures read
//! (under `src/` so that it travels with the code into a student's copy),
//! and `src/data/measured.md`, which the chapter includes. Memory is
//! measured, not estimated: a counting global allocator adds up every byte
//! allocated and freed, and each call's "peak extra" is the highest count
//! reached during the call minus the count before it (so the call's output
//! counts too). Times are the CPU time of the one thread doing the work
//! (`clock_gettime` on the thread's CPU clock), the median of several
//! batches of calls where a call is short, so that waiting for other
//! processes on a shared machine is not counted; caches and memory
//! bandwidth are still shared, so treat them as good to ten percent or so.

use anyhow::{Context, Result};
use attn_common::rng::SplitMix64;
use ch03_queries_keys_values::attention::{Scale, attention};
use ch13_cost_of_attention::cost::{
    generation_multiply_adds, naive_peak_bytes, tiled_peak_bytes,
};
use ch13_cost_of_attention::worked::{D, DECODER, GENERATED, LENGTHS, TILE};
use ch13_cost_of_attention::{KvCache, Mask, TinyDecoder, tiled_attention};
use ndarray::Array2;
use ndarray::linalg::general_mat_mul;
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

// ANCHOR: allocator
/// The system allocator, counting the bytes currently allocated and the
/// highest count reached.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed straight to the system allocator; the
// counters only watch.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grow(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` once and returns its result, its CPU seconds and the most
/// bytes it had allocated at once beyond what was allocated before.
fn run<R>(f: impl FnOnce() -> R) -> (R, f64, usize) {
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let start = cpu_seconds();
    let r = black_box(f());
    let seconds = cpu_seconds() - start;
    (r, seconds, PEAK.load(Relaxed) - before)
}
// ANCHOR_END: allocator

/// The CPU time this thread has used, in seconds, from the C library's
/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` (nanosecond resolution). Time
/// spent waiting while other processes run is not counted, which matters
/// on a shared machine. Elsewhere than 64-bit Linux, wall-clock time
/// stands in.
fn cpu_seconds() -> f64 {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        unsafe extern "C" {
            fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9;
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// CPU seconds per call of `f`, over one batch of `n` calls.
fn batch<R>(n: usize, f: &mut impl FnMut() -> R) -> f64 {
    let start = cpu_seconds();
    for _ in 0..n {
        black_box(f());
    }
    (cpu_seconds() - start) / n as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// How many calls make a batch of about `budget` seconds.
fn per_batch(first: f64, budget: f64) -> usize {
    ((budget / first.max(1e-9)).ceil() as usize).max(1)
}

struct Row {
    method: &'static str,
    t: u64,
    repetitions: usize,
    seconds: f64,
    peak: usize,
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn main() -> Result<()> {
    let total = Instant::now();
    let d = D as usize;
    let mut rows = Vec::new();
    for &t in &LENGTHS {
        let tu = t as usize;
        let mut rng = SplitMix64::new(t);
        let q = rng.normal_matrix(tu, d);
        let k = rng.normal_matrix(tu, d);
        let v = rng.normal_matrix(tu, d);
        let naive = || {
            attention(q.view(), k.view(), v.view(), Scale::InvSqrtDk)
                .map(|o| o.context)
        };
        let tiled = || {
            tiled_attention(
                q.view(),
                k.view(),
                v.view(),
                Mask::None,
                TILE as usize,
            )
        };
        // First runs: memory, a warm-up, and a check that both agree.
        let (a, naive_first, naive_peak) = run(naive);
        let (b, tiled_first, tiled_peak) = run(tiled);
        let (a, b) = (a?, b?);
        let diff = a
            .iter()
            .zip(&b)
            .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
        assert!(
            diff < 1e-12,
            "tiled differs from naive by {diff} at T = {t}"
        );
        drop((a, b));
        // One (T, d) x (d, T) product, Q K^T, into a (T, T) matrix made
        // beforehand; this first run also writes every page of it.
        let mut scores = Array2::<f64>::zeros((tu, tu));
        let mut product = || general_mat_mul(1.0, &q, &k.t(), 0.0, &mut scores);
        let (_, _, product_peak) = run(&mut product);
        // Then batches of the three in turn, so that noise from other work
        // hits them alike; one run is enough at T = 8192.
        let first = naive_first.max(tiled_first);
        let batches = match first {
            _ if t >= 8192 => 0,
            f if f > 0.3 => 3,
            _ => 5,
        };
        let n = per_batch(first, 0.05);
        let (mut naive, mut tiled) = (naive, tiled);
        let (mut tn, mut tt, mut tp) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..batches {
            tn.push(batch(n, &mut naive));
            tt.push(batch(n, &mut tiled));
            tp.push(batch(n, &mut product));
        }
        let (tn, tt, tp) = if batches == 0 {
            (naive_first, tiled_first, batch(1, &mut product))
        } else {
            (median(tn), median(tt), median(tp))
        };
        drop(scores);
        let reps_done = (n * batches).max(1);
        rows.push(Row {
            method: "naive",
            t,
            repetitions: reps_done,
            seconds: tn,
            peak: naive_peak,
        });
        rows.push(Row {
            method: "tiled",
            t,
            repetitions: reps_done,
            seconds: tt,
            peak: tiled_peak,
        });
        rows.push(Row {
            method: "product",
            t,
            repetitions: reps_done,
            seconds: tp,
            peak: product_peak,
        });
        // One decoding step with a cache of T tokens: the cache itself
        // and the step's scores and output count as memory.
        let q1 = rng.normal_matrix(1, d);
        let (cache, _, build_peak) = run(|| {
            let mut cache = KvCache::new(tu, d);
            cache.push(k.view(), v.view()).map(|_| cache)
        });
        let cache = cache?;
        let (_, first, step_peak) = run(|| cache.attend(q1.row(0)));
        let n = per_batch(first, 0.02);
        let mut step = || cache.attend(q1.row(0));
        let times: Vec<f64> = (0..5).map(|_| batch(n, &mut step)).collect();
        rows.push(Row {
            method: "kv_step",
            t,
            repetitions: 5 * n,
            seconds: median(times),
            peak: build_peak.max(cache_bytes(tu, d) + step_peak),
        });
        eprintln!("T = {t}: done after {:.1} s", total.elapsed().as_secs_f64());
    }
    // Generating 1,024 tokens, with and without the cache.
    let (vocab, width, seed) = DECODER;
    let decoder = TinyDecoder::random(vocab, width, seed)?;
    let n_new = GENERATED as usize;
    let (slow, slow_s, slow_peak) =
        run(|| decoder.generate_recomputing(&[0], n_new));
    let slow = slow?;
    let mut fast_times = Vec::new();
    let mut fast_peak = 0;
    for _ in 0..5 {
        let (fast, s, p) = run(|| decoder.generate_cached(&[0], n_new));
        assert_eq!(fast?.tokens, slow.tokens, "the cache changed the tokens");
        fast_times.push(s);
        fast_peak = fast_peak.max(p);
    }
    rows.push(Row {
        method: "generate_recompute",
        t: GENERATED,
        repetitions: 1,
        seconds: slow_s,
        peak: slow_peak,
    });
    rows.push(Row {
        method: "generate_cached",
        t: GENERATED,
        repetitions: 5,
        seconds: median(fast_times),
        peak: fast_peak,
    });
    let elapsed = total.elapsed().as_secs_f64();
    let machine = machine();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/data");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("measured.csv"), csv(&rows, &machine))?;
    std::fs::write(
        dir.join("measured.md"),
        markdown(&rows, &machine, elapsed)?,
    )?;
    eprintln!(
        "wrote src/data/measured.csv and src/data/measured.md in {elapsed:.1} s"
    );
    Ok(())
}

/// The bytes of a cache of `t` keys and values of width `d` in `f64`.
fn cache_bytes(t: usize, d: usize) -> usize {
    2 * t * d * 8
}

fn csv(rows: &[Row], machine: &str) -> String {
    let mut s = format!(
        "# machine: {machine}\n# release build, d = {D}, tile = {TILE}; \
         written by `cargo run --release -p ch13-cost-of-attention \
         --example measure`\nmethod,T,repetitions,seconds,peak_extra_bytes\n"
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{:.6e},{}\n",
            r.method, r.t, r.repetitions, r.seconds, r.peak
        ));
    }
    s
}

fn find<'a>(rows: &'a [Row], method: &str, t: u64) -> Result<&'a Row> {
    rows.iter()
        .find(|r| r.method == method && r.t == t)
        .with_context(|| format!("no {method} row for T = {t}"))
}

/// Bytes in decimal megabytes (1 MB = 1,000,000 bytes), as the chapter's
/// counted tables print them.
fn mb(bytes: usize) -> String {
    format!("{:.3} MB", bytes as f64 / 1e6)
}

fn ms(seconds: f64) -> String {
    format!("{:.3} ms", seconds * 1e3)
}

fn markdown(rows: &[Row], machine: &str, elapsed: f64) -> Result<String> {
    let mut s = String::new();
    writeln!(
        s,
        "<!-- generated by `cargo run --release -p ch13-cost-of-attention \
         --example measure`; do not edit -->\n"
    )?;
    writeln!(
        s,
        "Measured on {machine}, release build, d = {D}, tile = {TILE}, one \
         thread; times are CPU time per call (median of batches); the \
         whole run took {elapsed:.0} s of wall-clock time.\n"
    )?;
    writeln!(
        s,
        "Time per call in milliseconds. The product is one (T, d) x (d, T) \
         matrix product, Q K^T into a (T, T) matrix made beforehand; \
         attention does the multiply-adds of two. The cached step is one \
         new token attending over a cache of T tokens.\n"
    )?;
    writeln!(
        s,
        "| T | naive ms | tiled ms | product ms | tiled / naive | \
         tiled / product | cached step ms |\n\
         |---:|---:|---:|---:|---:|---:|---:|"
    )?;
    for &t in &LENGTHS {
        let (n, ti, p, kv) = (
            find(rows, "naive", t)?,
            find(rows, "tiled", t)?,
            find(rows, "product", t)?,
            find(rows, "kv_step", t)?,
        );
        writeln!(
            s,
            "| {t} | {:.3} | {:.3} | {:.3} | {:.2} | {:.2} | {:.3} |",
            n.seconds * 1e3,
            ti.seconds * 1e3,
            p.seconds * 1e3,
            ti.seconds / n.seconds,
            ti.seconds / p.seconds,
            kv.seconds * 1e3,
        )?;
    }
    writeln!(
        s,
        "\nPeak extra memory in megabytes (MB, a million bytes); the cached \
         step's includes its cache of T tokens.\n"
    )?;
    writeln!(
        s,
        "| T | naive MB | tiled MB | naive / tiled | cached step MB |\n\
         |---:|---:|---:|---:|---:|"
    )?;
    for &t in &LENGTHS {
        let (n, ti, kv) = (
            find(rows, "naive", t)?,
            find(rows, "tiled", t)?,
            find(rows, "kv_step", t)?,
        );
        writeln!(
            s,
            "| {t} | {:.3} | {:.3} | {:.1} | {:.3} |",
            n.peak as f64 / 1e6,
            ti.peak as f64 / 1e6,
            n.peak as f64 / ti.peak as f64,
            kv.peak as f64 / 1e6,
        )?;
    }
    let tu = 4096;
    let (n, ti) = (find(rows, "naive", tu)?, find(rows, "tiled", tu)?);
    let p = find(rows, "product", tu)?;
    let mem = n.peak as f64 / ti.peak as f64;
    let time = ti.seconds / n.seconds;
    let products = ti.seconds / p.seconds;
    let (slow, fast) = (
        find(rows, "generate_recompute", GENERATED)?,
        find(rows, "generate_cached", GENERATED)?,
    );
    let speedup = slow.seconds / fast.seconds;
    let (vocab, width, _) = DECODER;
    let counted =
        generation_multiply_adds(width as u64, vocab as u64, 1, GENERATED)
            .ratio();
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    writeln!(s, "\nThe targets, from this run:\n")?;
    writeln!(
        s,
        "| target | wanted | measured | verdict |\n|---|---|---|---|"
    )?;
    writeln!(
        s,
        "| tiled memory smaller at T = 4096 | at least 50 times | \
         {mem:.1} times ({} vs {}; counted: {} vs {}) | {} |",
        mb(n.peak),
        mb(ti.peak),
        mb(naive_peak_bytes(4096, 4096, D) as usize),
        mb(tiled_peak_bytes(4096, 4096, D, TILE) as usize),
        met(mem >= 50.0)
    )?;
    writeln!(
        s,
        "| tiled time at T = 4096 | at most 1.2 times naive | \
         {time:.2} times ({} vs {}) | {} |",
        ms(ti.seconds),
        ms(n.seconds),
        met(time <= 1.2)
    )?;
    writeln!(
        s,
        "| tiled time at T = 4096 | at most 3 times one (T, d) x (d, T) \
         product | {products:.2} times ({} vs {}) | {} |",
        ms(ti.seconds),
        ms(p.seconds),
        met(products <= 3.0)
    )?;
    writeln!(
        s,
        "| generating {GENERATED} tokens with the cache | at least 100 \
         times faster | {speedup:.0} times ({:.2} s vs {}; counted: \
         {counted:.0} times fewer multiply-adds) | {} |",
        slow.seconds,
        ms(fast.seconds),
        met(speedup >= 100.0)
    )?;
    Ok(s)
}
