//! Cutting the math font down to the glyphs the book's formulas use.
//!
//! New Computer Modern Math draws some 8,600 glyphs; the book's formulas
//! use a few hundred. This keeps every table of the font as it is, glyph
//! numbers included, so the MATH table (how browsers stretch brackets and
//! size operators), GSUB, GPOS and the metrics stay valid untouched, and
//! only empties the outline of every glyph nothing can reach: in the CFF
//! table its charstring becomes a bare `endchar`, and so does every local
//! subroutine no kept outline calls.
//!
//! What is kept: `.notdef`; the glyph the `cmap` gives each character in
//! the formulas, and in the italic form a browser puts in place of a
//! single-letter `<mi>` (`math-auto`); the radical sign `<msqrt>` draws;
//! then, until nothing more is added, every glyph a GSUB substitution
//! (single, multiple, alternate, ligature; through extensions) can make
//! from a kept glyph, and every size variant and assembly part the MATH
//! table lists for one.

use anyhow::{Context, Result, bail, ensure};
use std::collections::BTreeSet;

fn u16_at(d: &[u8], at: usize) -> Result<u16> {
    let b = d
        .get(at..at + 2)
        .with_context(|| format!("the font data ends before byte {at}"))?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], at: usize) -> Result<u32> {
    let b = d
        .get(at..at + 4)
        .with_context(|| format!("the font data ends before byte {at}"))?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The tables of an OpenType font: tag and bytes, in directory order.
fn tables(font: &[u8]) -> Result<Vec<([u8; 4], &[u8])>> {
    let count = u16_at(font, 4)? as usize;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font
            .get(rec..rec + 4)
            .and_then(|t| t.try_into().ok())
            .context("a table record is cut off")?;
        let offset = u32_at(font, rec + 8)? as usize;
        let length = u32_at(font, rec + 12)? as usize;
        let data = font
            .get(offset..offset + length)
            .context("a table runs past the end of the font")?;
        out.push((tag, data));
    }
    Ok(out)
}

fn table<'a>(
    tables: &[([u8; 4], &'a [u8])],
    tag: &[u8; 4],
) -> Option<&'a [u8]> {
    tables.iter().find(|(t, _)| t == tag).map(|(_, d)| *d)
}

/// Cuts `font` (a CFF-flavoured OpenType font) down to what `chars`
/// need; returns the new font.
pub fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>> {
    let tables = tables(font)?;
    let cmap = table(&tables, b"cmap").context("the font has no cmap")?;
    let cff = table(&tables, b"CFF ").context("the font has no CFF table")?;
    let mut wanted: BTreeSet<char> = chars.clone();
    wanted.extend(chars.iter().filter_map(|&c| math_italic(c)));
    // The radical <msqrt> and <mroot> draw; the prime and minus browsers
    // may put in.
    wanted.extend(['\u{221A}', '\u{2032}', '\u{2212}']);
    let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
    for c in wanted {
        if let Some(g) = glyph(cmap, c)? {
            keep.insert(g);
        }
    }
    loop {
        let before = keep.len();
        if let Some(gsub) = table(&tables, b"GSUB") {
            gsub_closure(gsub, &mut keep)?;
        }
        if let Some(math) = table(&tables, b"MATH") {
            math_closure(math, &mut keep)?;
        }
        if keep.len() == before {
            break;
        }
    }
    let new_cff = empty_glyphs(cff, &keep)?;
    let new: Vec<([u8; 4], &[u8])> = tables
        .iter()
        .map(|&(tag, data)| {
            if &tag == b"CFF " {
                (tag, new_cff.as_slice())
            } else {
                (tag, data)
            }
        })
        .collect();
    Ok(assemble(font, &new))
}

