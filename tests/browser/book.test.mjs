// The built book in the system Chromium, as a reader sees it.
//
// Run with `cargo xtask browser-test`, which builds the book, serves it on
// 127.0.0.1 and sets:
//   BOOK_URL     where the book is served, e.g. http://127.0.0.1:4711/attention-verified/
//   BOOK_DIR     the built book's folder (the pages to visit)
//   CHROMIUM     the system browser, e.g. /usr/bin/chromium
//   SCREENSHOTS  where to save screenshots for a human to look at
//
// Every check collects all its problems before failing, so one run shows
// everything to fix.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

const BOOK_URL = process.env.BOOK_URL;
const BOOK_DIR = process.env.BOOK_DIR;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOTS || 'screenshots';
if (!BOOK_URL || !BOOK_DIR) {
  throw new Error('run through `cargo xtask browser-test` (BOOK_URL and BOOK_DIR are not set)');
}
const ORIGIN = new URL(BOOK_URL).origin;

// The smallest text a figure may show, in CSS pixels, at the size it is
// displayed, in the desktop column and on a 360 px phone.
const MIN_FIGURE_TEXT_PX = 11;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

// Every page of the book, from the built folder (print.html repeats them all;
// toc.html is the sidebar for browsers without JavaScript).
const PAGES = fs
  .readdirSync(BOOK_DIR)
  .filter((f) => f.endsWith('.html') && !['print.html', 'toc.html', '404.html'].includes(f))
  .sort();

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** A fresh page with the given viewport and theme that records console
 * errors, requests to other hosts and failed requests into `problems`. */
async function open(problems, { viewport = DESKTOP, theme = 'light' } = {}) {
  const context = await browser.newContext({ viewport });
  // Phones start with the sidebar closed, as a reader's would.
  const sidebar = viewport.width < 620 ? 'hidden' : 'visible';
  await context.addInitScript(([t, s]) => {
    localStorage.setItem('mdbook-theme', t);
    localStorage.setItem('mdbook-sidebar', s);
  }, [theme, sidebar]);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(ORIGIN + '/') && !/^(data|blob|about):/.test(url)) {
      problems.push(`request to another host: ${url}`);
    }
  });
  page.on('requestfailed', (req) => {
    // Moving on to the next page cancels what is still loading (often the
    // favicon): that is not a failure of the book.
    const error = req.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') problems.push(`failed request: ${req.url()} (${error})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page };
}

async function visit(page, file) {
  await page.goto(BOOK_URL + file, { waitUntil: 'load' });
  // The math font must be in before anything is measured.
  await page.evaluate(() => document.fonts.ready);
}

function report(problems, what) {
  if (problems.length > 0) {
    assert.fail(`${problems.length} problem(s) with ${what}:\n  ${problems.join('\n  ')}`);
  }
}

// ---------------------------------------------------------------------------
// Loading: console, requests, links and anchors.

const fetched = new Map();
async function get(url) {
  if (!fetched.has(url)) {
    fetched.set(
      url,
      fetch(url).then(async (r) => ({ status: r.status, text: r.ok ? await r.text() : '' })),
    );
  }
  return fetched.get(url);
}

test('every page loads cleanly and every internal link and #anchor resolves', async () => {
  const problems = [];
  const { context, page } = await open(problems);
  for (const file of PAGES) {
    const before = problems.length;
    await visit(page, file);
    const links = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const link of new Set(links)) {
      if (!link.startsWith(ORIGIN + '/')) continue;
      const url = new URL(link);
      const target = url.origin + url.pathname;
      const res = await get(target);
      if (res.status !== 200) {
        problems.push(`${file}: link to ${link} gives HTTP ${res.status}`);
        continue;
      }
      const id = decodeURIComponent(url.hash.slice(1));
      if (id && !res.text.includes(`id="${id}"`) && !res.text.includes(`name="${id}"`)) {
        problems.push(`${file}: link to ${link}: no element with id "${id}"`);
      }
    }
    for (let i = before; i < problems.length; i++) {
      if (!problems[i].startsWith(file)) problems[i] = `${file}: ${problems[i]}`;
    }
  }
  await context.close();
  // A missing page under the published path shows the 404 page, styled
  // (site-url in book.toml): only the page itself may be missing.
  const missing = [];
  const lost = await open(missing);
  await lost.page.goto(BOOK_URL + 'no/such/page.html');
  await lost.page.evaluate(() => document.fonts.ready);
  const styled = await lost.page.evaluate(() => getComputedStyle(document.body).fontFamily);
  if (!/Open Sans/.test(styled)) problems.push(`the 404 page is unstyled (font ${styled})`);
  const expected = (p) =>
    p === `HTTP 404: ${BOOK_URL}no/such/page.html` ||
    p.startsWith('console error: Failed to load resource: the server responded with a status of 404');
  if (missing.filter(expected).length !== 2) problems.push(`the missing page did not answer 404: ${missing.join('; ')}`);
  problems.push(...missing.filter((p) => !expected(p)).map((p) => `404 page: ${p}`));
  await lost.context.close();
  report(problems, 'loading pages and links');
});

