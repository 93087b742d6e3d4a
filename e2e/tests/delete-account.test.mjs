// Deleting an account in a real browser (SECURITY.md R28(d), R38): the
// "Delete my account" section of the account page says what goes and what
// stays, refuses a wrong password beside the field, and with the right one
// deletes the account, signs the browser out and says so on a short page.
// Afterwards /home asks to sign in, and the account's e-mail and password
// no longer sign in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, where, sessionCookie, homeWithSession,
  axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

test('delete my account: a wrong password is refused by the field; the right one deletes, signs out and the account no longer signs in', async (t) => {
  const base = app.server.baseURL;
  // axe is injected into the pages, which needs their CSP bypassed.
  const context = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const page = await context.newPage();
    const ida = await signUp(page, { name: 'Ida' });
    await page.goto('/account');
    const section = page.locator('section[aria-labelledby="delete-heading"]');
    await section.getByRole('heading', { name: 'Delete my account' }).waitFor();
    const words = await section.innerText();
    assert.match(words, /private drafts/, 'it says the drafts go');
    assert.match(words, /What your partner wrote stays with them/, 'it says what stays');
    assert.equal(
      await section.getByRole('link', { name: 'download your data' }).getAttribute('href'),
      '/account#export',
      'it suggests downloading the data first',
    );

    // A wrong password: the page again, the error beside the field.
    await page.fill('#delete_password', 'not my password at all');
    const [refused] = await Promise.all([
      page.waitForNavigation(),
      page.click('main button:has-text("Delete my account")'),
    ]);
    assert.equal(refused.status(), 403);
    assert.equal(where(page, base), '/account/delete');
    assert.equal(await page.getAttribute('#delete_password', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#delete_password', 'aria-describedby'), 'delete_password-error');
    const error = page.locator('#delete_password-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal((await error.innerText()).trim(), "That isn't your current password.");
    assert.ok(await error.evaluate((el) => !!el.closest('.field')?.querySelector('#delete_password')),
      'the error sits beside #delete_password');
    await t.test('axe: account page with a deletion error', () => axeClean(page, 'account (wrong password to delete)'));
    const session = await sessionCookie(context, base);
    assert.ok(session, 'a refused deletion signs nobody out');
    assert.equal((await homeWithSession(base, session)).status, 200);

    // The right password: deleted, signed out, told so.
    await page.fill('#delete_password', ida.password);
    const [done] = await Promise.all([
      page.waitForNavigation(),
      page.click('main button:has-text("Delete my account")'),
    ]);
    assert.equal(done.status(), 200);
    await page.getByRole('heading', { name: 'Your account has been deleted' }).waitFor();
    await t.test('axe: the page after deletion', () => axeClean(page, 'account deleted'));
    assert.equal(await sessionCookie(context, base), undefined, 'the session cookie is gone');
    const after = await homeWithSession(base, session);
    assert.equal(after.status, 303);
    assert.equal(after.location, '/signin', 'the old session is over on the server too');
    await clickAndWait(page, 'main a:has-text("Go to the start page")');
    assert.equal(where(page, base), '/');

    await page.goto('/home');
    assert.equal(where(page, base), '/signin', '/home asks to sign in');

    // Signing in with the deleted account's e-mail and password fails.
    await page.fill('#email', ida.email);
    await page.fill('#password', ida.password);
    const [signIn] = await Promise.all([
      page.waitForNavigation(),
      page.click('main button:has-text("Sign in")'),
    ]);
    assert.equal(signIn.status(), 401);
    assert.equal(where(page, base), '/signin');
    assert.equal(await sessionCookie(context, base), undefined, 'not signed in');
  } finally {
    await context.close();
  }
});