/// The italic form browsers draw a single-letter `<mi>` in.
fn math_italic(c: char) -> Option<char> {
    let shift = |base: u32, first: char| {
        char::from_u32(base + (c as u32 - first as u32))
    };
    match c {
        'h' => Some('\u{210E}'),
        'A'..='Z' => shift(0x1D434, 'A'),
        'a'..='z' => shift(0x1D44E, 'a'),
        'ı' => Some('\u{1D6A4}'),
        'ȷ' => Some('\u{1D6A5}'),
        'Α'..='Ρ' | 'Σ'..='Ω' => shift(0x1D6E2, 'Α'),
        'α'..='ω' => shift(0x1D6FC, 'α'),
        '∂' => Some('\u{1D715}'),
        'ϵ' => Some('\u{1D716}'),
        'ϑ' => Some('\u{1D717}'),
        'ϰ' => Some('\u{1D718}'),
        'ϕ' => Some('\u{1D719}'),
        'ϱ' => Some('\u{1D71A}'),
        'ϖ' => Some('\u{1D71B}'),
        '∇' => Some('\u{1D6FB}'),
        _ => None,
    }
}

/// The glyph the `cmap` table gives `c`, from its Unicode subtable of
/// format 12 (full repertoire) or else format 4 (the basic plane).
fn glyph(cmap: &[u8], c: char) -> Result<Option<u16>> {
    let count = u16_at(cmap, 2)? as usize;
    let mut format4 = None;
    for i in 0..count {
        let rec = 4 + 8 * i;
        let (platform, encoding) = (u16_at(cmap, rec)?, u16_at(cmap, rec + 2)?);
        let offset = u32_at(cmap, rec + 4)? as usize;
        let unicode =
            platform == 0 || (platform == 3 && matches!(encoding, 1 | 10));
        if !unicode {
            continue;
        }
        match u16_at(cmap, offset)? {
            12 => {
                let groups = u32_at(cmap, offset + 12)? as usize;
                for g in 0..groups {
                    let at = offset + 16 + 12 * g;
                    let (first, last) =
                        (u32_at(cmap, at)?, u32_at(cmap, at + 4)?);
                    let code = c as u32;
                    if (first..=last).contains(&code) {
                        let start = u32_at(cmap, at + 8)?;
                        return Ok(Some((start + code - first) as u16));
                    }
                }
                return Ok(None);
            }
            4 => format4 = Some(offset),
            _ => {}
        }
    }
    let Some(offset) = format4 else {
        bail!("the font's cmap has no Unicode subtable of format 4 or 12");
    };
    let code = c as u32;
    if code > 0xFFFF {
        return Ok(None);
    }
    let segs = u16_at(cmap, offset + 6)? as usize / 2;
    let ends = offset + 14;
    let starts = ends + 2 * segs + 2;
    let deltas = starts + 2 * segs;
    let ranges = deltas + 2 * segs;
    for s in 0..segs {
        let end = u16_at(cmap, ends + 2 * s)? as u32;
        if code > end {
            continue;
        }
        let start = u16_at(cmap, starts + 2 * s)? as u32;
        if code < start {
            return Ok(None);
        }
        let delta = u16_at(cmap, deltas + 2 * s)?;
        let range = u16_at(cmap, ranges + 2 * s)? as usize;
        if range == 0 {
            return Ok(Some((code as u16).wrapping_add(delta)));
        }
        let at = ranges + 2 * s + range + 2 * (code - start) as usize;
        let g = u16_at(cmap, at)?;
        return Ok((g != 0).then(|| g.wrapping_add(delta)));
    }
    Ok(None)
}

/// The glyphs a Coverage table lists, in coverage-index order.
fn coverage(d: &[u8], at: usize) -> Result<Vec<u16>> {
    let mut out = Vec::new();
    match u16_at(d, at)? {
        1 => {
            for i in 0..u16_at(d, at + 2)? as usize {
                out.push(u16_at(d, at + 4 + 2 * i)?);
            }
        }
        2 => {
            for i in 0..u16_at(d, at + 2)? as usize {
                let rec = at + 4 + 6 * i;
                let (first, last) = (u16_at(d, rec)?, u16_at(d, rec + 2)?);
                out.extend(first..=last);
            }
        }
        f => bail!("unknown coverage format {f}"),
    }
    Ok(out)
}