// ---------------------------------------------------------------------------
// Math: the math font, bold symbols, stretchy brackets.

// Unicode's mathematical bold and bold italic letters (Latin, Greek) and
// bold digits.
const MATH_BOLD = /^[\u{1D400}-\u{1D433}\u{1D468}-\u{1D49B}\u{1D6A8}-\u{1D6E1}\u{1D71C}-\u{1D755}\u{1D7CE}-\u{1D7D7}]+$/u;

test('math renders with the math font: bold is bold, brackets stretch', async () => {
  const problems = [];
  const { context, page } = await open(problems);
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  let bolds = 0;
  let fences = 0;
  let sums = 0;
  for (const file of PAGES) {
    await visit(page, file);
    const found = await page.evaluate(() => {
      const out = { bold: [], fences: [], sums: [] };
      // Bold symbols: letters and digits in Unicode's mathematical bold
      // (the converter writes \mathbf and \boldsymbol so), or one it sets
      // in a bold weight (a bold ℓ, which Unicode lacks). Each is marked,
      // so that the font that draws it can be asked for below.
      for (const el of document.querySelectorAll('math mi, math mn')) {
        const weight = getComputedStyle(el).fontWeight;
        if (/[\u{1D400}-\u{1D7FF}]/u.test(el.textContent) || el.style.fontWeight) {
          el.setAttribute('data-bold', '');
          out.bold.push({ text: el.textContent, weight });
        }
      }
      // A stretchy fence (a bracket or brace) beside a matrix or cases
      // table must be at least as tall as the table.
      for (const mo of document.querySelectorAll('math mo[stretchy="true"]')) {
        const table = [...mo.parentElement.children].find((c) => c.localName === 'mtable');
        if (!table) continue;
        const h = mo.getBoundingClientRect().height;
        const t = table.getBoundingClientRect().height;
        out.fences.push({ text: mo.textContent, h, t });
      }
      // A sum in display style (not one inside a fraction, which TeX and
      // MathML both set in the smaller text style) is a large operator.
      for (const mo of document.querySelectorAll('math[display="block"] mo')) {
        if (mo.textContent === '∑' && getComputedStyle(mo).mathStyle === 'normal') {
          const line = parseFloat(getComputedStyle(mo).fontSize);
          out.sums.push({ h: mo.getBoundingClientRect().height, line });
        }
      }
      return out;
    });
    for (const b of found.bold) {
      bolds += 1;
      // Letters and digits in Unicode's mathematical bold, or a bold weight.
      const letters = b.text.replace(/[^\p{L}\p{N}]/gu, '');
      if (!(parseInt(b.weight, 10) >= 600 || MATH_BOLD.test(letters) || letters === '')) {
        problems.push(`${file}: bold symbol "${b.text}" is drawn at weight ${b.weight}`);
      }
    }
    for (const f of found.fences) {
      fences += 1;
      if (f.h < 0.9 * f.t) {
        problems.push(
          `${file}: bracket "${f.text}" is ${f.h.toFixed(1)} px tall beside a ${f.t.toFixed(1)} px table`,
        );
      }
    }
    for (const s of found.sums) {
      sums += 1;
      if (s.h < 1.3 * s.line) problems.push(`${file}: display sum sign is only ${s.h.toFixed(1)} px tall`);
    }
    // Which font Chromium actually draws each formula, and each bold symbol,
    // with: a glyph missing from the cut-down math font would be drawn by
    // another font.
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'math, math [data-bold]' });
    for (const nodeId of nodeIds) {
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const other = fonts.filter((f) => !/NewComputerModern.*Math|New Computer Modern Math/i.test(f.familyName));
      if (other.length > 0) {
        const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
        problems.push(
          `${file}: a formula is drawn with ${other.map((f) => f.familyName).join(', ')}: ${outerHTML.slice(0, 160)}`,
        );
      }
    }
  }
  await context.close();
  assert.ok(bolds > 0, 'no bold math symbol found: did the book change, or the build?');
  assert.ok(fences > 0, 'no bracket beside a matrix found');
  assert.ok(sums > 0, 'no display sum found');
  report(problems, 'math');
});

