// The couple's home, end to end with two people on two phones: a first-time
// home explains what the app does with a first step each; once Bea logs
// something she did for Alex, Alex's home says so and one tap reaches the
// thank button; a sealed round says whose turn it is on both homes, and
// nothing Bea wrote reaches Alex's home. Each home is scanned with axe-core
// (which is why these contexts bypass CSP: axe is injected as a script).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** Bea's sealed words: never on Alex's home. */
const SECRET = 'ZEBRAQUARTZ';

/** A JSON API call from the page, with its session (same origin). */
function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const res = await fetch(path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json().catch(() => null) };
  }, { method, path, body });
}

/** The API path of the page's shared space. */
async function space(page) {
  const me = await api(page, 'GET', '/api/v1/me');
  const active = me.json.relationships.find((r) => r.status === 'active');
  return `/api/v1/relationships/${active.id}`;
}

test('a first-time home explains the app, then one tap from "Bea did something for you" to the thank button', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Alex', nameB: 'Bea' });

    // Nothing yet: four things the app does, a sentence and a first step each.
    await a.goto('/home');
    const steps = a.locator('#first-steps > li');
    assert.equal(await steps.count(), 4);
    for (let i = 0; i < 4; i += 1) {
      assert.equal(await steps.nth(i).locator('h3').count(), 1, 'each has a name');
      assert.equal(await steps.nth(i).locator('a').count(), 1, 'and one first step');
    }
    await axeClean(a, 'a first-time home');
    await clickAndWait(a, '#first-steps a:has-text("Do your first check-in")');
    assert.equal(where(a, base), '/checkins');

    // Bea logs what she did for Alex.
    const r = await space(b);
    const logged = await api(b, 'POST', `${r}/contributions`, {
      domain: 'household_labor', description: 'Fixed the bike', effort: 2,
    });
    assert.equal(logged.status, 201);

    await a.goto('/home');
    await a.getByRole('heading', { name: 'Bea did something for you' }).waitFor();
    assert.match(await a.locator('#to-thank').innerText(), /Fixed the bike/);
    assert.equal(await a.locator('#first-steps').count(), 0, 'no longer a first-time home');
    await axeClean(a, 'a home with something to thank');
    // One tap, and the thank button is there.
    await clickAndWait(a, '#to-thank a:has-text("Say thank you")');
    assert.equal(where(a, base), '/ledger');
    const thankButton = a.getByRole('button', { name: 'Thank Bea' });
    await thankButton.waitFor();
    assert.ok(await thankButton.isVisible());

    // Thanked: it leaves "to thank" and shows among the thank-yous on both
    // homes; a conversation for next time is one tap away.
    await a.check('#thank-heading ~ ul input[name=value][value="4"]');
    await clickAndWait(a, 'button:has-text("Thank Bea")');
    await a.goto('/home');
    assert.equal(await a.locator('#to-thank').count(), 0);
    assert.match(await a.locator('#recent-thanks').innerText(), /You thanked Bea for: Fixed the bike/);
    assert.equal(await a.locator('#next-conversation a').count(), 1);
    await axeClean(a, 'a home after a thank-you');

    // Bea's home has nothing to thank: it was hers.
    await b.goto('/home');
    assert.equal(await b.locator('#to-thank').count(), 0);
    assert.match(await b.locator('#recent-thanks').innerText(), /Alex thanked you for: Fixed the bike/);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('a sealed round shows whose turn it is on both homes, never what was written', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  // Every response body Alex's browser receives, to prove none carries Bea's words.
  const bodies = [];
  ctxA.on('response', (response) => { bodies.push(response.text().catch(() => '')); });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Alex', nameB: 'Bea' });

    // Bea answers every values question, each definition carrying SECRET, and sends.
    const r = await space(b);
    const items = await api(b, 'GET', `${r}/values/items`);
    const answers = items.json.items.map((i) => ({ item: i.key, importance: 4, definition: `${SECRET} ${i.key}` }));
    assert.equal((await api(b, 'PUT', `${r}/values/answers`, { answers })).status, 200);
    assert.equal((await api(b, 'POST', `${r}/values/submit`, {})).status, 200);

    // Alex: your turn, one tap from the questionnaire.
    await a.goto('/home');
    await a.getByRole('heading', { name: 'Your turn' }).waitFor();
    assert.match(await a.locator('#your-turn').innerText(), /What matters to us, round 1/);
    assert.equal(await a.locator('#their-turn').count(), 0);
    assert.ok(!(await a.locator('main').innerText()).includes(SECRET));
    await axeClean(a, 'a home with a sealed round waiting');
    await clickAndWait(a, '#your-turn a');
    assert.equal(where(a, base), '/values');

    // Bea: waiting for Alex, nothing for her to do.
    await b.goto('/home');
    await b.getByRole('heading', { name: 'Waiting for Alex' }).waitFor();
    assert.match(await b.locator('#their-turn').innerText(), /What matters to us, round 1/);
    assert.equal(await b.locator('#your-turn').count(), 0);

    const seen = await Promise.all(bodies);
    assert.ok(seen.every((text) => !text.includes(SECRET)), "Bea's words never reach Alex's browser");
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