/// Adds to `keep` what every GSUB lookup of type 1 to 4 (or an extension
/// of one) makes from glyphs in `keep`. Contextual lookups only call
/// these, so their targets are covered too.
fn gsub_closure(gsub: &[u8], keep: &mut BTreeSet<u16>) -> Result<()> {
    let list = u16_at(gsub, 8)? as usize;
    for l in 0..u16_at(gsub, list)? as usize {
        let lookup = list + u16_at(gsub, list + 2 + 2 * l)? as usize;
        let kind = u16_at(gsub, lookup)?;
        for s in 0..u16_at(gsub, lookup + 4)? as usize {
            let mut sub = lookup + u16_at(gsub, lookup + 6 + 2 * s)? as usize;
            let mut kind = kind;
            if kind == 7 {
                kind = u16_at(gsub, sub + 2)?;
                sub += u32_at(gsub, sub + 4)? as usize;
            }
            substitutions(gsub, sub, kind, keep)?;
        }
    }
    Ok(())
}

fn substitutions(
    d: &[u8],
    sub: usize,
    kind: u16,
    keep: &mut BTreeSet<u16>,
) -> Result<()> {
    if !(1..=4).contains(&kind) {
        return Ok(());
    }
    let format = u16_at(d, sub)?;
    let covered = coverage(d, sub + u16_at(d, sub + 2)? as usize)?;
    let mut add = Vec::new();
    for (i, &g) in covered.iter().enumerate() {
        if !keep.contains(&g) {
            continue;
        }
        match (kind, format) {
            (1, 1) => add.push(g.wrapping_add(u16_at(d, sub + 4)?)),
            (1, 2) => add.push(u16_at(d, sub + 6 + 2 * i)?),
            // Multiple and alternate: a set of glyphs per covered glyph.
            (2 | 3, _) => {
                let set = sub + u16_at(d, sub + 6 + 2 * i)? as usize;
                for k in 0..u16_at(d, set)? as usize {
                    add.push(u16_at(d, set + 2 + 2 * k)?);
                }
            }
            // Ligatures starting with a kept glyph (the other components
            // are not checked: a few glyphs too many at worst).
            (4, _) => {
                let set = sub + u16_at(d, sub + 6 + 2 * i)? as usize;
                for k in 0..u16_at(d, set)? as usize {
                    let lig = set + u16_at(d, set + 2 + 2 * k)? as usize;
                    add.push(u16_at(d, lig)?);
                }
            }
            _ => {}
        }
    }
    keep.extend(add);
    Ok(())
}

/// Adds to `keep` the size variants and assembly parts the MATH table's
/// MathVariants lists for glyphs in `keep`, vertical and horizontal.
fn math_closure(math: &[u8], keep: &mut BTreeSet<u16>) -> Result<()> {
    let variants = u16_at(math, 8)? as usize;
    if variants == 0 {
        return Ok(());
    }
    let vert_cov = u16_at(math, variants + 2)? as usize;
    let horiz_cov = u16_at(math, variants + 4)? as usize;
    let vert_count = u16_at(math, variants + 6)? as usize;
    let mut add = Vec::new();
    for (cov, first) in [(vert_cov, 0), (horiz_cov, vert_count)] {
        if cov == 0 {
            continue;
        }
        for (i, g) in coverage(math, variants + cov)?.into_iter().enumerate() {
            if !keep.contains(&g) {
                continue;
            }
            let rec = variants + 10 + 2 * (first + i);
            let construction = variants + u16_at(math, rec)? as usize;
            let assembly = u16_at(math, construction)? as usize;
            for v in 0..u16_at(math, construction + 2)? as usize {
                add.push(u16_at(math, construction + 4 + 4 * v)?);
            }
            if assembly != 0 {
                let at = construction + assembly;
                for p in 0..u16_at(math, at + 4)? as usize {
                    add.push(u16_at(math, at + 6 + 10 * p)?);
                }
            }
        }
    }
    keep.extend(add);
    Ok(())
}