// ---------------------------------------------------------------------------
// Phones: nothing overflows the text column at 360 px.

test('nothing overflows the text column on a 360 px phone', async () => {
  const problems = [];
  const { context, page } = await open(problems, { viewport: PHONE });
  for (const file of PAGES) {
    await visit(page, file);
    const overflows = await page.evaluate(() => {
      const main = document.querySelector('#mdbook-content main');
      const col = main.getBoundingClientRect();
      const out = [];
      if (document.documentElement.scrollWidth > window.innerWidth + 1) {
        out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px wide)`);
      }
      const scrolls = (el) => {
        for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
          const o = getComputedStyle(a).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') {
            const r = a.getBoundingClientRect();
            if (r.left >= col.left - 1 && r.right <= col.right + 1) return true;
          }
        }
        return false;
      };
      for (const el of main.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if ((r.right > col.right + 1 || r.left < col.left - 1) && !scrolls(el)) {
          const what = el.localName + (el.className && typeof el.className === 'string' ? '.' + el.className : '');
          out.push(`${what} "${el.textContent.trim().slice(0, 50)}" spans ${r.left.toFixed(0)}..${r.right.toFixed(0)} px, column ${col.left.toFixed(0)}..${col.right.toFixed(0)} px`);
        }
      }
      return out;
    });
    // One line per outermost overflowing element is enough.
    const seen = new Set();
    for (const o of overflows) {
      const key = o.replace(/^[^"]*/, '');
      if (!seen.has(key)) problems.push(`${file}: ${o}`);
      seen.add(key);
    }
    if (file === 'ch07-multi-head-attention.html') {
      await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-360-ch07.png'), fullPage: false });
    }
  }
  await context.close();
  report(problems, 'overflow at 360 px');
});

// ---------------------------------------------------------------------------
// Figures: legible in the desktop column and on a phone, in the page's theme,
// numbered, a tap away from full size.

/** Loads every figure of the page now (they are loading="lazy") and
 * describes the ones shown: the SVG the browser chose, its link, its size. */
async function shownFigures(page) {
  await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll('#mdbook-content main img')];
    for (const img of imgs) img.loading = 'eager';
    await Promise.all(imgs.map((img) => (img.complete ? null : new Promise((r) => {
      img.addEventListener('load', r, { once: true });
      img.addEventListener('error', r, { once: true });
    }))));
  });
  return page.$$eval('#mdbook-content main img', (els) =>
    els.map((img) => ({
      src: img.currentSrc || img.src,
      shown: img.getBoundingClientRect().width,
      link: img.closest('a')?.href ?? null,
      figure: img.closest('figure')?.id ?? null,
      caption: img.closest('figure')?.querySelector('figcaption')?.textContent ?? null,
    })),
  );
}

/** The smallest text of an SVG figure shown `shown` px wide, in CSS px. */
function smallestText(svg, shown) {
  const width = parseFloat(/<svg[^>]*\swidth="([\d.]+)/.exec(svg)?.[1] ?? NaN);
  // plotters writes font-size="N" in px; hand-written SVGs set a default
  // on the root element and override it per element.
  const sizes = [...svg.matchAll(/font-size="([\d.]+)/g)].map((m) => parseFloat(m[1]));
  if (sizes.length === 0 || !Number.isFinite(width)) return null;
  return { px: Math.min(...sizes) * (shown / width), width, font: Math.min(...sizes) };
}

/** The relative luminance of the SVG's plate (its first filled rect). */
function plateLuminance(svg) {
  const fill = /<rect[^>]*\sfill="([^"]+)"/.exec(svg)?.[1] ?? '';
  const named = { white: '#ffffff', black: '#000000' };
  const hex = (named[fill.toLowerCase()] ?? fill).replace('#', '');
  if (!/^[0-9a-f]{6}$/i.test(hex)) return null;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

for (const { name, viewport, theme } of [
  { name: 'desktop, light', viewport: DESKTOP, theme: 'light' },
  { name: '360 px phone, navy', viewport: PHONE, theme: 'navy' },
  { name: 'desktop, coal', viewport: DESKTOP, theme: 'coal' },
  { name: '360 px phone, ayu', viewport: PHONE, theme: 'ayu' },
]) {
  test(`figures (${name}): text at least ${MIN_FIGURE_TEXT_PX} px, in the theme, numbered, open at full size`, async () => {
    const problems = [];
    const dark = theme !== 'light';
    const { context, page } = await open(problems, { viewport, theme });
    let figures = 0;
    for (const file of PAGES) {
      await visit(page, file);
      for (const img of await shownFigures(page)) {
        // Hidden images (the other theme's copy, or a picture a chapter's
        // script replaced) are not read.
        if (!img.src.endsWith('.svg') || img.shown === 0) continue;
        figures += 1;
        const name = img.src.split('/').pop();
        // The link opens the wide variant of the copy shown.
        const full = img.src.replace('-narrow', '');
        if (img.link !== full) problems.push(`${file}: ${name} links to ${img.link}, not to ${full}`);
        if (!img.figure || !/^Figure \d+\.\d+/.test(img.caption ?? '')) {
          problems.push(`${file}: ${name} has no numbered caption (${img.figure}: ${img.caption})`);
        }
        const svg = (await get(img.src)).text;
        const text = smallestText(svg, img.shown);
        if (text && text.px < MIN_FIGURE_TEXT_PX) {
          problems.push(
            `${file}: ${name}: smallest text ${text.px.toFixed(1)} px at ${img.shown.toFixed(0)} px wide (figure ${text.width} px, font ${text.font})`,
          );
        }
        const plate = plateLuminance(svg);
        if (plate === null) problems.push(`${file}: ${name}: no plate colour found`);
        else if (dark && plate > 0.2) problems.push(`${file}: ${name} is a light plate (luminance ${plate.toFixed(2)}) in ${theme}`);
        else if (!dark && plate < 0.8) problems.push(`${file}: ${name} is a dark plate (luminance ${plate.toFixed(2)}) in ${theme}`);
      }
      if (file === 'ch13-cost-of-attention.html' && viewport === PHONE) {
        await page.locator('#figure-13-1').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOTS, `phone-${theme}-ch13-figure.png`) });
      }
      if (file === 'ch07-multi-head-attention.html' && theme === 'coal') {
        await page.locator('#figure-7-1').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-coal-ch07-figure.png') });
      }
    }
    await context.close();
    assert.ok(figures > 30, `only ${figures} figures found`);
    report(problems, `figures (${name})`);
  });
}

// Without JavaScript, chapter 11's head view is its numbered figure: legible
// on a phone, and a tap away from full size.
test('the head view without JavaScript: a numbered figure, legible at 360 px, that opens at full size', async () => {
  const problems = [];
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(BOOK_URL + 'ch11-seeing-attention.html', { waitUntil: 'load' });
  const imgs = await page.$$eval('.headview img', (els) =>
    els.map((img) => ({
      src: img.currentSrc || img.src,
      shown: img.getBoundingClientRect().width,
      link: img.closest('a')?.href ?? null,
      caption: img.closest('figure')?.querySelector('figcaption')?.textContent ?? '',
    })),
  );
  const shown = imgs.filter((i) => i.shown > 0);
  if (shown.length === 0) problems.push('no head view figure is shown without JavaScript');
  for (const img of shown) {
    const name = img.src.split('/').pop();
    if (!name.includes('-narrow')) problems.push(`${name}: a phone gets the wide variant`);
    if (img.link !== img.src.replace('-narrow', '')) problems.push(`${name} links to ${img.link}`);
    if (!/^Figure 11\.\d+/.test(img.caption)) problems.push(`${name}: no numbered caption`);
    const text = smallestText((await get(img.src)).text, img.shown);
    if (!text || text.px < MIN_FIGURE_TEXT_PX) problems.push(`${name}: smallest text ${text?.px.toFixed(1)} px`);
  }
  await page.locator('.headview').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-nojs-ch11-headview.png') });
  await context.close();
  report(problems, 'the head view without JavaScript');
});

// ---------------------------------------------------------------------------
// Display formulas fit a phone's column: none needs to scroll at 360 px.

test('no display formula is wider than the column of a 360 px phone', async () => {
  const problems = [];
  const { context, page } = await open(problems, { viewport: PHONE, theme: 'navy' });
  let formulas = 0;
  for (const file of PAGES) {
    await visit(page, file);
    const wide = await page.evaluate(() => {
      const main = document.querySelector('#mdbook-content main');
      const col = main.getBoundingClientRect();
      const out = [];
      const all = main.querySelectorAll('math[display="block"]');
      for (const math of all) {
        const w = math.scrollWidth || math.getBoundingClientRect().width;
        // The formula's own width, not the box's: a box may be as wide as
        // the column while its formula runs on past it.
        const r = document.createRange();
        r.selectNodeContents(math);
        const inner = Math.max(r.getBoundingClientRect().width, w);
        if (inner > col.width + 1) {
          const text = math.textContent.replace(/\s+/g, ' ').trim().slice(0, 60);
          out.push(`${inner.toFixed(0)} px wide in a ${col.width.toFixed(0)} px column: ${text}`);
        }
      }
      return { count: all.length, out };
    });
    formulas += wide.count;
    for (const o of wide.out) problems.push(`${file}: ${o}`);
    if (file === 'ch12-learning-to-attend.html') {
      await page.locator('math[display="block"]').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-navy-ch12-formula.png') });
    }
  }
  await context.close();
  assert.ok(formulas > 40, `only ${formulas} display formulas found`);
  report(problems, 'display formulas at 360 px');
});

// Narrower than any phone the book is laid out for, formulas do scroll: such
// a box is reachable by keyboard and shows that it scrolls.
test('at 240 px a display formula that scrolls is focusable and marked', async () => {
  const problems = [];
  const { context, page } = await open(problems, { viewport: { width: 240, height: 700 }, theme: 'navy' });
  await visit(page, 'ch12-learning-to-attend.html');
  await page.waitForTimeout(200);
  const boxes = await page.$$eval('.math-display', (els) =>
    els
      .filter((b) => b.scrollWidth > b.clientWidth + 1)
      .map((b) => ({
        tab: b.getAttribute('tabindex'),
        marked: b.classList.contains('scrolls'),
        shadow: getComputedStyle(b).backgroundImage.includes('gradient'),
        text: b.textContent.slice(0, 40),
      })),
  );
  if (boxes.length === 0) problems.push('no formula scrolls at 240 px: the check checks nothing');
  for (const b of boxes) {
    if (b.tab !== '0' || !b.marked || !b.shadow) problems.push(`a scrolling formula is not focusable and marked: ${JSON.stringify(b)}`);
  }
  await context.close();
  report(problems, 'scrolling formulas');
});

// ---------------------------------------------------------------------------
// Print: light colours and light figures, whatever the theme.

test('printing from the navy theme prints dark text on white, with light figures', async () => {
  const problems = [];
  const { context, page } = await open(problems, { theme: 'navy' });
  await visit(page, 'ch04-self-attention.html');
  await page.emulateMedia({ media: 'print' });
  await shownFigures(page);
  const seen = await page.evaluate(() => {
    const lum = (css) => {
      const m = css.match(/[\d.]+/g);
      if (!m) return null;
      const [r, g, b] = m.slice(0, 3).map((v) => {
        const c = parseFloat(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const body = getComputedStyle(document.body);
    const p = document.querySelector('#mdbook-content main p');
    const imgs = [...document.querySelectorAll('#mdbook-content main figure img')]
      .filter((i) => i.getBoundingClientRect().width > 0)
      .map((i) => i.currentSrc || i.src);
    return { bg: lum(body.backgroundColor), text: lum(getComputedStyle(p).color), imgs };
  });
  if (!(seen.bg > 0.9)) problems.push(`the printed page is not white (luminance ${seen.bg})`);
  if (!(seen.text < 0.1)) problems.push(`the printed text is not dark (luminance ${seen.text})`);
  if (seen.imgs.length === 0) problems.push('no figure is printed');
  for (const src of seen.imgs) {
    if (src.includes('-dark')) problems.push(`a dark figure is printed: ${src}`);
  }
  await page.locator('#figure-4-1').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'print-from-navy-ch04.png') });
  await context.close();
  report(problems, 'print');
});

// ---------------------------------------------------------------------------
// Search: results for what readers look for, without TeX.

test('search finds "softmax" and "causal mask", and shows no TeX', async () => {
  const problems = [];
  const { context, page } = await open(problems);
  await visit(page, 'index.html');
  await page.click('#mdbook-search-toggle');
  for (const query of ['softmax', 'causal mask']) {
    // mdBook searches on key presses, as a reader types.
    await page.fill('#mdbook-searchbar', '');
    await page.locator('#mdbook-searchbar').pressSequentially(query);
    await page.waitForFunction(
      () => document.querySelectorAll('#mdbook-searchresults li').length > 0,
      null,
      { timeout: 5000 },
    ).catch(() => {});
    const results = await page.$$eval('#mdbook-searchresults li', (lis) => lis.map((li) => li.textContent));
    if (results.length === 0) problems.push(`search for "${query}" found nothing`);
    for (const r of results) {
      if (/\\[a-zA-Z]+|[_^]\{/.test(r)) problems.push(`search for "${query}" shows TeX: ${r.slice(0, 120)}`);
    }
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'search-softmax.png') });
  await context.close();
  report(problems, 'search');
});

// ---------------------------------------------------------------------------
// Accessibility: axe-core on the book's own content, light and navy themes.

test('no serious or critical accessibility violation (axe-core), light desktop and navy phone', async () => {
  const problems = [];
  for (const { theme, viewport } of [
    { theme: 'light', viewport: DESKTOP },
    { theme: 'navy', viewport: PHONE },
  ]) {
    const { context, page } = await open(problems, { theme, viewport });
    for (const file of PAGES) {
      await visit(page, file);
      await page.addScriptTag({ content: axe.source });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(
          { include: [['#mdbook-content'], ['#mdbook-sidebar']] },
          { resultTypes: ['violations'] },
        );
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({
            id: v.id,
            impact: v.impact,
            nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join(' ')}`),
            count: v.nodes.length,
          }));
      });
      for (const v of violations) {
        problems.push(`${theme} ${file}: ${v.id} (${v.impact}, ${v.count} nodes): ${v.nodes.join(' | ')}`);
      }
      if (file === 'ch05-trainable-weights.html') {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${theme}-ch05.png`) });
      }
      if (file === 'ch07-multi-head-attention.html') {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${theme}-ch07.png`), fullPage: true });
      }
    }
    await context.close();
  }
  report(problems, 'accessibility');
});
