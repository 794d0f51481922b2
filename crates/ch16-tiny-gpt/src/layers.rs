//! One function per layer forward and one per layer backward, on plain
//! slices, in the spirit of llm.c's `train_gpt2.c`.
//!
//! Every tensor is a row-major slice: `(n, c)` means `n` rows of `c`
//! numbers, where `n = B T` counts every position of every sequence of
//! the batch. A backward function receives the gradient of the loss with
//! respect to its layer's output and *adds* the gradients of its inputs
//! and parameters into the slices it is given (a tensor used twice, such
//! as the token embedding, collects both contributions). The loops round
//! every product and sum in a fixed order, so training reproduces to the
//! bit on every machine: no library kernel chosen at run time, no `tanh`
//! or `exp` from the C library (the exponential is chapter 13's).

use ch13_cost_of_attention::exp::exp_nonpositive;

/// Defines `pub fn $name` to run `$body` compiled for the wider vector
/// instructions `$feature` when the processor has them (checked when
/// the program runs), and compiled for the baseline otherwise. The
/// arithmetic is the same in both: Rust never fuses or reorders `a * b +
/// c` on its own, so both give the same bits; the wide one is faster.
macro_rules! dispatch {
    (
        $feature:tt =>
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn plain($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = $feature)]
            #[allow(clippy::too_many_arguments)]
            fn wide($($arg: $ty),*) $(-> $ret)? {
                plain($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!($feature) {
                // SAFETY: the processor was just found to have the feature.
                return unsafe { wide($($arg),*) };
            }
            plain($($arg),*)
        }
    };
}

/// Layer norm's `eps`, as chapter 14 and GPT-2 use.
pub const EPS: f64 = 1e-5;

/// `tanh(x)` from chapter 13's portable `exp`: the same bits on every
/// machine, within a few units of `1e-16` of `f64::tanh`.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    let e = exp_nonpositive(-2.0 * x.abs());
    let t = (1.0 - e) / (1.0 + e);
    if x < 0.0 { -t } else { t }
}

/// `cos(x)` for `0 <= x <= pi` by its Taylor series to `x^32`, with
/// fused multiply-adds (rounded once, the same everywhere). Used by the
/// learning-rate schedule so that the rates, and so the trained weights,
/// do not depend on the C library.
pub fn cos(x: f64) -> f64 {
    let x2 = x * x;
    // 1 - x^2/2! + x^4/4! - ..., Horner from the last term.
    let mut acc = 0.0_f64;
    for k in (0..=16).rev() {
        let n = (2 * k) as f64;
        // term_k = (-1)^k x^(2k) / (2k)!; Horner: acc = 1 - x^2 acc /
        // ((2k+1)(2k+2)) from the inside out.
        acc = if k == 16 {
            1.0
        } else {
            (-x2 / ((n + 1.0) * (n + 2.0))).mul_add(acc, 1.0)
        };
    }
    acc
}

// ANCHOR: encoder
/// Token plus position: `x[b t] = wte[token] + wpe[t]`.
///
/// # Shapes
/// - `tokens`: `(B T,)` in `0..vocab`, read as `B` rows of `t_len`
/// - `wte`: `(vocab, c)`, `wpe`: `(context, c)` -> `out`: `(B T, c)`
pub fn encoder_forward(
    out: &mut [f64],
    tokens: &[usize],
    wte: &[f64],
    wpe: &[f64],
    t_len: usize,
    c: usize,
) {
    for (i, (&tok, row)) in tokens.iter().zip(out.chunks_mut(c)).enumerate() {
        let t = i % t_len;
        let (e, p) = (&wte[tok * c..][..c], &wpe[t * c..][..c]);
        for ((o, &e), &p) in row.iter_mut().zip(e).zip(p) {
            *o = e + p;
        }
    }
}

/// Adds `dout`'s rows into the rows of `dwte` and `dwpe` they came from.
///
/// # Shapes
/// - as [`encoder_forward`]
pub fn encoder_backward(
    dwte: &mut [f64],
    dwpe: &mut [f64],
    dout: &[f64],
    tokens: &[usize],
    t_len: usize,
    c: usize,
) {
    for (i, (&tok, d)) in tokens.iter().zip(dout.chunks(c)).enumerate() {
        let t = i % t_len;
        for (w, &g) in dwte[tok * c..][..c].iter_mut().zip(d) {
            *w += g;
        }
        for (w, &g) in dwpe[t * c..][..c].iter_mut().zip(d) {
            *w += g;
        }
    }
}
// ANCHOR_END: encoder