/// A CFF INDEX: its items and the offset just past it.
fn index(d: &[u8], at: usize) -> Result<(Vec<&[u8]>, usize)> {
    let count = u16_at(d, at)? as usize;
    if count == 0 {
        return Ok((Vec::new(), at + 2));
    }
    let size = *d.get(at + 2).context("a CFF INDEX is cut off")? as usize;
    ensure!(
        (1..=4).contains(&size),
        "a CFF INDEX has offset size {size}"
    );
    let offset = |i: usize| -> Result<usize> {
        let p = at + 3 + i * size;
        let b = d.get(p..p + size).context("a CFF INDEX is cut off")?;
        Ok(b.iter().fold(0usize, |v, &x| (v << 8) | x as usize))
    };
    let base = at + 3 + (count + 1) * size - 1;
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        let (a, b) = (base + offset(i)?, base + offset(i + 1)?);
        items.push(d.get(a..b).context("a CFF INDEX item runs past the end")?);
    }
    Ok((items, base + offset(count)?))
}

/// Writes a CFF INDEX with 4-byte offsets.
fn write_index(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(items.len() as u16).to_be_bytes());
    if items.is_empty() {
        return out;
    }
    out.push(4);
    let mut offset = 1u32;
    out.extend_from_slice(&offset.to_be_bytes());
    for item in items {
        offset += item.len() as u32;
        out.extend_from_slice(&offset.to_be_bytes());
    }
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

/// One DICT entry: its operator and its operands, with where each operand
/// starts and whether it is a 5-byte integer (which can be patched in
/// place).
struct Entry {
    op: u16,
    operands: Vec<(i64, usize, bool)>,
}

fn dict(d: &[u8]) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < d.len() {
        let b = d[i];
        match b {
            0..=21 => {
                let op = if b == 12 {
                    i += 1;
                    0x0c00 | u16::from(*d.get(i).context("a DICT is cut off")?)
                } else {
                    u16::from(b)
                };
                out.push(Entry {
                    op,
                    operands: std::mem::take(&mut operands),
                });
                i += 1;
            }
            28 => {
                operands.push((i64::from(u16_at(d, i + 1)? as i16), i, false));
                i += 3;
            }
            29 => {
                operands.push((i64::from(u32_at(d, i + 1)? as i32), i, true));
                i += 5;
            }
            30 => {
                let start = i;
                i += 1;
                while let Some(&x) = d.get(i) {
                    i += 1;
                    if x & 0x0f == 0x0f || x >> 4 == 0x0f {
                        break;
                    }
                }
                operands.push((0, start, false));
            }
            32..=246 => {
                operands.push((i64::from(b) - 139, i, false));
                i += 1;
            }
            247..=250 => {
                let w = *d.get(i + 1).context("a DICT is cut off")? as i64;
                operands.push(((i64::from(b) - 247) * 256 + w + 108, i, false));
                i += 2;
            }
            251..=254 => {
                let w = *d.get(i + 1).context("a DICT is cut off")? as i64;
                operands.push((
                    -(i64::from(b) - 251) * 256 - w - 108,
                    i,
                    false,
                ));
                i += 2;
            }
            _ => bail!("a CFF DICT holds the reserved byte {b}"),
        }
    }
    Ok(out)
}

