// The invitation (issue 19): a share button that opens the phone's share
// sheet (Web Share API) and copies the link where there is none or it
// fails; the invitation page names the inviter to a signed-in person about
// to join, never to a signed-out visitor, and never for a code that does
// not work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, submitSignUp, uniqueEmail,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** A context where the page may use the clipboard, and `share` is as given. */
async function contextWithShare(share) {
  const ctx = await newContext(app.browser, app.server.baseURL);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.baseURL });
  await ctx.addInitScript((mode) => {
    window.__shared = [];
    if (mode === 'none') {
      delete Navigator.prototype.share;
      delete navigator.share;
    } else {
      Object.defineProperty(Navigator.prototype, 'share', {
        configurable: true,
        value(data) {
          window.__shared.push(data);
          if (mode === 'fails') return Promise.reject(new DOMException('not allowed', 'NotAllowedError'));
          if (mode === 'cancelled') return Promise.reject(new DOMException('cancelled', 'AbortError'));
          return Promise.resolve();
        },
      });
    }
  }, share);
  return ctx;
}

async function invitePage(page, name) {
  await signUp(page, { name });
  await clickAndWait(page, 'button:has-text("Create our space")');
  return page.inputValue('#invite-link');
}

test('without a share sheet the button copies the link', async () => {
  const ctx = await contextWithShare('none');
  try {
    const page = await ctx.newPage();
    const link = await invitePage(page, 'Cleo');
    const button = page.locator('#share-link');
    await button.waitFor();
    assert.equal((await button.innerText()).trim(), 'Copy link');
    await button.click();
    await page.locator('#share-link:has-text("Copied")').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  } finally {
    await ctx.close();
  }
});

test('with a share sheet the button shares only the link; a failed share copies, a cancelled one does nothing', async () => {
  for (const mode of ['works', 'fails', 'cancelled']) {
    const ctx = await contextWithShare(mode);
    try {
      const page = await ctx.newPage();
      const link = await invitePage(page, 'Dev');
      await page.evaluate(() => navigator.clipboard.writeText('before'));
      const button = page.locator('#share-link');
      await button.waitFor();
      assert.equal((await button.innerText()).trim(), 'Share link', mode);
      await button.click();
      const shared = await page.evaluate(() => window.__shared);
      assert.deepEqual(shared, [{ url: link }], `${mode}: the link alone, no words about what it is`);
      if (mode === 'fails') {
        await page.locator('#share-link:has-text("Copied")').waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
      } else {
        await page.waitForTimeout(200);
        assert.equal((await button.innerText()).trim(), 'Share link', mode);
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'before', `${mode}: nothing copied`);
      }
    } finally {
      await ctx.close();
    }
  }
});

test('the invitation names the inviter only to a signed-in person with a working code', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const link = await invitePage(a, 'Elsbeth');

    // The inviter's own link names no one.
    await a.goto(link);
    assert.equal(await a.locator('#inviter').count(), 0, 'not to the inviter');

    // Signed out: no name.
    await b.goto(link);
    assert.ok(!(await b.locator('body').innerText()).includes('Elsbeth'), 'a signed-out visitor is told no name');
    await clickAndWait(b, 'a:has-text("Create an account")');
    await submitSignUp(b, { name: 'Farid', email: uniqueEmail('farid') });
    await b.getByRole('heading', { name: 'Join your partner' }).waitFor();
    assert.match(await b.locator('#inviter').innerText(), /Elsbeth invited you/);

    // A code that does not work names no one.
    const bad = link.replace(/\/j\/.*/, '/j/abcd-efgh-ijkl-mnop');
    await b.goto(bad);
    await b.getByRole('heading', { name: 'Join your partner' }).waitFor();
    assert.equal(await b.locator('#inviter').count(), 0, 'no name for a wrong code');

    // Joining works as before; afterwards the spent code names no one.
    await b.goto(link);
    await clickAndWait(b, 'main button:has-text("Join")');
    await b.getByRole('heading', { name: 'You and Elsbeth' }).waitFor();
    await b.goto(link);
    assert.equal(await b.locator('#inviter').count(), 0, 'no name for a used code');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
