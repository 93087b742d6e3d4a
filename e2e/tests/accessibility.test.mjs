// An axe-core scan of every state the tour reaches (phone viewport), in the
// light and in the dark colour scheme: the forms with their errors, the
// pages between steps of a flow. Every GET page, for every role, over a
// world with data in every part, is scanned by every-page.test.mjs.
// The pages' CSP is `script-src 'self'`, so these contexts bypass CSP to
// let axe be injected; nothing else in them depends on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, tour, axeClean } from './helpers.mjs';

const app = useServerAndBrowser();

test('axe finds no violations on any page, light or dark', async (t) => {
  const scanned = [];
  await tour(
    app.browser,
    app.server.baseURL,
    async (label, page) => {
      scanned.push(label);
      await t.test(label, async () => {
        try {
          for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            await axeClean(page, `${label} (${scheme})`);
          }
        } finally {
          await page.emulateMedia({ colorScheme: 'light' });
        }
      });
    },
    { bypassCSP: true },
  );
  t.diagnostic(`scanned ${scanned.length} pages: ${scanned.join(', ')}`);
  assert.ok(scanned.length >= 15, 'the tour reached every page');
});
