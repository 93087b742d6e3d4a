// Quick exit (SECURITY.md R30): the Exit control and Escape twice replace the
// page with the neutral site, Back does not bring the app's content back, and
// the session is over, in the browser and on the server. Without JavaScript
// the Exit link does the same through GET /exit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, where, sessionCookie,
  homeWithSession, eventually, EXIT_URL,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** Waits until the page shows the neutral site. */
async function onNeutralSite(page) {
  await page.waitForURL(EXIT_URL);
  await page.getByText('Weather').waitFor();
  assert.equal(await page.title(), 'Weather');
}

/** The session the browser held before the exit no longer opens /home on the server. */
async function sessionEndedOnServer(base, session) {
  await eventually(async () => {
    const r = await homeWithSession(base, session);
    return r.status >= 300 && r.status < 400 && r.location === '/signin';
  }, 5_000, 'the old session to be refused by the server');
}

/** After Back, nothing private is on screen: not the exited page, not the person's name or code. */
async function backShowsNothingPrivate(page, base, { exitedPath, secrets }) {
  await page.goBack({ waitUntil: 'load' }).catch(() => null);
  const url = page.url();
  const path = where(page, base);
  assert.notEqual(path, exitedPath, `Back returned to the page we exited from (${url})`);
  assert.notEqual(path, '/home', `Back showed the signed-in home page (${url})`);
  const text = await page.locator('body').innerText().catch(() => '');
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `after Back the page (${url}) still shows ${JSON.stringify(secret)}:\n${text}`);
  }
  return url;
}

/** A fresh navigation to /home asks to sign in. */
async function homeAsksToSignIn(page, base) {
  await page.goto('/home');
  assert.equal(where(page, base), '/signin');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

test('clicking Exit replaces the page with the neutral site and ends the session', async (t) => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'Quinn' });
    // Exit from the invitation page: the most private page there is (it shows the code).
    await clickAndWait(page, 'button:has-text("Create our space")');
    const code = (await page.locator('#invite-code').innerText()).trim();
    const session = await sessionCookie(context, base);
    assert.ok(session, 'signed in before the exit');

    const exit = page.locator('#quick-exit');
    assert.equal(await exit.getAttribute('data-exit-url'), EXIT_URL);
    assert.ok(await exit.isVisible(), 'the Exit control is visible');
    await exit.click();
    await onNeutralSite(page);

    // The sign-out is sent in the background; wait (bounded) until the server has it.
    await sessionEndedOnServer(base, session);
    const back = await backShowsNothingPrivate(page, base, {
      exitedPath: '/relationship',
      secrets: ['Quinn', code, 'Invite your partner'],
    });
    t.diagnostic(`after Back: ${back}`);
    await homeAsksToSignIn(page, base);
  } finally {
    await context.close();
  }
});

test('pressing Escape twice within a second exits; presses further apart do not', async (t) => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'Rowan' });
    const session = await sessionCookie(context, base);
    assert.ok(session, 'signed in before the exit');

    // Two presses more than a second apart are not an exit.
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_100);
    await page.keyboard.press('Escape');
    // The exit handler empties the page synchronously in the keydown handler.
    assert.equal(where(page, base), '/home');
    assert.equal(await page.locator('h1').innerText(), 'Hello, Rowan');

    // Two quick presses are.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await onNeutralSite(page);

    await sessionEndedOnServer(base, session);
    const back = await backShowsNothingPrivate(page, base, { exitedPath: '/home', secrets: ['Rowan'] });
    t.diagnostic(`after Back: ${back}`);
    await homeAsksToSignIn(page, base);
  } finally {
    await context.close();
  }
});

test('without JavaScript the Exit link leads to the neutral site and ends the session', async (t) => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base, { javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'Sasha' });
    const session = await sessionCookie(context, base);
    assert.ok(session, 'signed in before the exit');

    await page.click('#quick-exit');
    await onNeutralSite(page);

    // GET /exit ends the session before it redirects: no waiting needed.
    const r = await homeWithSession(base, session);
    assert.equal(r.status, 303, 'the old session no longer opens /home');
    assert.equal(r.location, '/signin');
    assert.equal(await sessionCookie(context, base), undefined, 'the session cookie is cleared');

    // Without JavaScript the exited page stays in history (a documented limit),
    // but going back to it shows the sign-in page, not the person's home.
    const back = await backShowsNothingPrivate(page, base, { exitedPath: '/home', secrets: ['Sasha'] });
    t.diagnostic(`after Back: ${back}`);
    await homeAsksToSignIn(page, base);
  } finally {
    await context.close();
  }
});
