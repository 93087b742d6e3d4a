// The Safety page and "What my partner can see" (SECURITY.md R26, R30, R35,
// H9): the Safety page opens signed out from sign-up and from every page's
// footer, has its sections, gives no phone number or outside address, and
// its Exit control works; the visibility page names the partner once there
// is one and lists every kind of data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, formCouple, clickAndWait, where, sessionCookie,
  homeWithSession, eventually, EXIT_URL,
} from './helpers.mjs';

const app = useServerAndBrowser();

const SECTIONS = [
  'What stays yours',
  'What we cannot protect you from',
  'What a glance at the screen shows',
  'Leaving this site quickly',
  'Ending your shared space on your own',
  'Finding help',
];

// The rows of `web::visibility::ROWS`, by key (each card's id is `seen-<key>`).
const ROWS = [
  'display_name', 'email', 'drafts', 'sent_answers', 'respect_areas', 'conversation_notes',
  'agreements', 'ledger_entries', 'thanks_note', 'thanks_value', 'checkins', 'checkin_notes',
  'episodes', 'repairs',
  'account_security', 'your_views', 'reflections', 'counselor_notes',
];

/** The Safety page is on screen with every section, and nothing that looks like a phone number or an outside address. */
async function safetyPageShown(page, base) {
  assert.equal(where(page, base), '/safety');
  assert.equal(await page.title(), 'Notes', 'a neutral tab title');
  await page.getByRole('heading', { level: 1, name: 'Staying safe' }).waitFor();
  const headings = await page.locator('main h2').allInnerTexts();
  assert.deepEqual(headings, SECTIONS);
  const text = await page.locator('body').innerText();
  // Six digits or more, however grouped ("0800 123 456", "(555) 123-4567").
  const digits = text.match(/\d(?:[\s().+-]*\d){5,}/);
  assert.equal(digits, null, `a phone-number-like run on the Safety page: ${digits?.[0]}`);
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const href of hrefs) {
    const here = href.startsWith('#') || (href.startsWith('/') && !href.startsWith('//'));
    assert.ok(here, `a link off this site: ${href}`);
  }
  assert.ok(text.includes('emergency number'), 'says to call the local emergency number');
  assert.ok(text.includes('domestic abuse helpline'), 'says what to search for');
}

async function onNeutralSite(page) {
  await page.waitForURL(EXIT_URL);
  await page.getByText('Weather').waitFor();
}

test('signed out, the Safety page opens from sign-up and sign-in, and Exit leaves it', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    // The onboarding line on sign-up.
    await page.goto('/signup');
    const line = page.locator('#safer-device');
    assert.match(await line.innerText(), /safer to sign up on a device they cannot reach/);
    await clickAndWait(page, '#safer-device a:has-text("Read about staying safe")');
    await safetyPageShown(page, base);
    // The footer of every page, here the sign-in page's.
    await page.goto('/signin');
    await clickAndWait(page, 'footer a[href="/safety"]');
    await safetyPageShown(page, base);
    assert.equal(await page.locator('main a[href="/visibility"]').count(), 0, 'signed out: no link to a page that needs an account');

    await page.click('#quick-exit');
    await onNeutralSite(page);
  } finally {
    await context.close();
  }
});

test('signed in, the visibility page names the partner once there is one and lists every row', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  const ctxC = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const c = await ctxC.newPage();

    // Signed out, it asks to sign in first.
    await c.goto('/visibility');
    assert.equal(where(c, base), '/signin');

    // No partner yet: the account page links to it, and it speaks of "a partner".
    await signUp(c, { name: 'Casey' });
    await c.goto('/account');
    await clickAndWait(c, 'main a[href="/visibility"]');
    await c.getByRole('heading', { level: 1, name: 'What a partner would see' }).waitFor();

    await formCouple(a, b, { nameA: 'Alex', nameB: 'Bea' });
    // From the Safety page, signed in.
    await a.goto('/safety');
    await clickAndWait(a, 'main a[href="/visibility"]');
    assert.equal(where(a, base), '/visibility');
    assert.equal(await a.title(), 'Notes', 'the partner is named on the page, never in the tab');
    await a.getByRole('heading', { level: 1, name: 'What Bea can see' }).waitFor();
    const ids = await a.locator('ul.visibility > li').evaluateAll((lis) => lis.map((li) => li.id));
    assert.deepEqual(ids, ROWS.map((k) => `seen-${k}`));
    const email = a.locator('#seen-email');
    assert.equal(await email.locator('h2').innerText(), 'Your e-mail address');
    assert.equal(await email.locator('dt').first().innerText(), 'Bea');
    assert.equal(await email.locator('dd').first().innerText(), 'No');
    assert.equal(await a.locator('#seen-drafts dd').first().innerText(), 'No, not even that it exists');
    assert.equal(await a.locator('#seen-sent_answers dd').first().innerText(), 'Once you have both sent yours');
    assert.ok((await a.locator('main').innerText()).includes('each of you reads only the words you wrote yourself'));

    // Bea's page names Alex.
    await b.goto('/visibility');
    await b.getByRole('heading', { level: 1, name: 'What Alex can see' }).waitFor();

    // Escape twice on the Safety page, signed in, exits and ends the session.
    const session = await sessionCookie(ctxB, base);
    await b.goto('/safety');
    await b.keyboard.press('Escape');
    await b.keyboard.press('Escape');
    await onNeutralSite(b);
    await eventually(async () => {
      const r = await homeWithSession(base, session);
      return r.status === 303 && r.location === '/signin';
    }, 5_000, 'the session to end');
  } finally {
    await ctxA.close();
    await ctxB.close();
    await ctxC.close();
  }
});