// ANCHOR: layer_norm
/// Layer norm of every row: `y = g (x - mu) / sqrt(var + eps) + b`,
/// keeping each row's mean and `1 / sqrt(var + eps)` for the backward.
///
/// # Shapes
/// - `inp`, `out`: `(n, c)`; `g`, `b`: `(c,)`; `mean`, `rstd`: `(n,)`
pub fn layer_norm_forward(
    out: &mut [f64],
    mean: &mut [f64],
    rstd: &mut [f64],
    inp: &[f64],
    g: &[f64],
    b: &[f64],
    c: usize,
) {
    let rows = inp.chunks(c).zip(out.chunks_mut(c));
    for ((x, y), (m, r)) in rows.zip(mean.iter_mut().zip(rstd.iter_mut())) {
        let mu = x.iter().sum::<f64>() / c as f64;
        let var = x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / c as f64;
        let s = 1.0 / (var + EPS).sqrt();
        for (((y, &x), &g), &b) in y.iter_mut().zip(x).zip(g).zip(b) {
            *y = (x - mu) * s * g + b;
        }
        (*m, *r) = (mu, s);
    }
}

/// The backward of [`layer_norm_forward`]. With `xhat = (x - mu) rstd`
/// and `dxhat = dy g`, the row's gradient is
/// `dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))`.
///
/// # Shapes
/// - as [`layer_norm_forward`]; `dinp`, `dout`: `(n, c)`, `dg`, `db`:
///   `(c,)`
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    dinp: &mut [f64],
    dg: &mut [f64],
    db: &mut [f64],
    dout: &[f64],
    inp: &[f64],
    g: &[f64],
    mean: &[f64],
    rstd: &[f64],
    c: usize,
) {
    let mut xhat = vec![0.0; c];
    let mut dxhat = vec![0.0; c];
    for (i, ((dx, dy), x)) in dinp
        .chunks_mut(c)
        .zip(dout.chunks(c))
        .zip(inp.chunks(c))
        .enumerate()
    {
        let (mu, s) = (mean[i], rstd[i]);
        let (mut sum, mut dot) = (0.0, 0.0);
        for j in 0..c {
            xhat[j] = (x[j] - mu) * s;
            dxhat[j] = dy[j] * g[j];
            sum += dxhat[j];
            dot += dxhat[j] * xhat[j];
            dg[j] += dy[j] * xhat[j];
            db[j] += dy[j];
        }
        let (sum, dot) = (sum / c as f64, dot / c as f64);
        for j in 0..c {
            dx[j] += s * (dxhat[j] - sum - xhat[j] * dot);
        }
    }
}
// ANCHOR_END: layer_norm

// ANCHOR: gemm
/// `out += a b`, where `a[i, k]` is read at `a[i * a_i + k * a_k]` (so
/// `a` may be a matrix or the transpose of one), `b` is `(kk, n)` and
/// `out` is `(m, n)`, both row-major.
///
/// Every entry of `out` adds its `kk` products in increasing `k`, exactly
/// as the plain loop `for k { out[i, j] += a[i, k] b[k, j] }` would, so the
/// result is the same to the bit; but a tile of 4 rows by 8 columns of
/// `out` stays in the processor's registers while `k` runs, and each row
/// of `b` read from memory serves 4 rows. That is several times faster
/// than updating a whole row of `out` in memory for every `k`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gemm_acc(
    out: &mut [f64],
    a: &[f64],
    (a_i, a_k): (usize, usize),
    b: &[f64],
    m: usize,
    kk: usize,
    n: usize,
) {
    const R: usize = 4;
    const C: usize = 8;
    for i in (0..m).step_by(R) {
        for j in (0..n).step_by(C) {
            if i + R <= m && j + C <= n {
                let mut acc = [[0.0f64; C]; R];
                for (r, row) in acc.iter_mut().enumerate() {
                    row.copy_from_slice(&out[(i + r) * n + j..][..C]);
                }
                for k in 0..kk {
                    let bk: &[f64; C] =
                        b[k * n + j..][..C].try_into().expect("a slice of C");
                    for (r, row) in acc.iter_mut().enumerate() {
                        let x = a[(i + r) * a_i + k * a_k];
                        for (o, &y) in row.iter_mut().zip(bk) {
                            *o += x * y;
                        }
                    }
                }
                for (r, row) in acc.iter().enumerate() {
                    out[(i + r) * n + j..][..C].copy_from_slice(row);
                }
            } else {
                for r in i..m.min(i + R) {
                    for q in j..n.min(j + C) {
                        let mut s = out[r * n + q];
                        for k in 0..kk {
                            s += a[r * a_i + k * a_k] * b[k * n + q];
                        }
                        out[r * n + q] = s;
                    }
                }
            }
        }
    }
}
// ANCHOR_END: gemm

