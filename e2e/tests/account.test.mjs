// Accounts the owner controls (SECURITY.md R16 to R20), in a real browser:
// "keep me signed in", the account page (sessions, password, tokens, recent
// activity), and the idle sign-out: the warning before it, the message after
// it, the way back to the same page, and a form posted meanwhile kept.
//
// The first tests share this file's server (default limits). The idle tests
// each start their own server whose idle limit is a few seconds
// (`session_idle_seconds` in a TOML config file), with a fresh SQLite file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, startServer, newContext, signUp, clickAndWait, where, uniqueEmail,
  sessionCookie, homeWithSession, eventually, axeClean, keepRecoveryCode, EXIT_URL, PASSWORD,
} from './helpers.mjs';

const app = useServerAndBrowser();

const DAY = 24 * 60 * 60;
/** The short idle limit of the idle tests' servers, in seconds. */
const IDLE_SECONDS = 6;
/** Another phone: its sessions are listed as "Firefox on Android". */
const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';

/** This site's `session` cookie in a context, whole (value and expiry), or undefined. */
async function sessionCookieOf(context, base) {
  return (await context.cookies(base)).find((c) => c.name === 'session');
}

/**
 * Signs in on /signin (or the sign-in page already open, e.g. after an idle
 * sign-out) and waits for the page it leads to; returns the time the answer
 * came, after which the new session's idle clock runs.
 */
async function signIn(page, { email, password = PASSWORD }, { remember = false, open = true } = {}) {
  if (open) await page.goto('/signin');
  await page.fill('#email', email);
  await page.fill('#password', password);
  if (remember) await page.check('#remember');
  assert.equal(await page.isChecked('#remember'), remember);
  await clickAndWait(page, 'main button:has-text("Sign in")');
  return Date.now();
}

/** Waits until `ms` after `since` (a session's idle limit passing on the server). */
async function waitUntil(since, ms) {
  const left = since + ms - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

/** Past the idle limit of a session the server last saw at or before `since`. */
const pastIdle = (since) => waitUntil(since, IDLE_SECONDS * 1000 + 750);

/** The rows of "Where you're signed in" on /account. */
const sessionRows = (page) => page.locator('section[aria-labelledby="sessions-heading"] ul.sessions > li');

test('keep me signed in: a 30-day cookie when ticked, a browser-session cookie when not; sign-out and quick exit end it', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    const kit = await signUp(page, { name: 'Kit' });
    await clickAndWait(page, 'button:has-text("Sign out")');

    // The box is there, off by default, and explained.
    await page.goto('/signin');
    assert.equal(await page.isChecked('#remember'), false, '"Keep me signed in" starts unticked');
    assert.equal(
      (await page.locator('label[for="remember"]').innerText()).trim(),
      'Keep me signed in on this device',
    );

    // Unticked: a browser-session cookie (no expiry).
    await signIn(page, kit, { open: false });
    assert.equal(where(page, base), '/home');
    let cookie = await sessionCookieOf(context, base);
    assert.ok(cookie?.value, 'signed in');
    assert.equal(cookie.expires, -1, 'without the box the session cookie ends with the browser');
    await clickAndWait(page, 'button:has-text("Sign out")');
    assert.equal(await sessionCookie(context, base), undefined, 'sign-out clears the cookie');

    // Ticked: the cookie is kept about 30 days.
    await signIn(page, kit, { remember: true });
    assert.equal(where(page, base), '/home');
    cookie = await sessionCookieOf(context, base);
    const inDays = (cookie.expires - Date.now() / 1000) / DAY;
    assert.ok(Math.abs(inDays - 30) < 0.01, `the remembered cookie expires in 30 days, not ${inDays.toFixed(3)}`);
    assert.equal(cookie.httpOnly, true);
    // The account page says this session is kept.
    await page.goto('/account');
    const row = sessionRows(page).filter({ hasText: 'this device' });
    await row.getByText('kept signed in').waitFor();

    // "Sign out" ends it: the cookie is gone, the server refuses the old one, /home asks to sign in.
    await page.goto('/home');
    await clickAndWait(page, 'button:has-text("Sign out")');
    assert.equal(where(page, base), '/');
    assert.equal(await sessionCookie(context, base), undefined, 'the remembered cookie is gone');
    const ended = await homeWithSession(base, cookie.value);
    assert.equal(ended.status, 303);
    assert.equal(ended.location, '/signin', 'the remembered session is over on the server too');
    await page.goto('/home');
    assert.equal(where(page, base), '/signin');

    // Quick exit ends a remembered session too.
    await signIn(page, kit, { remember: true });
    const remembered = await sessionCookieOf(context, base);
    assert.ok(remembered.expires > Date.now() / 1000 + 29 * DAY, 'remembered again');
    await page.click('#quick-exit');
    await page.waitForURL(EXIT_URL);
    await eventually(async () => {
      const r = await homeWithSession(base, remembered.value);
      return r.status === 303 && r.location === '/signin';
    }, 5_000, 'the remembered session to be ended by quick exit');
    await page.goto(`${base}/home`);
    assert.equal(where(page, base), '/signin');
  } finally {
    await context.close();
  }
});