/// The CFF table with the charstring of every glyph not in `keep`, and
/// every local subroutine no kept charstring calls, replaced by the
/// shortest valid one.
fn empty_glyphs(cff: &[u8], keep: &BTreeSet<u16>) -> Result<Vec<u8>> {
    let header = *cff.get(2).context("the CFF table is empty")? as usize;
    let (_, after_names) = index(cff, header)?;
    let (tops, after_tops) = index(cff, after_names)?;
    ensure!(tops.len() == 1, "the CFF table holds {} fonts", tops.len());
    let top_at = after_tops - tops[0].len();
    let top = dict(tops[0])?;
    let (_, after_strings) = index(cff, after_tops)?;
    let (gsubrs, _) = index(cff, after_strings)?;
    let find = |op: u16| top.iter().find(|e| e.op == op);
    ensure!(
        find(0x0c1e).is_none(),
        "CID-keyed CFF fonts are not cut down"
    );
    let charstrings = find(17).context("the CFF font has no CharStrings")?;
    let cs_at =
        charstrings.operands.first().context("bad CharStrings")?.0 as usize;
    let (glyphs, cs_end) = index(cff, cs_at)?;
    let private = find(18).context("the CFF font has no Private DICT")?;
    let [(p_size, ..), (p_at, ..)] = private.operands[..] else {
        bail!("the Private DICT entry needs two operands");
    };
    let (p_size, p_at) = (p_size as usize, p_at as usize);
    let private_dict =
        dict(cff.get(p_at..p_at + p_size).context("bad Private")?)?;
    let subrs_at = private_dict
        .iter()
        .find(|e| e.op == 19)
        .and_then(|e| e.operands.first())
        .map(|o| p_at + o.0 as usize);
    let subrs = match subrs_at {
        Some(at) => Some((at, index(cff, at)?)),
        None => None,
    };
    let local: Vec<&[u8]> =
        subrs.as_ref().map(|s| s.1.0.clone()).unwrap_or_default();

    // Which local subroutines the kept outlines call.
    let mut used = BTreeSet::new();
    for &g in keep {
        if let Some(cs) = glyphs.get(g as usize) {
            let mut state = Charstring::default();
            state.run(cs, &local, &gsubrs, &mut used, 0)?;
        }
    }

    const ENDCHAR: &[u8] = &[14];
    const RETURN: &[u8] = &[11];
    let new_glyphs: Vec<&[u8]> = glyphs
        .iter()
        .enumerate()
        .map(|(g, cs)| {
            if keep.contains(&(g as u16)) {
                *cs
            } else {
                ENDCHAR
            }
        })
        .collect();
    let new_cs = write_index(&new_glyphs);

    // Everything before the CharStrings, the new CharStrings, everything
    // after; then the local subroutines rewritten in place at the end.
    let mut out = Vec::with_capacity(cff.len());
    out.extend_from_slice(&cff[..cs_at]);
    out.extend_from_slice(&new_cs);
    let delta = new_cs.len() as i64 - (cs_end - cs_at) as i64;
    out.extend_from_slice(&cff[cs_end..]);
    let moved = |at: usize| {
        if at >= cs_end {
            at as i64 + delta
        } else {
            at as i64
        }
    };
    let patch = |out: &mut Vec<u8>, at: usize, value: i64| -> Result<()> {
        let v = i32::try_from(value).context("a CFF offset overflows")?;
        out[at + 1..at + 5].copy_from_slice(&v.to_be_bytes());
        Ok(())
    };
    // Offsets in the Top DICT (which comes before the CharStrings, so it
    // does not move) to data that did.
    for e in &top {
        let slot = match e.op {
            15 | 16 | 17 | 0x0c24 | 0x0c25 => e.operands.first(),
            18 => e.operands.get(1),
            _ => None,
        };
        let Some(&(value, at, patchable)) = slot else {
            continue;
        };
        // Charset 0-2 and encoding 0-1 are predefined, not offsets.
        if value <= 2 && matches!(e.op, 15 | 16) {
            continue;
        }
        let value = value as usize;
        let new = if e.op == 17 {
            cs_at as i64
        } else {
            moved(value)
        };
        if new != value as i64 {
            ensure!(patchable, "a CFF offset is not a 5-byte integer");
            patch(&mut out, top_at + at, new)?;
        }
    }
    // The local subroutines: unused ones emptied; the new INDEX goes at
    // the end and the Private DICT points there.
    if let Some((at, (subs, sub_end))) = subrs {
        let new_subs: Vec<&[u8]> = subs
            .iter()
            .enumerate()
            .map(|(i, s)| if used.contains(&i) { *s } else { RETURN })
            .collect();
        let new_index = write_index(&new_subs);
        let (old_at, old_end) = (moved(at) as usize, moved(sub_end) as usize);
        // The old INDEX goes if nothing follows it.
        if old_end == out.len() {
            out.truncate(old_at);
        }
        let new_at = out.len();
        out.extend_from_slice(&new_index);
        let p_new = moved(p_at) as usize;
        let subrs_entry = private_dict
            .iter()
            .find(|e| e.op == 19)
            .and_then(|e| e.operands.first())
            .context("the Subrs entry vanished")?;
        let relative = (new_at - p_new) as i64;
        if relative != subrs_entry.0 {
            ensure!(subrs_entry.2, "the Subrs offset is not a 5-byte integer");
            patch(&mut out, p_new + subrs_entry.1, relative)?;
        }
    }
    Ok(out)
}

