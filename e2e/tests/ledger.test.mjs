// The ledger, end to end with two people on two phones: one logs, the other
// notices and thanks, one logs something the other did; the balance shows
// thanks in words until BOTH choose figures, then the reciprocity index, an
// SVG chart and its table; one person stopping hides the figures for both.
// Plus the history filters and the quick-log form's error handling.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

const DISHES = 'Did the dishes';
const WEEKEND = 'Planned our weekend';
const THANKS_NOTE = 'Thank you, that was lovely';

/** The quick-log form on /ledger. */
const logForm = (page) => page.locator('form[action="/ledger/log"]');

/** Fills the quick-log form and submits it; returns the navigation's response. */
async function logSomething(page, { who, description, domain, effort, value }) {
  const form = logForm(page);
  await form.locator(`input[name=who][value=${who}]`).check();
  await page.fill('#description', description);
  if (domain) await page.selectOption('#domain', domain);
  if (effort) await form.locator(`input[name=effort][value="${effort}"]`).check();
  if (value) await form.locator(`input[name=value][value="${value}"]`).check();
  const [response] = await Promise.all([
    page.waitForNavigation(),
    form.locator('button[type=submit]:has-text("Save")').click(),
  ]);
  return response;
}

/** The cards under "Noticed yet?". */
const toThank = (page) => page.locator('section[aria-labelledby="thank-heading"] li');

/** What /ledger/balance shows, read from the page as it is. */
async function balanceView(page) {
  const main = page.locator('main');
  const text = await main.innerText();
  const index = /Reciprocity:\s*([0-9.]+)/.exec(text)?.[1];
  return {
    text,
    index,
    strong: await main.locator('section[aria-labelledby="figures-heading"] strong').count(),
    charts: await main.locator('svg[role=img]').count(),
    tables: await main.getByRole('table', { name: 'Value given per week' }).count(),
    words: await main.getByRole('heading', { name: 'Appreciation' }).count(),
    optIn: await main.getByRole('button', { name: "I'd like to see figures" }).count(),
    optOut: await main.getByRole('button', { name: 'Stop showing figures' }).count(),
  };
}

/** Column totals of the "Value given per week" table, keyed by column header. */
async function weeklyTotals(page) {
  const table = page.getByRole('table', { name: 'Value given per week' });
  const headers = await table.locator('thead th').allInnerTexts();
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  const totals = {};
  headers.slice(1).forEach((name, i) => {
    totals[name.trim()] = rows.reduce((sum, cells) => sum + Number(cells[i]), 0);
  });
  return { totals, rows: rows.length };
}

async function assertNoFigures(page, who) {
  const v = await balanceView(page);
  assert.equal(v.index, undefined, `${who} sees no reciprocity figure:\n${v.text}`);
  assert.equal(v.charts, 0, `${who} sees no chart`);
  assert.equal(v.tables, 0, `${who} sees no table of figures`);
  assert.equal(v.words, 1, `${who} sees the words view`);
  return v;
}

async function assertFigures(page, who, expected) {
  const v = await balanceView(page);
  assert.equal(v.index, expected.index, `${who} sees the reciprocity index:\n${v.text}`);
  assert.equal(v.charts, 1, `${who} sees one chart`);
  const chart = page.locator('main svg[role=img]');
  assert.ok(await chart.isVisible(), `${who}'s chart is visible`);
  const labelId = await chart.getAttribute('aria-labelledby');
  assert.ok(labelId, 'the chart is labelled');
  const label = await page.locator(`main svg [id="${labelId}"]`).textContent();
  assert.match(label, /Value given per week/, 'the chart has an accessible name');
  assert.equal(v.tables, 1, `${who} sees the table`);
  assert.equal(v.words, 0, `${who} no longer sees the words-only view`);
  const { totals, rows } = await weeklyTotals(page);
  assert.ok(rows >= 13, `the table covers the 90-day window week by week (${rows} rows)`);
  assert.deepEqual(totals, expected.totals, `${who}'s table totals per person`);
  return v;
}

