// Agreements in a real browser, on a phone-sized screen (API.md
// "Agreements"): A proposes with the form (after an empty one is refused
// beside its field), B finds it waiting for his answer at home, suggests
// changes and sees them marked, A sees what changed and accepts; both then
// see it agreed. Each page is scanned with axe (the contexts bypass the
// pages' CSP, `script-src 'self'`, only so that axe can be injected).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean, PHONE,
} from './helpers.mjs';

const app = useServerAndBrowser();

test('two partners propose, counter and accept an agreement, and both see it agreed', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Kim', nameB: 'Sam' });

    // Home leads to the agreements, and from there to the form.
    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("Agreements")');
    assert.equal(where(a, base), '/agreements');
    await axeClean(a, 'agreements (none yet)');
    await clickAndWait(a, 'a:has-text("Propose an agreement")');
    assert.equal(where(a, base), '/agreements/new');
    await axeClean(a, 'propose (empty)');

    // An empty proposal is refused beside its field, the rest kept.
    await a.selectOption('#domain', 'household_labor');
    await a.fill('#title', 'Sunday dinners');
    await clickAndWait(a, 'button:has-text("Propose it")');
    await a.locator('#terms-error').waitFor();
    assert.equal(await a.getAttribute('#terms', 'aria-invalid'), 'true');
    assert.equal(await a.inputValue('#title'), 'Sunday dinners');
    await axeClean(a, 'propose (terms error)');

    await a.fill('#terms', 'Kim cooks on Sundays and Sam washes up.');
    await a.fill('#my_part', 'Cooking');
    await clickAndWait(a, 'button:has-text("Propose it")');
    assert.match(where(a, base), /^\/agreements\/[0-9a-f-]{36}$/);
    const thread = where(a, base);
    assert.match(await a.locator('#status-words').innerText(), /Being talked over/);

    // Sam finds it at home, waiting for his answer.
    await b.goto('/home');
    await clickAndWait(b, '#awaiting a:has-text("Sunday dinners")');
    assert.equal(where(b, base), thread);
    await axeClean(b, 'agreement (waiting for my answer)');
    await b.fill('#w-terms', 'Kim cooks on Sundays and Sam washes up and dries.');
    await clickAndWait(b, 'button:has-text("Send my changes")');
    assert.equal(where(b, base), thread);
    assert.equal(await b.locator('#versions > li').count(), 2);

    // Kim sees exactly what changed, and accepts version 2.
    await a.goto(thread);
    const added = a.locator('#v2 .diff ins');
    assert.match(await added.innerText(), /and dries/);
    assert.match(await added.innerText(), /added:/, 'named for screen readers');
    await axeClean(a, 'agreement (a counter to answer)');
    await clickAndWait(a, 'button:has-text("Accept version 2")');

    for (const p of [a, b]) {
      await p.goto(thread);
      assert.equal((await p.locator('#status-words').innerText()).trim(), 'Agreed');
      assert.match(await p.locator('#history').innerText(), /accepted version 2/);
    }
    await axeClean(b, 'agreement (agreed)');
    await b.goto('/agreements');
    assert.match(await b.locator('#agreed').innerText(), /Sunday dinners/);
    await axeClean(b, 'agreements (one agreed)');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
