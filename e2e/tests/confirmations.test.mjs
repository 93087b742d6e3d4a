// Feedback after every save, and post/redirect/get: a couple logs, thanks,
// corrects and deletes an entry on their phones, and each step says what
// happened in a status message a screen reader announces. Deleting asks
// once. A refused form, reloaded or restored, never shows a 405, and a
// reload after a save does not save twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, newContext, formCouple, clickAndWait, where } from './helpers.mjs';

const app = useServerAndBrowser();

/** The status message at the top of the page, or '' when there is none. */
async function announced(page) {
  const status = page.locator('main [role=status]#notice');
  if ((await status.count()) === 0) return '';
  return (await status.innerText()).trim();
}

/** Logs something I did for us through the quick-log form. */
async function logMine(page, description) {
  await page.goto('/ledger');
  const form = page.locator('form[action="/ledger/log"]');
  await form.locator('input[name=who][value=me]').check();
  await page.fill('#description', description);
  await form.locator('input[name=effort][value="3"]').check({ force: true });
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').first().click()]);
}

test('each save says so, delete asks once, and reloads neither 405 nor repeat', async () => {
  const ca = await newContext(app.browser, app.server.baseURL);
  const cb = await newContext(app.browser, app.server.baseURL);
  const a = await ca.newPage();
  const b = await cb.newPage();
  await formCouple(a, b, { nameA: 'Noor', nameB: 'Ola' });

  await logMine(a, 'Cleared the gutters');
  assert.equal(where(a, app.server.baseURL), '/ledger');
  assert.match(await announced(a), /Noted/);

  // A reload of the page after a save is a GET: nothing is logged twice.
  await a.reload();
  await b.goto('/ledger');
  const cards = b.locator('form[action^="/ledger/thank/"]');
  assert.equal(await cards.count(), 1, 'one entry to thank, not two');

  // Thanking says so too.
  const thank = cards.first();
  await thank.locator('input[name=value][value="4"]').check({ force: true });
  await Promise.all([b.waitForNavigation(), thank.locator('button[type=submit]').click()]);
  assert.match(await announced(b), /thanks is on its way/);

  // A refused form sits at the form's address; reloading or restoring it
  // goes back to the page, never to a 405.
  await a.goto('/ledger');
  const form = a.locator('form[action="/ledger/log"]');
  await form.locator('input[name=who][value=me]').check();
  await a.fill('#description', '');
  const [refused] = await Promise.all([
    a.waitForNavigation(),
    form.locator('button[type=submit]').first().click(),
  ]);
  assert.equal(refused.status(), 422);
  assert.equal(where(a, app.server.baseURL), '/ledger/log');
  const restored = await a.goto(a.url());
  assert.equal(restored.status(), 200, 'a GET of the form address');
  assert.equal(where(a, app.server.baseURL), '/ledger');

  // Deleting my own entry asks once, then says it is gone.
  await logMine(a, 'Booked the dentist');
  await a.goto('/ledger/history');
  await clickAndWait(a, 'main a:has-text("Correct or delete")');
  const yes = a.locator('main button:has-text("Yes, delete it")');
  assert.equal(await yes.isVisible(), false, 'the delete button waits behind a question');
  await a.locator('main summary:has-text("Delete this entry")').click();
  await Promise.all([a.waitForNavigation(), yes.click()]);
  assert.equal(where(a, app.server.baseURL), '/ledger/history');
  assert.match(await announced(a), /Deleted/);
  assert.equal(await a.locator('main:has-text("Booked the dentist")').count(), 0);

  // Signing out says so on the page it lands on.
  await a.goto('/account');
  await Promise.all([a.waitForNavigation(), a.locator('form[action="/signout"] button').first().click()]);
  assert.match(await announced(a), /signed out/);

  await ca.close();
  await cb.close();
});
