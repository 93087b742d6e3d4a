// Two people, two phones: one creates the space, the other joins with the
// link (signing up on the way), both see each other; then one leaves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, submitSignUp, clickAndWait, where, uniqueEmail,
} from './helpers.mjs';

const app = useServerAndBrowser();

test('A creates a space, B joins from the link after signing up, then A leaves', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();

    // A signs up and lands on a home page with no space yet.
    await signUp(a, { name: 'Alex' });
    assert.equal(await a.locator('h1').innerText(), 'Hello, Alex');
    await a.getByRole('heading', { name: 'Start your shared space' }).waitFor();

    // A creates the space and reads the invitation.
    await clickAndWait(a, 'button:has-text("Create our space")');
    assert.equal(where(a, base), '/relationship');
    const link = await a.inputValue('#invite-link');
    const code = (await a.locator('#invite-code').innerText()).trim();
    assert.ok(code.length >= 8, `invite code looks too short: ${JSON.stringify(code)}`);
    // Without --public-url the link is a path on this server (never built
    // from the request's Host header); with it, a full address.
    assert.equal(link, `/j/${code}`, 'the invitation link carries the code');

    // While B hasn't joined, A's home says so.
    await a.goto('/home');
    await a.getByRole('heading', { name: 'Waiting for your partner' }).waitFor();

    // B opens the link signed out: offered sign-up or sign-in.
    await b.goto(link);
    assert.equal(where(b, base), `/j/${code}`);
    await b.getByRole('heading', { name: "You've been invited" }).waitFor();
    assert.equal(await b.locator('body').innerText().then((t) => t.includes('Alex')), false,
      'the signed-out invitation page does not name the inviter');

    // B signs up from there and comes back to the link, now a join form prefilled with the code.
    await clickAndWait(b, 'a:has-text("Create an account")');
    assert.equal(where(b, base), '/signup');
    assert.equal(new URL(b.url()).searchParams.get('invite'), code);
    await submitSignUp(b, { name: 'Bea', email: uniqueEmail('bea') });
    assert.equal(where(b, base), `/j/${code}`, 'after sign-up B is back on the invitation link');
    await b.getByRole('heading', { name: 'Join your partner' }).waitFor();
    assert.equal(await b.inputValue('#invite_code'), code);

    // B joins.
    await clickAndWait(b, 'main button:has-text("Join")');
    assert.equal(where(b, base), '/home');
    await b.getByRole('heading', { name: 'You and Alex' }).waitFor();

    // A sees B.
    await a.reload();
    assert.equal(where(a, base), '/home');
    await a.getByRole('heading', { name: 'You and Bea' }).waitFor();

    // A leaves via the confirmation page.
    await clickAndWait(a, 'a:has-text("Leave this space")');
    assert.equal(where(a, base), '/leave');
    await a.getByRole('heading', { name: 'Leave this space' }).waitFor();
    await clickAndWait(a, 'button:has-text("Leave now")');
    assert.equal(where(a, base), '/home');
    await a.getByRole('heading', { name: 'This space has ended' }).waitFor();

    // Both see the closed state on reload; neither is still named as a partner.
    for (const [page, partner] of [[a, 'Bea'], [b, 'Alex']]) {
      await page.reload();
      assert.equal(where(page, base), '/home');
      await page.getByRole('heading', { name: 'This space has ended' }).waitFor();
      assert.equal(await page.getByRole('heading', { name: `You and ${partner}` }).count(), 0);
    }
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('the used invitation link no longer joins anyone', async () => {
  // A third person opening a link after it was used gets an error by the code field.
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  const ctxC = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const c = await ctxC.newPage();
    await signUp(a, { name: 'Ada' });
    await clickAndWait(a, 'button:has-text("Create our space")');
    const link = await a.inputValue('#invite-link');

    await signUp(b, { name: 'Ben' });
    await b.goto(link);
    await clickAndWait(b, 'main button:has-text("Join")');
    await b.getByRole('heading', { name: 'You and Ada' }).waitFor();

    await signUp(c, { name: 'Cy' });
    await c.goto(link);
    await clickAndWait(c, 'main button:has-text("Join")');
    assert.notEqual(where(c, base), '/home');
    assert.equal(await c.getAttribute('#invite_code', 'aria-invalid'), 'true');
    const describedBy = (await c.getAttribute('#invite_code', 'aria-describedby')) || '';
    const errorId = describedBy.split(/\s+/).find((id) => id.endsWith('-error'));
    assert.ok(errorId, `aria-describedby names an error: ${describedBy}`);
    assert.ok((await c.locator(`#${errorId}[role=alert]`).innerText()).trim().length > 0);

    await a.goto('/home');
    await a.getByRole('heading', { name: 'You and Ben' }).waitFor();
  } finally {
    await ctxA.close();
    await ctxB.close();
    await ctxC.close();
  }
});

test('someone with an account signs in from the link and comes back to join', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const dee = await signUp(b, { name: 'Dee' });
    await clickAndWait(b, 'button:has-text("Sign out")');
    assert.equal(where(b, base), '/');

    await signUp(a, { name: 'Eli' });
    await clickAndWait(a, 'button:has-text("Create our space")');
    const link = await a.inputValue('#invite-link');
    const code = (await a.locator('#invite-code').innerText()).trim();

    await b.goto(link);
    await clickAndWait(b, 'a:has-text("Sign in")');
    assert.equal(where(b, base), '/signin');
    assert.equal(new URL(b.url()).searchParams.get('invite'), code);
    await b.fill('#email', dee.email);
    await b.fill('#password', dee.password);
    await clickAndWait(b, 'main button:has-text("Sign in")');
    assert.equal(where(b, base), `/j/${code}`, 'after sign-in Dee is back on the invitation link');
    assert.equal(await b.inputValue('#invite_code'), code);
    await clickAndWait(b, 'main button:has-text("Join")');
    await b.getByRole('heading', { name: 'You and Eli' }).waitFor();

    await a.goto('/home');
    await a.getByRole('heading', { name: 'You and Dee' }).waitFor();
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