/// `a^T`: the `(rows, cols)` matrix `a` as `(cols, rows)`.
fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; a.len()];
    for (i, row) in a.chunks(cols).enumerate().take(rows) {
        for (j, &x) in row.iter().enumerate() {
            out[j * rows + i] = x;
        }
    }
    out
}

// ANCHOR: matmul
dispatch! {
"avx2" =>
/// `out = inp w + bias`: each row of `out` starts at the bias and adds
/// `inp[i, k] w[k, :]` for every `k`, in increasing `k`.
///
/// # Shapes
/// - `inp`: `(n, c)`, `w`: `(c, oc)`, `bias`: `(oc,)` -> `out`: `(n, oc)`
fn matmul_forward(
    out: &mut [f64],
    inp: &[f64],
    w: &[f64],
    bias: &[f64],
    c: usize,
    oc: usize,
) {
    let n = inp.len() / c;
    for y in out.chunks_mut(oc) {
        y.copy_from_slice(bias);
    }
    gemm_acc(out, inp, (c, 1), w, n, c, oc);
}
}

dispatch! {
"avx2" =>
/// The backward of [`matmul_forward`]: `dinp += dout w^T`,
/// `dw += inp^T dout`, `dbias += ` the column sums of `dout`.
///
/// # Shapes
/// - as [`matmul_forward`], with `d` for the gradients
fn matmul_backward(
    dinp: &mut [f64],
    dw: &mut [f64],
    dbias: &mut [f64],
    dout: &[f64],
    inp: &[f64],
    w: &[f64],
    c: usize,
    oc: usize,
) {
    let n = inp.len() / c;
    for dy in dout.chunks(oc) {
        for (b, &g) in dbias.iter_mut().zip(dy) {
            *b += g;
        }
    }
    // dinp (n, c) += dout (n, oc) w^T (oc, c)
    gemm_acc(dinp, dout, (oc, 1), &transpose(w, c, oc), n, oc, c);
    // dw (c, oc) += inp^T (c, n) dout (n, oc)
    gemm_acc(dw, inp, (1, c), dout, c, n, oc);
}
}
// ANCHOR_END: matmul

// ANCHOR: attention_forward
dispatch! {
"fma" =>
/// Causal multi-head attention on the fused projections.
///
/// Row `i` of `qkv` holds the position's query, key and value side by
/// side, each `c` wide and cut into `n_heads` heads of `c / n_heads`.
/// For every sequence, head and position `t`, the scores against the
/// keys of positions `0..=t`, scaled by `1 / sqrt(d_head)`, go through a
/// softmax; the weights (kept in `att` for the backward and the head
/// view; 0 above the diagonal) mix the values into `out`.
///
/// # Shapes
/// - `qkv`: `(B T, 3 c)` -> `out`: `(B T, c)`, `att`: `(B, H, T, T)`
fn attention_forward(
    out: &mut [f64],
    att: &mut [f64],
    qkv: &[f64],
    t_len: usize,
    c: usize,
    n_heads: usize,
) {
    let hs = c / n_heads;
    let scale = 1.0 / (hs as f64).sqrt();
    let batch = qkv.len() / (t_len * 3 * c);
    for b in 0..batch {
        let row = |t: usize| &qkv[(b * t_len + t) * 3 * c..][..3 * c];
        for h in 0..n_heads {
            for t in 0..t_len {
                let q = &row(t)[h * hs..][..hs];
                let w = &mut att[((b * n_heads + h) * t_len + t) * t_len..]
                    [..t_len];
                let mut max = f64::NEG_INFINITY;
                for (t2, wv) in w.iter_mut().enumerate().take(t + 1) {
                    let k = &row(t2)[c + h * hs..][..hs];
                    let s: f64 = q.iter().zip(k).map(|(a, b)| a * b).sum();
                    *wv = s * scale;
                    max = max.max(*wv);
                }
                let mut total = 0.0;
                for wv in &mut w[..=t] {
                    *wv = exp_nonpositive(*wv - max);
                    total += *wv;
                }
                w[..=t].iter_mut().for_each(|wv| *wv /= total);
                w[t + 1..].iter_mut().for_each(|wv| *wv = 0.0);
                let o = &mut out[(b * t_len + t) * c + h * hs..][..hs];
                o.iter_mut().for_each(|x| *x = 0.0);
                for (t2, &wv) in w.iter().enumerate().take(t + 1) {
                    let v = &row(t2)[2 * c + h * hs..][..hs];
                    for (x, &vv) in o.iter_mut().zip(v) {
                        *x += wv * vv;
                    }
                }
            }
        }
    }
}
}
// ANCHOR_END: attention_forward