/// Just enough of a Type 2 charstring interpreter to find which local
/// subroutines an outline calls: operand stack, stem count (for the
/// length of `hintmask`), `callsubr` and `callgsubr`.
#[derive(Default)]
struct Charstring {
    stack: Vec<f64>,
    stems: usize,
}

fn bias(count: usize) -> i64 {
    if count < 1240 {
        107
    } else if count < 33900 {
        1131
    } else {
        32768
    }
}

impl Charstring {
    /// Runs `code`; returns true at `endchar`.
    fn run(
        &mut self,
        code: &[u8],
        local: &[&[u8]],
        global: &[&[u8]],
        used: &mut BTreeSet<usize>,
        depth: usize,
    ) -> Result<bool> {
        ensure!(depth <= 10, "charstring subroutines nest too deep");
        let mut i = 0;
        while i < code.len() {
            let b = code[i];
            match b {
                28 => {
                    self.stack.push(f64::from(u16_at(code, i + 1)? as i16));
                    i += 3;
                }
                32..=246 => {
                    self.stack.push(f64::from(b) - 139.0);
                    i += 1;
                }
                247..=250 => {
                    let w = f64::from(*code.get(i + 1).context("cut off")?);
                    self.stack.push((f64::from(b) - 247.0) * 256.0 + w + 108.0);
                    i += 2;
                }
                251..=254 => {
                    let w = f64::from(*code.get(i + 1).context("cut off")?);
                    self.stack
                        .push(-(f64::from(b) - 251.0) * 256.0 - w - 108.0);
                    i += 2;
                }
                255 => {
                    self.stack
                        .push(f64::from(u32_at(code, i + 1)? as i32) / 65536.0);
                    i += 5;
                }
                // Stems: hstem, vstem, hstemhm, vstemhm.
                1 | 3 | 18 | 23 => {
                    self.stems += self.stack.len() / 2;
                    self.stack.clear();
                    i += 1;
                }
                // hintmask, cntrmask: a vstem may be implied before them.
                19 | 20 => {
                    self.stems += self.stack.len() / 2;
                    self.stack.clear();
                    i += 1 + self.stems.div_ceil(8);
                }
                10 | 29 => {
                    let subrs = if b == 10 { local } else { global };
                    let n =
                        self.stack.pop().context("callsubr without index")?;
                    let k = n as i64 + bias(subrs.len());
                    let sub = usize::try_from(k)
                        .ok()
                        .and_then(|k| subrs.get(k).map(|s| (k, *s)))
                        .context("a charstring calls a missing subroutine")?;
                    if b == 10 {
                        used.insert(sub.0);
                    }
                    if self.run(sub.1, local, global, used, depth + 1)? {
                        return Ok(true);
                    }
                    i += 1;
                }
                11 => return Ok(false),
                14 => return Ok(true),
                12 => {
                    self.stack.clear();
                    i += 2;
                }
                _ => {
                    self.stack.clear();
                    i += 1;
                }
            }
        }
        Ok(false)
    }
}