test('the account page: sessions on two devices, signing one out, password change, tokens, recent activity, no axe violations', async (t) => {
  const base = app.server.baseURL;
  // A is scanned by axe, which needs the pages' CSP bypassed to be injected.
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { userAgent: FIREFOX_ANDROID });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const nell = await signUp(a, { name: 'Nell' });
    await signIn(b, nell);
    assert.equal(where(b, base), '/home');

    // Home links to the account page.
    await clickAndWait(a, 'main a:has-text("Your account")');
    assert.equal(where(a, base), '/account');
    await a.getByRole('heading', { name: 'Your account', exact: true }).waitFor();

    // Two sessions: this one (no button), and the other phone's (with one).
    await expectSessions(a, 2);
    const mine = sessionRows(a).filter({ has: a.locator('.tag', { hasText: 'this device' }) });
    assert.equal(await mine.count(), 1, 'exactly one session is tagged "this device"');
    assert.match(await mine.innerText(), /Chrome on Linux/);
    assert.equal(await mine.getByRole('button', { name: 'Sign out this device' }).count(), 0,
      'the current session has no "Sign out this device" button');
    const other = sessionRows(a).filter({ hasText: 'Firefox on Android' });
    assert.equal(await other.count(), 1, 'the other phone is listed by its browser and system');
    assert.equal(await other.locator('.tag', { hasText: 'this device' }).count(), 0);
    await a.getByRole('button', { name: 'Sign out everywhere else' }).waitFor();
    await t.test('axe: account page with two sessions', () => axeClean(a, 'account (two sessions)'));

    // "Sign out this device" on the other phone ends it there.
    await Promise.all([a.waitForNavigation(), other.getByRole('button', { name: 'Sign out this device' }).click()]);
    assert.equal(where(a, base), '/account');
    assert.equal((await a.locator('#notice').innerText()).trim(), 'That device is signed out.');
    await expectSessions(a, 1);
    await b.goto('/home');
    assert.equal(where(b, base), '/signin', "the other phone's next page asks to sign in");

    // A wrong current password: refused beside the field, nothing changes.
    await signIn(b, nell);
    assert.equal(where(b, base), '/home');
    await a.goto('/account');
    await expectSessions(a, 2);
    const NEW_PASSWORD = 'velvet compass thunder pear';
    await a.fill('#current_password', 'not my password at all');
    await a.fill('#new_password', NEW_PASSWORD);
    const [refused] = await Promise.all([
      a.waitForNavigation(),
      a.click('main button:has-text("Change password")'),
    ]);
    assert.equal(refused.status(), 403);
    assert.equal(await a.getAttribute('#current_password', 'aria-invalid'), 'true');
    assert.equal(await a.getAttribute('#current_password', 'aria-describedby'), 'current_password-error');
    const error = a.locator('#current_password-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal((await error.innerText()).trim(), "That isn't your current password.");
    assert.ok(await error.evaluate((el) => !!el.closest('.field')?.querySelector('#current_password')),
      'the error sits beside #current_password');
    assert.equal(await a.locator('#new_password[aria-invalid="true"]').count(), 0, 'only the current password is marked');
    await t.test('axe: account page with a password error', () => axeClean(a, 'account (wrong current password)'));
    await b.goto('/home');
    assert.equal(where(b, base), '/home', 'a refused change signs nobody out');

    // The right current password: changed, and every other device signed out.
    await a.fill('#current_password', nell.password);
    await a.fill('#new_password', NEW_PASSWORD);
    await clickAndWait(a, 'main button:has-text("Change password")');
    assert.equal(where(a, base), '/account');
    const notice = (await a.locator('#notice').innerText()).trim();
    assert.equal(notice, 'Your password is changed. Every other device was signed out.');
    await expectSessions(a, 1);
    await b.goto('/home');
    assert.equal(where(b, base), '/signin', 'the other phone was signed out by the change');
    await signIn(b, nell);
    assert.equal(where(b, base), '/signin', 'the old password no longer signs in');
    await signIn(b, { ...nell, password: NEW_PASSWORD });
    assert.equal(where(b, base), '/home', 'the new one does');

    // "Sign out everywhere else".
    await a.goto('/account');
    await expectSessions(a, 2);
    await clickAndWait(a, 'main button:has-text("Sign out everywhere else")');
    assert.equal((await a.locator('#notice').innerText()).trim(), 'Every other device is signed out.');
    await expectSessions(a, 1);
    await b.goto('/home');
    assert.equal(where(b, base), '/signin');

    // A token: made with the password, shown once, listed, used, revoked.
    assert.equal(await a.locator('section[aria-labelledby="tokens-heading"]').getByText('You have no tokens.').count(), 1);
    await a.click('summary:has-text("Make a token")');
    await a.fill('#token_name', 'backup script');
    await a.fill('#token_expires_in_days', '7');
    await a.fill('#token_password', NEW_PASSWORD);
    const [made] = await Promise.all([a.waitForNavigation(), a.click('main button:has-text("Make token")')]);
    assert.equal(made.status(), 201);
    const token = await a.inputValue('#new-token');
    assert.ok(token.length >= 20, `a token is shown: ${JSON.stringify(token)}`);
    const tokens = a.locator('section[aria-labelledby="tokens-heading"] ul.tokens > li');
    assert.equal(await tokens.filter({ hasText: 'backup script' }).count(), 1, 'the new token is listed by name');
    await t.test('axe: account page showing a new token', () => axeClean(a, 'account (new token)'));
    const me = () => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me()).status, 200, 'the token works on the API');
    const page = await fetch(`${base}/home`, { redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    assert.equal(page.headers.get('location'), '/signin', 'pages never accept a token');
    await a.goto('/account');
    assert.equal(await a.locator('#new-token').count(), 0, 'the token is shown only once');
    assert.equal(await tokens.filter({ hasText: 'backup script' }).count(), 1);
    await Promise.all([
      a.waitForNavigation(),
      tokens.filter({ hasText: 'backup script' }).getByRole('button', { name: 'Revoke' }).click(),
    ]);
    assert.equal((await a.locator('#notice').innerText()).trim(), 'The token is revoked. It stops working at once.');
    assert.equal(await tokens.count(), 0, 'the revoked token is no longer listed');
    assert.equal((await me()).status, 401, 'the revoked token no longer works');

    // Recent activity tells the story.
    const events = (await a.locator('section[aria-labelledby="events-heading"] ul.events').innerText());
    for (const what of [
      'Signed in', 'Password changed', 'A device was signed out', 'Every other device was signed out',
      'Token for scripts made', 'Token for scripts revoked',
    ]) {
      assert.ok(events.includes(what), `recent activity lists "${what}":\n${events}`);
    }
    assert.ok(events.includes('Firefox on Android'), 'events name the device');
    await t.test('axe: account page after all that', () => axeClean(a, 'account (after changes)'));
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

/** The account page lists `n` sessions. */
async function expectSessions(page, n) {
  assert.equal(await sessionRows(page).count(), n, `${n} session(s) listed:\n${await page.locator('section[aria-labelledby="sessions-heading"]').innerText()}`);
}

/**
 * Starts a server whose sessions end after IDLE_SECONDS without use, and a
 * context on it; runs `body(base, context)` and stops both.
 */
async function withShortIdle(body) {
  const server = await startServer({ config: { session_idle_seconds: IDLE_SECONDS } });
  // CSP bypassed so axe can be injected where a test scans a page.
  const context = await newContext(app.browser, server.baseURL, { bypassCSP: true });
  try {
    await body(server.baseURL, context);
  } finally {
    await context.close();
    await server.stop();
  }
}

/**
 * A couple on a short-idle server: A signs up and creates the space, B signs
 * up in another context and joins with the link. Returns both accounts; their
 * sessions run out soon, so callers sign in again when they need one.
 */
async function shortIdleCouple(base, contextA) {
  const a = await contextA.newPage();
  const alex = await signUp(a, { name: 'Alex' });
  await clickAndWait(a, 'button:has-text("Create our space")');
  const link = await a.inputValue('#invite-link');
  await a.close();
  const contextB = await newContext(app.browser, base);
  try {
    const b = await contextB.newPage();
    const bea = await signUp(b, { name: 'Bea' });
    await b.goto(link);
    await clickAndWait(b, 'main button:has-text("Join")');
    await b.getByRole('heading', { name: 'You and Alex' }).waitFor();
    return { alex, bea };
  } finally {
    await contextB.close();
  }
}

test('after the idle limit a page asks to sign in, says why, and signing in returns to it (/account)', async () => {
  await withShortIdle(async (base, context) => {
    const page = await context.newPage();
    const ida = await signUp(page, { name: 'Ida' });
    // A fresh sign-in, so the whole idle limit lies ahead.
    await context.clearCookies();
    const since = await signIn(page, ida);
    await page.goto('/account?done=session');
    await pastIdle(since);

    await page.reload();
    assert.equal(where(page, base), '/signin');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('expired'), '1');
    assert.equal(url.searchParams.get('next'), '/account?done=session');
    const message = page.locator('#signed-out-idle');
    assert.ok(await message.isVisible(), 'the sign-in page says why');
    assert.match(await message.innerText(), /signed out after a while without activity/);
    assert.equal(await sessionCookie(context, base), undefined, 'the ended session cookie is cleared');

    await signIn(page, ida, { open: false });
    assert.equal(where(page, base), '/account', 'back on the page that was open');
    assert.equal(new URL(page.url()).search, '?done=session', 'with its query');
  });
});

// Pages that check the session with `ui::signed_in` (home, ledger,
// conversations, values, respect, …) behave as the account page does.
test('after the idle limit the ledger asks to sign in, says why, and signing in returns to it', async () => {
  await withShortIdle(async (base, context) => {
    const { alex } = await shortIdleCouple(base, context);
    const page = await context.newPage();
    await context.clearCookies();
    const since = await signIn(page, alex);
    await page.goto('/ledger/history');
    await page.getByRole('heading', { name: 'Noticed' }).waitFor();
    await pastIdle(since);

    await page.reload();
    assert.equal(where(page, base), '/signin');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('expired'), '1', `the sign-in page knows the session ran out (${url})`);
    assert.equal(url.searchParams.get('next'), '/ledger/history', `and where to come back to (${url})`);
    assert.ok(await page.locator('#signed-out-idle').isVisible(), 'the sign-in page says why');
    await signIn(page, alex, { open: false });
    assert.equal(where(page, base), '/ledger/history', 'back on the page that was open');
  });
});

