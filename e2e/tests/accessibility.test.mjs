// An axe-core scan of every page finds no violations (phone viewport).
// The pages' CSP is `script-src 'self'`, so these contexts bypass CSP to
// let axe be injected; nothing else in them depends on it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer, launchBrowser, tour } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function describe(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

test('axe finds no violations on any page', async (t) => {
  const scanned = [];
  await tour(
    browser,
    server.baseURL,
    async (label, page) => {
      scanned.push(label);
      await t.test(label, async () => {
        await page.addScriptTag({ path: AXE });
        const results = await page.evaluate(() =>
          // eslint-disable-next-line no-undef
          axe.run(document, { resultTypes: ['violations'] }),
        );
        assert.ok(results.passes.length + results.violations.length > 0, 'axe ran');
        assert.equal(
          results.violations.length,
          0,
          `${results.violations.length} axe violation(s) on ${label} (${page.url()}):\n${describe(results.violations)}`,
        );
      });
    },
    { bypassCSP: true },
  );
  t.diagnostic(`scanned ${scanned.length} pages: ${scanned.join(', ')}`);
  assert.ok(scanned.length >= 15, 'the tour reached every page');
});