/// An OpenType font with the same header fields as `original` and these
/// tables, offsets, checksums and `head.checkSumAdjustment` recomputed.
fn assemble(original: &[u8], tables: &[([u8; 4], &[u8])]) -> Vec<u8> {
    let checksum = |data: &[u8]| -> u32 {
        data.chunks(4).fold(0u32, |sum, c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            sum.wrapping_add(u32::from_be_bytes(w))
        })
    };
    let mut out = original[..12].to_vec();
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    let mut head_at = None;
    for (tag, data) in tables {
        let mut data = data.to_vec();
        if tag == b"head" && data.len() >= 12 {
            data[8..12].fill(0);
            head_at = Some(offset + 8);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(&data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let padded = data.len().div_ceil(4) * 4;
        body.extend_from_slice(&data);
        body.resize(body.len() + padded - data.len(), 0);
        offset += padded;
    }
    out.extend_from_slice(&body);
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at..at + 4].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn math_font() -> &'static [u8] {
        typst_assets::fonts()
            .find(|f| {
                f.windows(29).any(|w| w == b"NewComputerModernMath-Regular")
            })
            .unwrap()
    }

    /// The charstrings of a font's CFF table.
    fn charstrings(font: &[u8]) -> Vec<Vec<u8>> {
        let t = tables(font).unwrap();
        let cff = table(&t, b"CFF ").unwrap();
        let (_, after_names) = index(cff, cff[2] as usize).unwrap();
        let (tops, _) = index(cff, after_names).unwrap();
        let top = dict(tops[0]).unwrap();
        let at = top.iter().find(|e| e.op == 17).unwrap().operands[0].0;
        let (glyphs, _) = index(cff, at as usize).unwrap();
        glyphs.iter().map(|g| g.to_vec()).collect()
    }

    #[test]
    fn kept_glyphs_keep_their_outlines_and_the_rest_are_emptied() {
        let font = math_font();
        let chars: BTreeSet<char> = "x(".chars().collect();
        let small = subset(font, &chars).unwrap();
        assert!(small.len() < font.len() / 2, "{} bytes", small.len());
        let (before, after) = (tables(font).unwrap(), tables(&small).unwrap());
        // Every table but CFF is the same, byte for byte.
        assert_eq!(before.len(), after.len());
        for ((tag, a), (tag2, b)) in before.iter().zip(&after) {
            assert_eq!(tag, tag2);
            if tag != b"CFF " && tag != b"head" {
                assert_eq!(a, b, "{}", String::from_utf8_lossy(tag));
            }
        }
        let (old, new) = (charstrings(font), charstrings(&small));
        assert_eq!(old.len(), new.len(), "glyph ids stay");
        let cmap = table(&before, b"cmap").unwrap();
        let gid = |c| glyph(cmap, c).unwrap().unwrap() as usize;
        // x, its math italic form and ( keep their outlines; y does not.
        for c in ['x', '\u{1D465}', '('] {
            assert_eq!(new[gid(c)], old[gid(c)], "{c}");
            assert!(new[gid(c)].len() > 1, "{c}");
        }
        assert_eq!(new[gid('y')], [14]);
        // The taller brackets the MATH table lists for ( are kept too.
        let mut keep = BTreeSet::from([gid('(') as u16]);
        math_closure(table(&before, b"MATH").unwrap(), &mut keep).unwrap();
        assert!(keep.len() > 3, "{keep:?}");
        for g in keep {
            assert_eq!(new[g as usize], old[g as usize], "glyph {g}");
        }
    }

    #[test]
    fn the_checksum_adjustment_makes_the_font_sum_to_the_magic_number() {
        let small = subset(math_font(), &BTreeSet::from(['a'])).unwrap();
        let sum = small.chunks(4).fold(0u32, |s, c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            s.wrapping_add(u32::from_be_bytes(w))
        });
        assert_eq!(sum, 0xB1B0_AFBA);
    }

    #[test]
    fn a_truncated_font_is_an_error_not_a_panic() {
        let font = math_font();
        for len in [0, 3, 12, 200, 5000] {
            assert!(subset(&font[..len], &BTreeSet::from(['a'])).is_err());
        }
    }
}
