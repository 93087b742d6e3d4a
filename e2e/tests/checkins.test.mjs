// Check-ins in a real browser, on a phone-sized screen (docs/checkins.md):
// a partner finds the check-in at home, is refused beside the first
// question left out, fills all ten on the 0–8 scales (with a private note,
// shared), and lands on the trends page with the chart drawn and written
// out. The other partner sees the shared one, never the note. Each page is
// scanned with axe (the contexts bypass the pages' CSP, `script-src
// 'self'`, only so that axe can be injected).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean, PHONE,
} from './helpers.mjs';

const app = useServerAndBrowser();

const KEYS = [
  'satisfaction', 'rewards', 'costs', 'investment', 'alternatives',
  'commitment', 'passion', 'love_given', 'love_received', 'respected',
];

test('a partner checks in on a phone and sees the trend, drawn and in words', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Kim', nameB: 'Sam' });

    // Home says a check-in is due and leads there.
    await a.goto('/home');
    assert.match(await a.locator('#checkin-due').innerText(), /A check-in is due/);
    await clickAndWait(a, 'main .places a:has-text("Check-in")');
    assert.equal(where(a, base), '/checkins');
    assert.equal(await a.title(), 'Notes');
    await axeClean(a, 'check-in (empty)');
    assert.equal(await a.isChecked('#share'), false, 'private unless shared');

    // The nine choices of a scale sit in one row on a phone, inside the screen.
    const row = await a.locator('#satisfaction-group .scale-options label').evaluateAll(
      (ls) => ls.map((l) => l.getBoundingClientRect()).map((r) => [Math.round(r.top), r.right]),
    );
    assert.equal(row.length, 9);
    assert.equal(new Set(row.map((r) => r[0])).size, 1, 'one row');
    assert.ok(row[8][1] <= PHONE.width, 'no sideways scrolling');

    // Only the first question answered: refused beside the second.
    await a.locator('#satisfaction-group label:has(input[value="6"])').click();
    await clickAndWait(a, 'button:has-text("Keep my check-in")');
    await a.locator('#rewards-error').waitFor();
    assert.equal(await a.isChecked('input[name=satisfaction][value="6"]'), true, 'kept');
    await axeClean(a, 'check-in (an answer missing)');

    // All ten (rewards 7, costs 2: outcome 5), a private note, shared.
    for (const k of KEYS) {
      const v = k === 'rewards' ? '7' : k === 'costs' ? '2' : '5';
      await a.locator(`#${k}-group label:has(input[value="${v}"])`).click();
    }
    await a.fill('#note', 'Only Kim reads this.');
    await a.locator('label[for=share]').click();
    await clickAndWait(a, 'button:has-text("Keep my check-in")');
    assert.equal(where(a, base), '/checkins/trends');
    assert.match(await a.locator('#kept').innerText(), /shared with Sam/);

    // Nothing wider than the phone.
    assert.ok(await a.evaluate(() => document.documentElement.scrollWidth) <= PHONE.width, 'no sideways scrolling');

    // The chart, with its title, and its text equivalent.
    const chart = a.locator('#me svg.chart').first();
    await chart.waitFor();
    assert.match(await chart.locator('title').textContent(), /outcome over time/);
    assert.match(await a.locator('#me-figures').innerText(), /Latest outcome \(what it gives minus what it costs\): 5/);
    assert.match(await a.locator('#me-table tbody').innerText(), /\t5\t/);
    assert.match(await a.locator('#history').innerText(), /Only Kim reads this\./);
    await axeClean(a, 'check-in trends (one kept)');

    // Sam sees it shared, drawn, and never the note.
    await b.goto('/checkins/trends');
    await b.locator('#partner svg.chart').first().waitFor();
    assert.match(await b.locator('#partner-figures').innerText(), /: 5/);
    assert.doesNotMatch(await b.locator('main').innerText(), /Only Kim reads this/);
    await axeClean(b, 'check-in trends (partner shared one)');

    // Kim stops sharing it: Sam's page no longer has it.
    await clickAndWait(a, '#history button:has-text("Stop sharing")');
    await b.goto('/checkins/trends');
    assert.equal(await b.locator('#partner').count(), 0);
    await b.locator('#partner-none').waitFor();
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