// ANCHOR: attention_backward
dispatch! {
"fma" =>
/// The backward of [`attention_forward`]. For one head and position,
/// with weights `a` and the output's gradient `g`:
/// `da[t2] = g . v[t2]` and `dv[t2] += a[t2] g`; through the softmax,
/// `ds[t2] = a[t2] (da[t2] - sum_j a[j] da[j])`; through the scores,
/// `dq += scale ds[t2] k[t2]` and `dk[t2] += scale ds[t2] q`.
///
/// # Shapes
/// - as [`attention_forward`]; `dqkv`: `(B T, 3 c)`, `dout`: `(B T, c)`
fn attention_backward(
    dqkv: &mut [f64],
    dout: &[f64],
    qkv: &[f64],
    att: &[f64],
    t_len: usize,
    c: usize,
    n_heads: usize,
) {
    let hs = c / n_heads;
    let scale = 1.0 / (hs as f64).sqrt();
    let batch = qkv.len() / (t_len * 3 * c);
    let mut da = vec![0.0; t_len];
    for b in 0..batch {
        let base = |t: usize| (b * t_len + t) * 3 * c;
        for h in 0..n_heads {
            for t in 0..t_len {
                let row = ((b * n_heads + h) * t_len + t) * t_len;
                let a = &att[row..][..t_len];
                let g = &dout[(b * t_len + t) * c + h * hs..][..hs];
                let mut mix = 0.0;
                for t2 in 0..=t {
                    let v = &qkv[base(t2) + 2 * c + h * hs..][..hs];
                    da[t2] = g.iter().zip(v).map(|(x, y)| x * y).sum();
                    mix += a[t2] * da[t2];
                    let dv = &mut dqkv[base(t2) + 2 * c + h * hs..][..hs];
                    for (d, &gv) in dv.iter_mut().zip(g) {
                        *d += a[t2] * gv;
                    }
                }
                for t2 in 0..=t {
                    let ds = a[t2] * (da[t2] - mix) * scale;
                    let (qi, ki) = (base(t) + h * hs, base(t2) + c + h * hs);
                    for j in 0..hs {
                        dqkv[qi + j] += ds * qkv[ki + j];
                        dqkv[ki + j] += ds * qkv[qi + j];
                    }
                }
            }
        }
    }
}
}
// ANCHOR_END: attention_backward

// ANCHOR: gelu
/// GELU's tanh form, as GPT-2 and chapter 14 use it:
/// `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`.
#[inline(always)]
pub fn gelu(x: f64) -> f64 {
    let k = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + tanh(k * (x + 0.044_715 * x * x * x)))
}

/// GELU's derivative: with `u = k (x + 0.044715 x^3)`,
/// `0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) k (1 + 3 * 0.044715 x^2)`.
#[inline(always)]
pub fn gelu_grad(x: f64) -> f64 {
    let k = (2.0 / std::f64::consts::PI).sqrt();
    let th = tanh(k * (x + 0.044_715 * x * x * x));
    let du = k * (1.0 + 3.0 * 0.044_715 * x * x);
    0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du
}
// ANCHOR_END: gelu

dispatch! {
"fma" =>
/// GELU of every entry.
///
/// # Shapes
/// - `out`, `inp`: the same length
fn gelu_forward(out: &mut [f64], inp: &[f64]) {
    for (y, &x) in out.iter_mut().zip(inp) {
        *y = gelu(x);
    }
}
}

