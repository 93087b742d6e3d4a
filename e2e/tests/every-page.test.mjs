// Every page of the web UI, for every role that can see it (partners A and
// B, a partner C of another couple still answering values and respect,
// the counselor, someone signed out), over a world with data in
// every capability and 40-character unbroken words in names and texts
// (e2e/pages.mjs). Each page is checked for:
//
//   axe-light, axe-dark  axe-core finds no violation with the page in the
//                        light and in the dark colour scheme
//                        (`prefers-color-scheme`, emulated);
//   360px                on a 360 px wide phone, no horizontal scroll;
//   360px@200%           the same with text at 200%;
//   wrap, wrap@200%      every long word on the page stays inside the screen
//                        and inside its box (wrapped, not clipped or
//                        overflowing), at normal and at 200% text;
//   text-scales          every piece of text grows with the reader's text
//                        size (nothing set in px that stays small).
//
// 200% text: the browser's own default font size is doubled (16 to 32 px,
// through the DevTools protocol's Page.setFontSizes), as a reader does in
// their browser's or phone's text-size setting. Unlike a page-zoom, this
// keeps the 360 px layout width and grows only the text, the harder case
// for reflow; and unlike overriding the root font size from here, it does
// not depend on how app.css sizes its root: a root set in px would not
// grow, and text-scales would say so.
//
// Every page is visited and every check run before anything fails: each
// page is its own subtest, and the end prints every failure by page and
// check. The axe scans need the pages' CSP (`script-src 'self'`) bypassed to
// inject axe; nothing else depends on it.
//
// The forms' error states, reached by POST, are scanned by
// accessibility.test.mjs (the tour), in both colour schemes too.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './helpers.mjs';
import {
  makeWorld, everyPage, contextFor, uiGetRoutes, matchesRoute, NOT_PAGES, ROLES,
} from '../pages.mjs';
import { checkPage, PHONE_360 } from '../page-checks.mjs';

const env = {};
before(async () => {
  env.server = await startServer();
  env.browser = await launchBrowser();
  env.world = await makeWorld(env.server.baseURL);
});
after(async () => {
  await env.browser?.close();
  await env.server?.stop();
});

test('the page list covers every GET route of the web UI', async (t) => {
  const { world } = env;
  const pages = everyPage(world);
  for (const p of pages) {
    if (p.route.startsWith('/')) assert.ok(matchesRoute(p.route, p.path), `${p.path} fills in ${p.route}`);
  }
  const uncovered = uiGetRoutes().filter(
    (route) => !(route in NOT_PAGES) && !isFile(route) && !pages.some((p) => p.route === route),
  );
  // A GET route with no page here must not be a page: it answers a redirect
  // (as the GET of a path that only takes a form does) to partner A.
  const pagesMissing = [];
  for (const route of uncovered) {
    const path = route.replace(/\{[^}]+\}/g, world.ids.episode);
    const res = await fetch(world.baseURL + path, {
      redirect: 'manual', headers: { cookie: `session=${world.people.a.session}` },
    });
    if (res.status >= 300 && res.status < 400) {
      t.diagnostic(`${route}: not a page (answers ${res.status} to ${res.headers.get('location')})`);
    } else {
      pagesMissing.push(`${route} (answers ${res.status})`);
    }
  }
  assert.deepEqual(pagesMissing, [], 'GET routes with no page in e2e/pages.mjs (add them there, or to NOT_PAGES with a reason)');
});

/** A route to a file (a stylesheet, an icon, a manifest), not a page: its last part has an extension other than .html. */
function isFile(route) {
  const last = route.split('/').pop();
  return /\.[a-z0-9]+$/i.test(last) && !last.endsWith('.html');
}

test('every page, for every role: axe light and dark, 360 px at normal and 200% text, long words wrapped', async (t) => {
  const { browser, world, server } = env;
  const pages = everyPage(world);
  const report = [];
  let withWords = 0;
  for (const role of ROLES) {
    const context = await contextFor(browser, world, role, {
      viewport: PHONE_360, bypassCSP: true,
    });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      for (const entry of pages.filter((p) => p.role === role)) {
        await t.test(entry.label, async () => {
          let failures;
          try {
            failures = await checkPage(page, cdp, entry, server.baseURL);
          } catch (err) {
            failures = [{ check: 'error', detail: String(err?.stack || err) }];
          }
          if (entry.longWords) withWords += 1;
          for (const f of failures) report.push({ label: entry.label, ...f });
          assert.deepEqual(
            failures.map((f) => `${f.check}: ${f.detail}`),
            [],
            `${entry.label} fails ${failures.length} check(s)`,
          );
        });
      }
    } finally {
      await context.close();
    }
  }

  // The whole picture at once: every page that fails, and which checks.
  const lines = [`every-page: ${pages.length} pages checked, ${withWords} showing a long word, ${report.length} failure(s)`];
  const byPage = new Map();
  for (const r of report) {
    if (!byPage.has(r.label)) byPage.set(r.label, []);
    byPage.get(r.label).push(r);
  }
  for (const [label, rs] of byPage) {
    lines.push(`  ${label}: ${rs.map((r) => r.check).join(', ')}`);
    for (const r of rs) lines.push(`      ${r.check}: ${r.detail.split('\n').slice(0, 12).join('\n        ')}`);
  }
  console.log(lines.join('\n'));
  assert.ok(withWords >= 10, `the long words show on at least 10 pages (on ${withWords})`);
  assert.equal(report.length, 0, `${byPage.size} page(s) fail a check; see the list above`);
});
