// The private journal ("Just for you") in a real browser, on a phone-sized
// screen (issue 14; API.md "Private reflections"): a person writes from one
// of our questions or freely, rereads newest first, deletes one for good;
// the partner's page never shows it; after the space ends it can still be
// reread, with no form to write more.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, PHONE,
} from './helpers.mjs';

const app = useServerAndBrowser();

const FIRST = 'I noticed how tired Sam was after the move.';
const SECOND = 'What surprised me: we both ranked honesty first.';

/** Writes `text` on /reflections, from question `q` (1-based) or freely. */
async function reflect(page, text, q) {
  await page.goto(q ? `/reflections?q=${q}` : '/reflections');
  await page.fill('#text', text);
  await clickAndWait(page, 'form[action="/reflections"] button:has-text("Keep it")');
  assert.equal(where(page, app.server.baseURL), '/reflections');
}

test('a person keeps, rereads and deletes private reflections the partner never sees', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Kim', nameB: 'Sam' });

    // Home leads there.
    await a.goto('/home');
    await clickAndWait(a, 'a:has-text("Just for you")');
    assert.equal(where(a, base), '/reflections');
    const promise = await a.locator('#private-note').innerText();
    assert.match(promise, /yours alone/);
    assert.match(promise, /nobody running this\s+server can read it/);

    await reflect(a, FIRST);
    await reflect(a, SECOND, 2);
    // The question offered by the address is the one checked.
    await a.goto('/reflections?q=2');
    assert.ok(await a.locator('input[name=q][value="2"]').isChecked());

    // Newest first, the second with its question.
    const cards = a.locator('#reflections > li');
    assert.equal(await cards.count(), 2);
    assert.match(await cards.nth(0).innerText(), /honesty first/);
    assert.match(await cards.nth(0).innerText(), /surprised you/);
    assert.match(await cards.nth(1).innerText(), /tired Sam/);

    // Sam's page shows none of it.
    await b.goto('/reflections');
    await b.getByRole('heading', { name: 'What you kept' }).waitFor();
    const sams = await b.locator('main').innerText();
    assert.ok(!sams.includes('tired Sam') && !sams.includes('honesty first'), sams);
    assert.match(sams, /Nothing yet/);

    // Delete the first for good.
    // Deleting asks once more, without needing JavaScript.
    const older = a.locator('#reflections > li').nth(1);
    assert.equal(await older.locator('button:has-text("Delete for good")').isVisible(), false);
    await older.locator('summary:has-text("Delete")').click();
    await clickAndWait(a, '#reflections > li:nth-child(2) button:has-text("Delete for good")');
    assert.equal(await a.locator('#reflections > li').count(), 1);
    assert.ok(!(await a.locator('main').innerText()).includes('tired Sam'));

    // Sam leaves: Kim rereads, and cannot write more there.
    await b.goto('/leave');
    await clickAndWait(b, 'button:has-text("Leave now")');
    await a.goto('/reflections');
    assert.match(await a.locator('#reflections').innerText(), /honesty first/);
    assert.equal(await a.locator('form[action="/reflections"]').count(), 0);
    assert.match(await a.locator('main').innerText(), /space has ended/);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
