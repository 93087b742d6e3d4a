// An axe-core scan of every page finds no violations (phone viewport).
// The pages' CSP is `script-src 'self'`, so these contexts bypass CSP to
// let axe be injected; nothing else in them depends on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, tour, axeClean } from './helpers.mjs';

const app = useServerAndBrowser();

test('axe finds no violations on any page', async (t) => {
  const scanned = [];
  await tour(
    app.browser,
    app.server.baseURL,
    async (label, page) => {
      scanned.push(label);
      await t.test(label, () => axeClean(page, label));
    },
    { bypassCSP: true },
  );
  t.diagnostic(`scanned ${scanned.length} pages: ${scanned.join(', ')}`);
  assert.ok(scanned.length >= 15, 'the tour reached every page');
});
