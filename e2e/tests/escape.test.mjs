// Escape while typing (issue 19): in a text field the first Escape only
// leaves the field (blurs it) and does not count towards quick exit, so two
// Escapes while typing never throw away what someone is writing. From a
// field it takes Escape to step out, then Escape twice to leave; outside a
// field Escape twice leaves at once, as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, where, EXIT_URL,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** The id of the focused element, or its tag when it has none. */
function focused(page) {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
}

test('Escape in a text field blurs it and never exits; the text stays', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    await signUp(page, { name: 'Vera' });
    // The journal opens once there is a space (a partner may join later).
    await clickAndWait(page, 'button:has-text("Create our space")');
    // The journal: a text area, with a long thought half written.
    await page.goto('/reflections');
    const text = 'Half a thought about Sunday';
    await page.fill('#text', text);
    await page.focus('#text');
    assert.equal(await focused(page), 'text');

    await page.keyboard.press('Escape');
    assert.notEqual(await focused(page), 'text', 'the first Escape leaves the field');
    assert.equal(where(page, base), '/reflections');
    // The second press, quickly after, is only the first press of an exit.
    await page.keyboard.press('Escape');
    assert.equal(where(page, base), '/reflections', 'Escape, Escape from a field does not exit');
    assert.equal(await page.inputValue('#text'), text, 'what was written is still there');

    // Back in the field, two quick presses still do not exit.
    await page.waitForTimeout(1_100);
    await page.focus('#text');
    await page.keyboard.press('Escape');
    await page.focus('#text');
    await page.keyboard.press('Escape');
    assert.equal(where(page, base), '/reflections', 'each Escape in a field only blurs it');

    // A one-line field (the join page's code) works the same.
    await page.goto('/join');
    await page.fill('#invite_code', 'abcd');
    await page.focus('#invite_code');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    assert.equal(where(page, base), '/join');
    assert.equal(await page.inputValue('#invite_code'), 'abcd');
  } finally {
    await ctx.close();
  }
});

test('out of a field, Escape twice leaves; from a field, Escape then Escape twice', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    await signUp(page, { name: 'Wren' });
    // The journal opens once there is a space (a partner may join later).
    await clickAndWait(page, 'button:has-text("Create our space")');
    await page.goto('/reflections');
    await page.fill('#text', 'Something private');
    await page.focus('#text');
    // Step out of the field, then two quick presses: the site is gone.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(EXIT_URL);
    assert.equal(await page.title(), 'Weather');

    // With nothing focused, two presses are enough.
    await signUp(page, { name: 'Xan' });
    await page.goto('/talk');
    assert.equal(await focused(page), 'BODY');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(EXIT_URL);
  } finally {
    await ctx.close();
  }
});

test('Escape on a checkbox or a button is not typing: two presses leave', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    await page.goto('/signin');
    await page.focus('button[type=submit]');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(EXIT_URL);
  } finally {
    await ctx.close();
  }
});