dispatch! {
"fma" =>
/// `dinp += gelu'(inp) dout`, entry by entry.
///
/// # Shapes
/// - `dinp`, `dout`, `inp`: the same length
fn gelu_backward(dinp: &mut [f64], dout: &[f64], inp: &[f64]) {
    for ((d, &g), &x) in dinp.iter_mut().zip(dout).zip(inp) {
        *d += gelu_grad(x) * g;
    }
}
}

/// `out = a + b`, entry by entry (a residual connection; its backward
/// adds `dout` to both inputs' gradients: the caller starts each input's
/// gradient as a copy of `dout`).
///
/// # Shapes
/// - all three the same length
pub fn residual_forward(out: &mut [f64], a: &[f64], b: &[f64]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}

// ANCHOR: logits
dispatch! {
"avx2" =>
/// The logits through the tied embedding, `logits = x wte^T`, row by
/// row as in [`matmul_forward`] (on the transposed embedding).
///
/// # Shapes
/// - `x`: `(n, c)`, `wte`: `(vocab, c)` -> `logits`: `(n, vocab)`
fn logits_forward(logits: &mut [f64], x: &[f64], wte: &[f64], c: usize) {
    let vocab = wte.len() / c;
    let n = x.len() / c;
    logits.iter_mut().for_each(|v| *v = 0.0);
    gemm_acc(logits, x, (c, 1), &transpose(wte, vocab, c), n, c, vocab);
}
}

dispatch! {
"avx2" =>
/// The backward of [`logits_forward`]: `dx += dlogits wte`,
/// `dwte += dlogits^T x`.
///
/// # Shapes
/// - as [`logits_forward`]
fn logits_backward(
    dx: &mut [f64],
    dwte: &mut [f64],
    dlogits: &[f64],
    x: &[f64],
    wte: &[f64],
    c: usize,
) {
    let vocab = wte.len() / c;
    let n = x.len() / c;
    gemm_acc(dx, dlogits, (vocab, 1), wte, n, vocab, c);
    gemm_acc(dwte, dlogits, (1, vocab), x, vocab, n, c);
}
}
// ANCHOR_END: logits

// ANCHOR: cross_entropy
dispatch! {
"fma" =>
/// Softmax and cross-entropy of every row against its target: returns
/// the mean loss over the rows, and overwrites `logits` with the
/// gradient of that mean, `(softmax(z) - onehot(y)) / n`.
///
/// # Shapes
/// - `logits`: `(n, vocab)`, `targets`: `(n,)` -> the mean loss
fn cross_entropy(
    logits: &mut [f64],
    targets: &[usize],
    vocab: usize,
) -> f64 {
    let n = targets.len();
    let mut total_loss = 0.0;
    for (z, &y) in logits.chunks_mut(vocab).zip(targets) {
        let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let zy = z[y];
        let mut total = 0.0;
        for v in z.iter_mut() {
            *v = exp_nonpositive(*v - max);
            total += *v;
        }
        total_loss += total.ln() + max - zy;
        for v in z.iter_mut() {
            *v /= total * n as f64;
        }
        z[y] -= 1.0 / n as f64;
    }
    total_loss / n as f64
}
}
// ANCHOR_END: cross_entropy

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portable_tanh_and_cos_agree_with_the_c_library() {
        for i in -400..=400 {
            let x = i as f64 / 40.0;
            assert!((tanh(x) - x.tanh()).abs() < 4e-16, "tanh {x}");
        }
        for i in 0..=1000 {
            let x = std::f64::consts::PI * i as f64 / 1000.0;
            assert!((cos(x) - x.cos()).abs() < 4e-15, "cos {x}");
        }
    }

    #[test]
    fn gelu_agrees_with_chapter_14() {
        for i in -60..=60 {
            let x = i as f64 / 10.0;
            let ch14 = ch14_where_attention_lives::block::gelu(x);
            assert!((gelu(x) - ch14).abs() < 1e-15, "{x}");
        }
    }

    #[test]
    fn gelus_derivative_matches_central_differences() {
        for i in -40..=40 {
            let x = i as f64 / 10.0;
            let h = 1e-6;
            let numeric = (gelu(x + h) - gelu(x - h)) / (2.0 * h);
            assert!((gelu_grad(x) - numeric).abs() < 1e-8, "{x}");
        }
    }
}
