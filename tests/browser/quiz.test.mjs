// The end-of-chapter quizzes in the system Chromium, on a 360 px phone, in
// the light and navy themes: one question answered right and one wrong,
// the verdicts and explanations shown, the results kept in localStorage
// across a reload, nothing wider than the screen, no serious axe-core
// violation; and without JavaScript, the answers behind their disclosure.
//
// Run with `cargo xtask browser-test` (see book.test.mjs for the
// environment it sets). Screenshots: quiz-<theme>-360.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

const BOOK_URL = process.env.BOOK_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOTS || 'screenshots';
if (!BOOK_URL) {
  throw new Error('run through `cargo xtask browser-test` (BOOK_URL is not set)');
}
const ORIGIN = new URL(BOOK_URL).origin;
const PHONE = { width: 360, height: 740 };
const PAGE = 'ch03-queries-keys-values.html';

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

/** A phone-sized page in `theme`, recording errors and foreign requests. */
async function open(problems, theme, javaScriptEnabled = true) {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled });
  await context.addInitScript((t) => {
    // Only the theme: the quiz's own storage must survive a reload.
    localStorage.setItem('mdbook-theme', t);
    localStorage.setItem('mdbook-sidebar', 'hidden');
  }, theme);
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(ORIGIN + '/') && !/^(data|blob|about):/.test(r.url())) {
      problems.push(`request to another host: ${r.url()}`);
    }
  });
  await page.goto(BOOK_URL + PAGE, { waitUntil: 'load' });
  return { context, page };
}

test('a quiz answered right and wrong on a phone, light and navy', async () => {
  const problems = [];
  for (const theme of ['light', 'navy']) {
    const { context, page } = await open(problems, theme);
    await page.waitForSelector('.quiz.quiz-ready');
    const choice = page.locator('.quiz-question[data-kind="choice"]').first();
    const number = page.locator('.quiz-question[data-kind="number"]').first();

    // Right: pick the choice that is the answer.
    const answer = await choice.getAttribute('data-answer');
    await choice.locator('label', { hasText: answer }).click();
    await choice.getByRole('button', { name: 'Check' }).click();
    const rightVerdict = (await choice.locator('.quiz-verdict').textContent()).trim();
    if (rightVerdict !== 'Right.') problems.push(`${theme}: a right choice says "${rightVerdict}"`);
    if (!(await choice.locator('details.quiz-answer').evaluate((d) => d.open))) {
      problems.push(`${theme}: the explanation of a right answer stays closed`);
    }

    // Wrong: a number 1 away from the answer.
    const wanted = Number(await number.getAttribute('data-answer'));
    await number.getByRole('textbox').fill(String(wanted + 1));
    await number.getByRole('button', { name: 'Check' }).click();
    const wrongVerdict = (await number.locator('.quiz-verdict').textContent()).trim();
    if (!wrongVerdict.startsWith('Not quite')) {
      problems.push(`${theme}: a wrong number says "${wrongVerdict}"`);
    }
    if (!(await number.locator('details.quiz-answer').evaluate((d) => d.open))) {
      problems.push(`${theme}: the explanation of a wrong answer stays closed`);
    }
    const score = (await page.locator('.quiz-score').textContent()).trim();
    if (!score.startsWith('1 of ')) problems.push(`${theme}: the score reads "${score}"`);

    // Nothing wider than the phone.
    const overflow = await page.evaluate(() => {
      const quiz = document.querySelector('.quiz');
      const r = quiz.getBoundingClientRect();
      return { right: r.right, scroll: quiz.scrollWidth, client: quiz.clientWidth, page: document.documentElement.scrollWidth };
    });
    if (overflow.right > PHONE.width || overflow.scroll > overflow.client + 1 || overflow.page > PHONE.width) {
      problems.push(`${theme}: the quiz is wider than a 360 px screen (${JSON.stringify(overflow)})`);
    }

    // axe-core on the quiz, answered.
    await page.addScriptTag({ content: axe.source });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run({ include: [['.quiz']] }, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    for (const v of violations) problems.push(`${theme}: ${v}`);

    await page.locator('.quiz').screenshot({ path: path.join(SCREENSHOTS, `quiz-${theme}-360.png`) });

    // The results survive a reload, and only in this browser's storage.
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.quiz.quiz-ready');
    const kept = await page.evaluate(() => [...document.querySelectorAll('.quiz-question')]
      .map((q) => q.getAttribute('data-result')));
    const right = kept.filter((r) => r === 'right').length;
    const wrong = kept.filter((r) => r === 'wrong').length;
    if (right !== 1 || wrong !== 1) problems.push(`${theme}: after a reload the results are ${JSON.stringify(kept)}`);
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test('without JavaScript, every answer is behind a disclosure that opens', async () => {
  const problems = [];
  const { context, page } = await open(problems, 'light', false);
  const count = await page.locator('.quiz-question').count();
  const closed = await page.locator('details.quiz-answer:not([open])').count();
  assert.ok(count >= 4, `only ${count} questions`);
  assert.equal(closed, count, 'every answer starts hidden');
  const first = page.locator('.quiz-question').first();
  await first.locator('summary').click();
  assert.ok(await first.locator('details.quiz-answer').evaluate((d) => d.open));
  assert.ok(await first.locator('.quiz-choices li').count() >= 2, 'the choices are listed');
  await context.close();
  assert.deepEqual(problems, []);
});
