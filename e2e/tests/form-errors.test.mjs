// Every form shows all its errors at once (issue 19): sign-up, the ledger's
// quick log and a new episode, each submitted with every field wrong, show
// every message beside its field and in a summary at the top, which takes
// the focus as the page loads; each of its links moves the focus to its
// field (an input, or the fieldset of a group of choices).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, uniqueEmail,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** A day well in the future, which no form accepts. */
const FUTURE = '2099-06-01';

/**
 * Checks the summary on the page against `fields` (in the form's order):
 * it has the focus, says how many, and links to each field, with the same
 * message that stands beside the field; following each link moves the
 * focus there. `targets` maps a field to its link's target id when that is
 * not the field's own (a fieldset).
 */
async function checkSummary(page, fields, targets = {}) {
  const summary = page.locator('#error-summary');
  await summary.waitFor();
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'error-summary',
    'the summary takes the focus as the page loads',
  );
  // A region named by its heading: what a screen reader says as the focus
  // lands on it, and how it finds it among the page's landmarks.
  const heading = `${fields.length} things need a second look`;
  assert.equal(await summary.locator('h2').innerText(), heading);
  const named = page.getByRole('region', { name: heading, exact: true });
  assert.equal(await named.getAttribute('id'), 'error-summary');
  const links = summary.locator('a');
  assert.equal(await links.count(), fields.length, await summary.innerText());
  for (const [i, field] of fields.entries()) {
    const target = targets[field] ?? field;
    const link = links.nth(i);
    assert.equal(await link.getAttribute('href'), `#${target}`);
    const beside = page.locator(`#${field}-error`);
    assert.equal(await beside.count(), 1, `one message beside ${field}`);
    const message = (await beside.innerText()).trim();
    assert.ok(message.length > 0);
    assert.equal((await link.innerText()).trim(), message, `the summary says what ${field} says`);
    // The field tells assistive technology where its message is.
    const described = page.locator(`[aria-describedby~="${field}-error"]`);
    assert.equal(await described.count(), 1, `${field} is described by its message`);
    await link.click();
    await page.waitForFunction((id) => document.activeElement?.id === id, target);
  }
  // Each message is on the page twice: beside its field and in the summary.
  const text = await page.locator('main').innerText();
  for (const field of fields) {
    const message = (await page.locator(`#${field}-error`).innerText()).trim();
    assert.equal(text.split(message).length - 1, 2, `${message} shown twice, not more`);
  }
}

test('sign-up shows every error at once and the summary links to each field', async () => {
  const context = await newContext(app.browser, app.server.baseURL);
  const page = await context.newPage();
  await page.goto('/signup');
  await page.fill('#display_name', '');
  await page.fill('#email', 'not an address');
  await page.fill('#password', 'short');
  await clickAndWait(page, 'button[type=submit]:has-text("Create account")');
  assert.equal(new URL(page.url()).pathname, '/signup');
  await checkSummary(page, ['display_name', 'email', 'password']);

  // Fixing everything creates the account: the summary was all there was.
  await page.fill('#display_name', 'Rowan');
  await page.fill('#email', uniqueEmail('rowan'));
  await page.fill('#password', 'quiet lantern orchard ferry');
  await clickAndWait(page, 'button[type=submit]:has-text("Create account")');
  await page.locator('#recovery-code').waitFor();
  await context.close();
});

test('the quick log and a new episode show every error at once', async () => {
  const ctxA = await newContext(app.browser, app.server.baseURL);
  const ctxB = await newContext(app.browser, app.server.baseURL);
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  await formCouple(a, b);

  await a.goto('/ledger');
  const log = a.locator('form[action="/ledger/log"]');
  await log.locator('input[name=who][value=me]').check();
  await a.fill('#description', '');
  await a.fill('#occurred_on', FUTURE);
  await Promise.all([a.waitForNavigation(), log.locator('button[type=submit]').click()]);
  await checkSummary(a, ['description', 'effort', 'occurred_on'], { effort: 'effort-group' });

  await a.goto('/episodes');
  await a.fill('#title', '');
  await a.fill('#occurred_at', FUTURE);
  const record = a.locator('form[action="/episodes"]');
  await Promise.all([a.waitForNavigation(), record.locator('button[type=submit]').first().click()]);
  await checkSummary(a, ['title', 'kind', 'occurred_at'], { kind: 'kind-group' });

  await ctxA.close();
  await ctxB.close();
});