/**
 * Logs `text` on the ledger after the session ran out: the post is kept,
 * the sign-in page says so, /held shows the text in a textarea after
 * signing in, and "Send it now" saves it once.
 */
async function heldRoundTrip(text) {
  await withShortIdle(async (base, context) => {
    const { alex } = await shortIdleCouple(base, context);
    const page = await context.newPage();
    await context.clearCookies();
    const since = await signIn(page, alex);
    await page.goto('/ledger');
    await page.fill('#description', text);
    await page.check('form[action="/ledger/log"] input[name=effort][value="4"]');
    await pastIdle(since);

    await clickAndWait(page, 'form[action="/ledger/log"] button:has-text("Save")');
    assert.equal(where(page, base), '/signin');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('expired'), '1');
    assert.equal(url.searchParams.get('held'), '1');
    const message = page.locator('#signed-out-idle');
    assert.ok(await message.isVisible());
    assert.match(await message.innerText(), /what you were writing was kept/);
    const held = (await context.cookies(base)).find((c) => c.name === 'held');
    assert.ok(held?.value && held.httpOnly, 'the form is kept under an HttpOnly `held` cookie');

    await signIn(page, alex, { open: false });
    assert.equal(where(page, base), '/held');
    await page.getByRole('heading', { name: 'What you were writing is here' }).waitFor();
    const box = page.getByRole('textbox', { name: 'Your text' });
    assert.equal(await box.count(), 1, `the kept text is shown to check:\n${await page.locator('main').innerText()}`);
    assert.equal(await box.evaluate((el) => el.tagName), 'TEXTAREA');
    assert.equal(await box.inputValue(), text, 'the typed text is back, in a textarea');
    assert.equal(await page.locator('main form').getAttribute('action'), '/ledger/log', 'it goes where it was going');
    assert.equal((await context.cookies(base)).find((c) => c.name === 'held'), undefined,
      'the `held` cookie is cleared once the form is shown');
    assert.equal(await page.title(), 'Notes');
    await axeClean(page, 'held form');

    await clickAndWait(page, 'main button:has-text("Send it now")');
    assert.equal(where(page, base), '/ledger');
    await page.goto('/ledger/history');
    const entry = page.locator('main ul.cards > li').filter({ hasText: text });
    await entry.waitFor();
    // Kept once: the page is gone after use.
    await page.goto('/held');
    assert.equal(where(page, base), '/home', 'a kept form is shown once');
    await page.goto('/ledger/history');
    assert.equal(await page.locator('main ul.cards > li').filter({ hasText: text }).count(), 1, 'saved once');
  });
}

