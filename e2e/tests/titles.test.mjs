// Every page's <title> is the neutral "Notes", so a glance at the tab or the
// history list reveals nothing; and every page carries the Exit control.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, tour, EXIT_URL } from './helpers.mjs';

const app = useServerAndBrowser();

test('every page is titled "Notes" and has the Exit control', async (t) => {
  const seen = [];
  await tour(app.browser, app.server.baseURL, async (label, page) => {
    seen.push(label);
    await t.test(label, async () => {
      assert.equal(await page.title(), 'Notes', `title of ${label} (${page.url()})`);
      const titles = await page.locator('head title').count();
      assert.equal(titles, 1, 'exactly one <title>');
      const exit = page.locator('#quick-exit');
      assert.equal(await exit.count(), 1, 'one Exit control');
      assert.ok(await exit.isVisible(), 'the Exit control is visible');
      assert.equal(await exit.getAttribute('data-exit-url'), EXIT_URL);
      assert.equal(await exit.getAttribute('href'), '/exit', 'the Exit link works without JavaScript');
    });
  });
  assert.ok(seen.length >= 15, 'the tour reached every page');
});
