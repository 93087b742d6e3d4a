// A counselor in a real browser, on phones: a counselor signs up and turns
// on two-step sign-in from the QR page (the code computed here from the
// key the page writes out, as an authenticator app would); one partner
// invites them, the counselor joins with the code, the other partner sees
// who it is and approves; the counselor opens the couple's session report
// (axe-clean, print-ready) and a private note; then one partner revokes
// alone and the counselor's open report is refused on its next load.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean, PHONE,
  PASSWORD, uniqueEmail, keepRecoveryCode,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=-]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: the 6-digit code of `secret` for the current 30-second step. */
function totp(secret, now = Date.now()) {
  const step = Math.floor(now / 1000 / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

test('invite, both approve, the counselor reads the report, one partner revokes, the open page is refused', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxC = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const c = await ctxC.newPage();
    await formCouple(a, b, { nameA: 'Kim', nameB: 'Sam' });

    // The counselor signs up, and sets up two-step sign-in from the QR page.
    const counselorEmail = uniqueEmail('rivera');
    await c.goto('/signup');
    await c.fill('#display_name', 'Dr Rivera');
    await c.fill('#email', counselorEmail);
    await c.fill('#password', PASSWORD);
    await c.check('#counselor');
    await clickAndWait(c, 'button[type=submit]:has-text("Create account")');
    await keepRecoveryCode(c);
    if (where(c, base) !== '/account/two-factor') await c.goto('/account/two-factor');
    await c.fill('#start_password', PASSWORD);
    await clickAndWait(c, 'button:has-text("Continue")');
    await c.locator('#qr svg').waitFor();
    const secret = (await c.locator('#secret').innerText()).trim();
    await c.fill('#code', totp(secret));
    await clickAndWait(c, 'button:has-text("Turn on two-step sign-in")');
    await c.locator('#two-factor-recovery-codes').waitFor();

    // Kim invites; the code is shown once.
    await a.goto('/counselor');
    assert.equal(await a.title(), 'Notes');
    await axeClean(a, 'counselor (none yet)');
    await a.fill('#email', counselorEmail);
    for (const part of ['values_and_respect', 'agreements', 'ledger', 'checkins', 'episodes']) {
      await a.check(`input[name="${part}"]`);
    }
    await clickAndWait(a, 'button:has-text("Invite")');
    const code = (await a.locator('#counselor-code').innerText()).trim();
    assert.match(code, /^[a-z0-9]{4}(-[a-z0-9]{4})+$/);

    // The counselor joins; nothing to read yet.
    await c.goto('/clients');
    await c.fill('#code', code);
    await clickAndWait(c, 'button:has-text("Join")');
    assert.match(await c.locator('#notice').innerText(), /once both partners have approved/);
    assert.equal(await c.locator('#clients li').count(), 0);

    // Sam sees who it is and what Kim allowed, and approves (unticking the ledger).
    await b.goto('/counselor');
    const facts = await b.locator('main').innerText();
    assert.match(facts, new RegExp(counselorEmail.replace(/[.+]/g, '\\$&')));
    assert.match(facts, /Dr Rivera/);
    await axeClean(b, 'counselor (to approve)');
    await b.uncheck('input[name="ledger"]');
    await clickAndWait(b, 'button:has-text("Approve this counselor")');
    assert.match(await b.locator('#counselor-status').innerText(), /Open/);
    assert.doesNotMatch(await b.locator('#counselor-visible').innerText(), /Contributions/);

    // Kim writes a private note.
    await a.goto('/counselor');
    await a.fill('#text', 'Something I would rather say to you first.');
    await clickAndWait(a, 'button:has-text("Send to my counselor")');
    assert.equal(await a.locator('#my-notes li').count(), 1);

    // The counselor opens the couple's report.
    await c.goto('/clients');
    await clickAndWait(c, '#clients a:has-text("Kim and Sam")');
    const report = where(c, base);
    assert.match(report, /^\/clients\/[0-9a-f-]{36}$/);
    await c.getByRole('heading', { level: 1, name: 'Session report: Kim and Sam' }).waitFor();
    const text = await c.locator('#report').innerText();
    assert.match(text, /Period:/);
    assert.match(text, /Not shared: Conversations, Contributions and thanks/);
    assert.equal(await c.locator('#episodes').count(), 1);
    assert.equal(await c.locator('#ledger').count(), 0, 'a part one partner did not allow is not there');
    assert.match(await c.locator('#received-notes').innerText(), /From Kim/);
    await axeClean(c, 'session report');
    // Print: the page's chrome and the private notes are not printed.
    await c.emulateMedia({ media: 'print' });
    assert.equal(await c.locator('#received-notes').isVisible(), false);
    assert.equal(await c.locator('#report').isVisible(), true);
    await c.emulateMedia({ media: 'screen' });

    // Sam revokes, alone; the counselor's open page is refused on reload.
    await b.goto('/counselor');
    await b.locator('summary:has-text("End the counselor\'s access")').click();
    await clickAndWait(b, '#revoke');
    assert.match(await b.locator('main').innerText(), /Invite a counselor/);
    const refused = await c.reload();
    assert.equal(refused.status(), 404);
    assert.doesNotMatch(await c.locator('main').innerText(), /Kim and Sam/);
    await c.goto('/clients');
    assert.equal(await c.locator('#clients li').count(), 0);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await ctxC.close();
  }
});