test('nothing typed is lost: a form sent after the idle limit is kept, shown after signing in, and sent', async () => {
  await heldRoundTrip('Walked the dog in the rain before work, twice');
});

// A few words are writing too: /held shows them, not only long text.
test('nothing typed is lost, even a few words', async () => {
  await heldRoundTrip('Did the dishes');
});

test('the idle warning shows on a signed-in page, then says the session ended; not for a kept session', async () => {
  await withShortIdle(async (base, context) => {
    const page = await context.newPage();
    // The limit is under a minute, so "a minute before" is at once.
    const since = Date.now();
    const jo = await signUp(page, { name: 'Jo' });
    const warning = page.locator('#idle-warning');
    await warning.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await warning.getAttribute('role'), 'alert');
    assert.match(await warning.innerText(), /signed out in a minute/);
    assert.equal(await page.locator('main > #idle-warning').count(), 1, 'the warning leads the main content');
    // When the limit passes, it says so.
    await page.getByText('You were signed out after a while without activity').waitFor({
      timeout: IDLE_SECONDS * 1000 + 5_000,
    });
    assert.ok(Date.now() - since >= (IDLE_SECONDS - 1) * 1000, 'not before the limit');

    // A "keep me signed in" session has no idle limit, so no warning.
    await context.clearCookies();
    await signIn(page, jo, { remember: true });
    // Once the page's own look at /api/v1/session is done (the network is quiet).
    await page.goto('/account', { waitUntil: 'networkidle' });
    const body = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
    assert.equal(body.persistent, true);
    assert.equal(await warning.count(), 0, 'no warning for a kept session');
  });
});

test('the sign-up page answers 201 with the recovery code, then goes home', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await page.goto('/signup');
    await page.fill('#display_name', 'Olu');
    await page.fill('#email', uniqueEmail('olu'));
    await page.fill('#password', PASSWORD);
    const [created] = await Promise.all([
      page.waitForNavigation(),
      page.click('button:has-text("Create account")'),
    ]);
    assert.equal(created.status(), 201);
    await page.getByRole('heading', { name: 'Keep your recovery code' }).waitFor();
    const { recoveryCode } = await keepRecoveryCode(page);
    assert.match(recoveryCode, /\w{5}/, `a code is shown: ${recoveryCode}`);
    assert.equal(where(page, base), '/home');
  } finally {
    await context.close();
  }
});
