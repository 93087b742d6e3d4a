// Every chart page, in a real browser: each chart has an accessible name
// (role="img" named by its title), both axes titled with tick values, a
// legend, and a text equivalent (a table) whose numbers are the ones drawn
// (each mark carries its figure in data-value). The ledger balance also says
// in a sentence which way the giving leans, worked out by hand below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, axeClean, PHONE,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** What a chart says about itself: its name, axis titles, ticks and marks. */
async function readChart(chart) {
  return chart.evaluate((svg) => {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    return {
      role: svg.getAttribute('role'),
      name: ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
      axisTitles: [...svg.querySelectorAll('text.axis-title')].map((t) => t.textContent),
      ticks: [...svg.querySelectorAll('text.tick')].map((t) => t.textContent),
      // Marks in drawing order, per series.
      series: [0, 1, 2, 3].map((i) =>
        [...svg.querySelectorAll(`rect.series-${i}[data-value], circle.series-${i}[data-value]`)]
          .map((m) => Number(m.getAttribute('data-value')))),
    };
  });
}

/** A table's body as numbers (the row header left out); "−" is a minus. */
async function tableNumbers(table) {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.trim().replace('\u2212', '-')))));
}

/** Logs something the partner did for `page`'s person, meaning `value`. */
async function logFromPartner(page, description, value) {
  const form = page.locator('form[action="/ledger/log"]');
  await form.locator('input[name=who][value=partner]').check();
  await page.fill('#description', description);
  await form.locator('input[name=effort][value="3"]').check();
  await form.locator(`input[name=value][value="${value}"]`).check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
}

test('the balance chart: named, both axes titled, its table the same numbers, and a sentence that says which way it leans', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ines', nameB: 'Jon' });

    // Ines notes three things Jon did for her, meaning 5, 4 and 5: Jon gave
    // 14, Ines 0 (as rated). Both choose figures.
    await a.goto('/ledger');
    await logFromPartner(a, 'Fixed the tap', 5);
    await logFromPartner(a, 'Cooked on Sunday', 4);
    await logFromPartner(a, 'Called my mother', 5);
    for (const p of [a, b]) {
      await p.goto('/ledger/balance');
      await clickAndWait(p, 'main button:has-text("I\'d like to see figures")');
    }

    await a.goto('/ledger/balance');
    const chart = a.locator('main svg.chart');
    const c = await readChart(chart);
    assert.equal(c.role, 'img');
    assert.match(c.name, /Value given per week: You and Jon|Value given per week: Jon and You/);
    assert.deepEqual(c.axisTitles, ['Value, as the other rated it', 'Week starting']);
    // Ticks: the largest week is 14, so steps of 5 up to 15 (hand-computed).
    for (const t of ['0', '5', '10', '15']) assert.ok(c.ticks.includes(t), `tick ${t} in ${c.ticks}`);

    // The table is the chart in numbers: week by week, column by column.
    const table = a.getByRole('table', { name: 'Value given per week' });
    const rows = await tableNumbers(table);
    assert.ok(rows.length >= 13, 'a row per week of the 90 days');
    assert.deepEqual(rows.map((r) => r[0]), c.series[0], 'first column = first series');
    assert.deepEqual(rows.map((r) => r[1]), c.series[1], 'second column = second series');
    const headers = await table.locator('thead th').allInnerTexts();
    const jon = headers.indexOf('Jon') - 1;
    assert.equal(c.series[jon].reduce((s, v) => s + v, 0), 14, "Jon's bars add up to 5 + 4 + 5");
    assert.equal(c.series[1 - jon].reduce((s, v) => s + v, 0), 0);

    // 14 against 0: more than one top-rated gift apart and under half → clearly.
    assert.match(await a.locator('#lean').innerText(), /^Lately it leans toward Jon: what Jon did meant more to you/);
    assert.match(await a.locator('#lean').innerText(), /never a debt/);
    await b.goto('/ledger/balance');
    assert.match(await b.locator('#lean').innerText(), /^Lately it leans toward you: what you did meant more to Ines/);
    await axeClean(a, 'ledger balance with figures');

    // Jon notes one thing Ines did, meaning 5: 14 against 5, gap 9, ratio
    // 0.36 → still clearly toward Jon; then a second (14 against 10, gap 4 ≤ 5)
    // → about even.
    await b.goto('/ledger');
    await logFromPartner(b, 'Planned the trip', 5);
    await a.goto('/ledger/balance');
    assert.match(await a.locator('#lean').innerText(), /^Lately it leans toward Jon/);
    await b.goto('/ledger');
    await logFromPartner(b, 'Mended my coat', 5);
    await a.goto('/ledger/balance');
    assert.match(await a.locator('#lean').innerText(), /about even/);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('the check-in charts: named, both axes titled, each table the same numbers', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Lou', nameB: 'Max' });
    // Rewards 7, costs 2 → outcome 5; the four forces differ so a swapped
    // column would show.
    const answers = {
      satisfaction: '6', rewards: '7', costs: '2', investment: '3', alternatives: '2',
      commitment: '7', passion: '5', love_given: '5', love_received: '5', respected: '5',
    };
    await a.goto('/checkins');
    for (const [k, v] of Object.entries(answers)) {
      await a.locator(`#${k}-group label:has(input[value="${v}"])`).click();
    }
    await clickAndWait(a, 'button:has-text("Keep my check-in")');

    const outcome = await readChart(a.locator('#me svg.chart').nth(0));
    assert.equal(outcome.role, 'img');
    assert.match(outcome.name, /Your outcome over time/);
    assert.deepEqual(outcome.axisTitles, ['Outcome, −8 to 8', 'Day of check-in']);
    for (const t of ['-8', '-4', '0', '4', '8']) assert.ok(outcome.ticks.includes(t), `tick ${t}`);
    const outcomeRows = await tableNumbers(a.locator('#me-table'));
    assert.deepEqual(outcomeRows.map((r) => r[0]), outcome.series[0], 'outcome column = outcome line');
    assert.deepEqual(outcome.series[0], [5], 'hand-computed: 7 − 2');

    const forces = await readChart(a.locator('#me svg.chart').nth(1));
    assert.match(forces.name, /wanting it to last/);
    assert.deepEqual(forces.axisTitles, ['Answer, 0 to 8', 'Day of check-in']);
    const forceRows = await tableNumbers(a.locator('#me-forces-table'));
    // Table columns: wanting it to last, satisfaction, put in, other ways —
    // the chart's series in the same order.
    for (let i = 0; i < 4; i += 1) {
      assert.deepEqual(forceRows.map((r) => r[i]), forces.series[i], `column ${i} = line ${i}`);
    }
    assert.deepEqual(forces.series.map((s) => s[0]), [7, 6, 3, 2]);
    await axeClean(a, 'check-in trends');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