test('one partner logs, the other thanks, both opt in to see the index, one opts out', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Alex', nameB: 'Bea' });

    // A reaches the ledger from home; nothing is waiting for A's thanks.
    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("Noticed: log or thank")');
    assert.equal(where(a, base), '/ledger');
    await a.getByRole('heading', { name: 'Noticed yet?' }).waitFor();
    assert.equal(await toThank(a).count(), 0);
    assert.match(await a.locator('section[aria-labelledby="thank-heading"]').innerText(), /Nothing waiting/);

    // A logs what A did (effort 3) via the form.
    let res = await logSomething(a, { who: 'me', description: DISHES, domain: 'household_labor', effort: 3 });
    assert.equal(res.status(), 200);
    assert.equal(where(a, base), '/ledger', 'after saving A is back on the ledger');
    assert.equal(await a.inputValue('#description'), '', 'the form is empty again');
    assert.equal(await toThank(a).count(), 0, "A's own entry does not wait for A's thanks");
    // What A typed is offered again.
    assert.deepEqual(await a.locator('datalist#recent option').evaluateAll((os) => os.map((o) => o.value)), [DISHES]);

    // B notices it and thanks it with value 4 and a note.
    await b.goto('/ledger');
    await toThank(b).first().waitFor();
    assert.equal(await toThank(b).count(), 1);
    const card = toThank(b).filter({ hasText: DISHES });
    assert.match(await card.innerText(), /Home and chores/);
    await card.locator('input[name=value][value="4"]').check();
    await card.locator('input[name=note]').fill(THANKS_NOTE);
    await Promise.all([b.waitForNavigation(), card.getByRole('button', { name: 'Thank Alex' }).click()]);
    assert.equal(where(b, base), '/ledger');
    assert.equal(await toThank(b).count(), 0, 'once thanked it no longer waits');
    await b.getByText('Nothing waiting').waitFor();

    // A logs something B did for A: who = partner, value 5 (effort 2).
    res = await logSomething(a, { who: 'partner', description: WEEKEND, domain: 'planning', effort: 2, value: 5 });
    assert.equal(res.status(), 200);
    assert.equal(where(a, base), '/ledger');
    // A already said what it meant, so B has nothing to thank for it.
    await b.reload();
    assert.equal(await toThank(b).count(), 0, 'a gift A already valued does not wait for anyone');

    // A's balance: thanks in words, no figures.
    await a.goto('/ledger/balance');
    let v = await assertNoFigures(a, 'A (nobody opted in)');
    assert.ok(v.text.includes(`Bea thanked you for “${DISHES}”: “${THANKS_NOTE}”`), `B's words reach A:\n${v.text}`);
    assert.ok(v.text.includes(`You thanked Bea for “${WEEKEND}”`), `A's own thanks are listed:\n${v.text}`);
    assert.equal(v.optIn, 1);
    assert.equal(v.optOut, 0);

    // A opts in: one choice is not enough.
    await clickAndWait(a, 'main button:has-text("I\'d like to see figures")');
    assert.equal(where(a, base), '/ledger/balance');
    v = await assertNoFigures(a, 'A (only A opted in)');
    assert.match(v.text, /You chose to see figures\. They appear once Bea chooses too\./);
    assert.equal(v.optOut, 1, 'A can take the choice back');
    assert.equal(v.optIn, 0);

    await b.goto('/ledger/balance');
    v = await assertNoFigures(b, 'B (only A opted in)');
    assert.ok(v.text.includes(`You thanked Alex for “${DISHES}”: “${THANKS_NOTE}”`), v.text);
    assert.ok(v.text.includes(`Alex thanked you for “${WEEKEND}”`), v.text);

    // B opts in too: both see the index, the chart and the table.
    // Hand-computed: A gave the dishes, valued 4 by B; B gave the weekend,
    // valued 5 by A; index = min(4, 5) / max(4, 5) = 0.80.
    await clickAndWait(b, 'main button:has-text("I\'d like to see figures")');
    assert.equal(where(b, base), '/ledger/balance');
    v = await assertFigures(b, 'B', { index: '0.80', totals: { Alex: 4, You: 5 } });
    assert.equal(v.optOut, 1);
    assert.doesNotMatch(v.text, /They appear once/);
    await a.reload();
    v = await assertFigures(a, 'A', { index: '0.80', totals: { You: 4, Bea: 5 } });
    assert.equal(v.optOut, 1);

    // A stops showing figures: they disappear for both.
    await clickAndWait(a, 'main button:has-text("Stop showing figures")');
    assert.equal(where(a, base), '/ledger/balance');
    v = await assertNoFigures(a, 'A (after stopping)');
    assert.equal(v.optIn, 1, 'A may choose figures again');
    await b.reload();
    v = await assertNoFigures(b, 'B (after A stopped)');
    assert.match(v.text, /You chose to see figures\. They appear once Alex chooses too\./);
    assert.equal(v.optOut, 1, "B's own choice is kept");
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('history filters by person and by kind', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ana', nameB: 'Bo' });

    await a.goto('/ledger');
    await logSomething(a, { who: 'me', description: DISHES, domain: 'household_labor', effort: 3 });
    await logSomething(a, { who: 'partner', description: WEEKEND, domain: 'planning', effort: 2, value: 5 });
    await b.goto('/ledger');
    await logSomething(b, { who: 'me', description: 'Fixed the bike', domain: 'household_labor', effort: 4 });

    const cards = (page) => page.locator('main ul.cards > li');
    const shown = async (page) => (await cards(page).locator('strong').allInnerTexts()).sort();
    const givers = async (page) =>
      [...new Set((await cards(page).locator('p.quiet').allInnerTexts()).map((t) => t.split('·')[0].trim()))].sort();
    const filter = async (page, { person, domain }) => {
      if (person !== undefined) await page.selectOption('#f-person', person);
      if (domain !== undefined) await page.selectOption('#f-domain', domain);
      await clickAndWait(page, 'main form.filters button:has-text("Show")');
    };

    await a.goto('/ledger/history');
    assert.deepEqual(await shown(a), [DISHES, 'Fixed the bike', WEEKEND].sort(), 'unfiltered: everything');

    await filter(a, { person: 'me' });
    assert.equal(new URL(a.url()).searchParams.get('person'), 'me');
    assert.deepEqual(await shown(a), [DISHES], "A's 'Me': only what A gave");
    assert.deepEqual(await givers(a), ['You']);
    assert.equal(await a.inputValue('#f-person'), 'me', 'the filter stays selected');

    await filter(a, { person: 'partner' });
    assert.deepEqual(await shown(a), ['Fixed the bike', WEEKEND].sort(), "A's 'Bo': only what B gave");
    assert.deepEqual(await givers(a), ['Bo']);
    assert.equal(await a.inputValue('#f-person'), 'partner');

    await filter(a, { person: 'partner', domain: 'planning' });
    assert.deepEqual(await shown(a), [WEEKEND], 'person and kind together');

    await filter(a, { person: 'me', domain: 'planning' });
    assert.deepEqual(await shown(a), []);
    await a.getByText('Nothing here yet.').waitFor();

    await filter(a, { person: '', domain: '' });
    assert.equal((await shown(a)).length, 3, "'Both of us' and 'All kinds' show everything again");

    // From B's side, "me" is B.
    await b.goto('/ledger/history?person=me');
    assert.deepEqual(await shown(b), ['Fixed the bike', WEEKEND].sort());
    assert.deepEqual(await givers(b), ['You']);
    await b.goto('/ledger/history?person=partner');
    assert.deepEqual(await shown(b), [DISHES]);
    assert.deepEqual(await givers(b), ['Ana']);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('the quick-log form shows errors next to the field and keeps what was typed', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Cam', nameB: 'Dev' });
    await a.goto('/ledger');

    // An empty (blank) description.
    let res = await logSomething(a, { who: 'me', description: '   ', domain: 'planning', effort: 2 });
    assert.equal(res.status(), 422, 'the form answers 422 Unprocessable');
    assert.equal(await a.getAttribute('#description', 'aria-invalid'), 'true');
    assert.equal(await a.getAttribute('#description', 'aria-describedby'), 'description-error');
    const error = a.locator('#description-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.ok(await error.isVisible());
    assert.match(await error.innerText(), /Say in a few words what was done/);
    // The error sits in the description's own field, right after it.
    assert.equal(
      await a.locator('#description').evaluate((el) => el.closest('.field').querySelector('.error')?.id),
      'description-error',
    );
    // Other fields are not marked and keep their values.
    assert.equal(await a.getAttribute('#domain', 'aria-invalid'), null);
    assert.equal(await a.inputValue('#domain'), 'planning');
    assert.ok(await logForm(a).locator('input[name=effort][value="2"]').isChecked());
    assert.ok(await logForm(a).locator('input[name=who][value=me]').isChecked());

    // Fixing it saves, and the error goes away.
    res = await logSomething(a, { who: 'me', description: 'Booked the dentist', effort: 2 });
    assert.equal(res.status(), 200);
    assert.equal(where(a, base), '/ledger');
    assert.equal(await a.locator('#description-error').count(), 0);
    assert.equal(await a.getAttribute('#description', 'aria-invalid'), null);

    // Something the partner did, without saying what it meant: an error by that group.
    res = await logSomething(a, { who: 'partner', description: 'Cooked dinner', effort: 3 });
    assert.equal(res.status(), 422);
    const valueError = a.locator('#value-error');
    assert.equal(await valueError.getAttribute('role'), 'alert');
    assert.match(await valueError.innerText(), /how much this meant/);
    assert.equal(
      await valueError.evaluate((el) => el.closest('fieldset').getAttribute('aria-describedby')),
      'value-error',
    );
    assert.ok(await logForm(a).locator('input[name=who][value=partner]').isChecked(), '"who" is kept');
    assert.equal(await a.inputValue('#description'), 'Cooked dinner');

    // Nothing was saved by the failed attempts.
    await a.goto('/ledger/history');
    assert.deepEqual(await a.locator('main ul.cards > li strong').allInnerTexts(), ['Booked the dentist']);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

// Known bug (reported, server not changed here): when the quick-log form comes
// back with an error, the "how much did it mean" choice for something the
// partner did is lost (ledger.html never marks a `value` radio as checked and
// LedgerPage carries no value), so the person has to pick it again.
test('a form error keeps the "how much did it mean" choice', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Eve', nameB: 'Fin' });
    await a.goto('/ledger');
    const res = await logSomething(a, { who: 'partner', description: '', effort: 3, value: 5 });
    assert.equal(res.status(), 422);
    await a.locator('#description-error').waitFor();
    assert.ok(await logForm(a).locator('input[name=who][value=partner]').isChecked());
    assert.ok(await logForm(a).locator('input[name=effort][value="3"]').isChecked());
    assert.ok(
      await logForm(a).locator('input[name=value][value="5"]').isChecked(),
      'the value chosen before the error is still chosen',
    );
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

/** Where the submit button of the quick log sits, and whether it is really there to tap. */
async function saveButton(page) {
  return logForm(page).locator('button[type=submit]').evaluate((button) => {
    const r = button.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { bottom: r.bottom, tappable: Boolean(hit && button.contains(hit)), innerHeight: window.innerHeight };
  });
}

test('the quick log fits one phone screen, asks what it meant only when it applies, and "Noticed yet?" comes first when there is something to thank', async () => {
  const base = app.server.baseURL;
  const SMALL_PHONE = { width: 360, height: 740 };
  const ctxA = await newContext(app.browser, base, { viewport: SMALL_PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: SMALL_PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Gus', nameB: 'Hana' });
    await a.goto('/ledger');
    assert.equal(await a.locator('h1').innerText(), 'Noticed');

    // Nothing to thank: the form comes first, whole, its Save button on the
    // first screen and not covered by anything.
    const meaning = a.locator('#value-group');
    assert.equal(await meaning.isVisible(), false, '"I did" is chosen: no "how much did it mean"');
    let save = await saveButton(a);
    assert.ok(save.bottom <= SMALL_PHONE.height, `Save ends at ${save.bottom}px, inside ${SMALL_PHONE.height}px`);
    assert.ok(save.tappable, 'nothing covers Save');
    assert.ok(await a.evaluate(() => document.documentElement.scrollWidth) <= SMALL_PHONE.width, 'no sideways scrolling');

    // Something the partner did: now what it meant is asked, and it still fits.
    await logForm(a).locator('input[name=who][value=partner]').check();
    assert.equal(await meaning.isVisible(), true, 'the partner did it: what did it mean');
    save = await saveButton(a);
    assert.ok(save.bottom <= SMALL_PHONE.height, `with the meaning scale, Save ends at ${save.bottom}px`);
    // The five choices of each scale sit in one row of large cards, inside the screen.
    for (const name of ['effort', 'value']) {
      const cards = await logForm(a).locator(`.scale-options label:has(input[name=${name}])`).evaluateAll(
        (ls) => ls.map((l) => l.getBoundingClientRect()).map((r) => [Math.round(r.top), r.right, r.height]),
      );
      assert.equal(cards.length, 5);
      assert.equal(new Set(cards.map((c) => c[0])).size, 1, `${name}: one row`);
      assert.ok(cards[4][1] <= SMALL_PHONE.width, `${name}: inside the screen`);
      assert.ok(cards.every((c) => c[2] >= 44), `${name}: cards at least 44px tall`);
    }
    await logForm(a).locator('input[name=who][value=me]').check();
    assert.equal(await meaning.isVisible(), false, 'back to "I did": hidden again');
    await axeClean(a, 'quick log');

    // The form still works: Gus logs what he did; Hana has it to thank.
    await logSomething(a, { who: 'me', description: DISHES, domain: 'household_labor', effort: 3 });
    await b.goto('/ledger');
    const thankTop = await b.locator('#thank-heading').evaluate((h) => h.getBoundingClientRect().top);
    const formTop = await logForm(b).evaluate((f) => f.getBoundingClientRect().top);
    assert.ok(thankTop < formTop, '"Noticed yet?" is above the form when there is something to thank');
    assert.match(await b.locator('section[aria-labelledby="thank-heading"]').innerText(), /Gus did something for you/);
    await axeClean(b, 'quick log with something to thank');
    // And below it when there is nothing.
    const aThank = await a.locator('#thank-heading').evaluate((h) => h.getBoundingClientRect().top);
    const aForm = await logForm(a).evaluate((f) => f.getBoundingClientRect().top);
    assert.ok(aThank > aForm, 'with nothing to thank the form comes first');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
