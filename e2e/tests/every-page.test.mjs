// Every page of the web UI, for every role that can see it (partner A,
// partner B, the counselor, someone signed out), over a world with data in
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
import { startServer, launchBrowser, axeViolations, describeViolations } from './helpers.mjs';
import {
  makeWorld, everyPage, contextFor, uiGetRoutes, matchesRoute, NOT_PAGES, ROLES, LONG_WORD_PATTERN,
} from '../pages.mjs';

export const PHONE_360 = { width: 360, height: 780 };

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

/** A short CSS-like name for an element: tag#id.class, with its parent chain. */
function describeElementSource() {
  return `
    window.__name = (el) => {
      const one = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        [...e.classList].slice(0, 2).map((c) => '.' + c).join('');
      const chain = [];
      for (let e = el; e && e !== document.body && chain.length < 4; e = e.parentElement) chain.unshift(one(e));
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
      return chain.join(' > ') + (text ? ' "' + text + '"' : '');
    };`;
}

/** Horizontal overflow: the document's width, and the deepest elements sticking out on the right. */
async function sidewaysScroll(page, width) {
  return page.evaluate(({ width, helper }) => {
    // eslint-disable-next-line no-eval
    (0, eval)(helper);
    const doc = document.documentElement;
    const scrollWidth = doc.scrollWidth;
    const limit = Math.min(width, window.innerWidth, doc.clientWidth);
    if (scrollWidth <= limit) return null;
    const sticking = [...document.body.querySelectorAll('*')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > limit + 0.5;
    });
    const deepest = sticking.filter((el) => !sticking.some((other) => other !== el && el.contains(other)));
    return {
      scrollWidth,
      limit,
      offenders: deepest.slice(0, 4).map((el) => `${window.__name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`),
    };
  }, { width, helper: describeElementSource() });
}

/**
 * Each long word shown on the page: where it is, and whether it stays inside
 * the screen and every box around it (wrapped rather than overflowing or cut).
 */
async function longWords(page) {
  return page.evaluate(({ pattern, helper }) => {
    // eslint-disable-next-line no-eval
    (0, eval)(helper);
    const rx = new RegExp(pattern, 'ig');
    const vw = document.documentElement.clientWidth;
    const skip = new Set(['SCRIPT', 'STYLE', 'TEXTAREA', 'OPTION', 'SELECT', 'TITLE', 'NOSCRIPT']);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = [];
    const bad = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!el || skip.has(el.tagName)) continue;
      for (const m of node.data.matchAll(rx)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (rects.length === 0) continue; // not shown (a closed <details>, a hidden block)
        seen.push(window.__name(el));
        const outside = rects.some((r) => r.right > vw + 0.5 || r.left < -0.5);
        let clippedBy = null;
        for (let box = el; box && box !== document.documentElement; box = box.parentElement) {
          const r = box.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue; // display: contents
          if (rects.some((w) => w.right > r.right + 0.5 || w.left < r.left - 0.5)) {
            clippedBy = box;
            break;
          }
        }
        if (outside || clippedBy) {
          bad.push(`${window.__name(el)}${outside ? ' (past the screen edge)' : ''}${clippedBy ? ` (out of ${window.__name(clippedBy).split(' "')[0]})` : ''}`);
        }
      }
    }
    return { seen, bad };
  }, { pattern: LONG_WORD_PATTERN, helper: describeElementSource() });
}

/** Computed font sizes of every element holding text of its own, in document order. */
async function textSizes(page) {
  return page.evaluate(() => [...document.body.querySelectorAll('*')]
    .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim()))
    .map((el) => parseFloat(getComputedStyle(el).fontSize)));
}

/** Sets the browser's default font sizes (px), as a reader's text-size setting does. */
async function setTextSize(cdp, standard, fixed) {
  await cdp.send('Page.setFontSizes', { fontSizes: { standard, fixed } });
}

const DEFAULT_TEXT = { standard: 16, fixed: 13 };

/** Runs every check on one page; returns `[{ check, detail }]`, empty when all pass. */
async function checkPage(page, cdp, entry, baseURL) {
  const failures = [];
  const fail = (check, detail) => failures.push({ check, detail });
  const open = async () => {
    const res = await page.goto(entry.path);
    const status = res?.status();
    if (status !== entry.status) fail('status', `answered ${status}, expected ${entry.status}`);
    const landed = page.url().replace(baseURL, '');
    if (landed !== entry.path) fail('status', `redirected to ${landed}`);
  };

  for (const scheme of ['dark', 'light']) {
    await page.emulateMedia({ colorScheme: scheme });
    await open();
    if (failures.some((f) => f.check === 'status')) return failures;
    const violations = await axeViolations(page);
    if (violations.length) fail(`axe-${scheme}`, describeViolations(violations));
  }

  // Light, 360 px, normal text (the page is still open from the light scan).
  const overflow = await sidewaysScroll(page, PHONE_360.width);
  if (overflow) fail('360px', `scrollWidth ${overflow.scrollWidth} > ${overflow.limit}: ${overflow.offenders.join('; ')}`);
  const words = await longWords(page);
  if (words.bad.length) fail('wrap', `long word not wrapped: ${words.bad.join('; ')}`);

  // 200% text.
  const before = await textSizes(page);
  await setTextSize(cdp, DEFAULT_TEXT.standard * 2, DEFAULT_TEXT.fixed * 2);
  try {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await textSizes(page);
    const stuck = before.filter((size, i) => after[i] !== undefined && after[i] < size * 1.9).length;
    if (before.length !== after.length) {
      fail('text-scales', 'the page changed while the text size changed');
    } else if (stuck) {
      const names = await page.evaluate((sizes) => {
        const els = [...document.body.querySelectorAll('*')]
          .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim()));
        return els
          .map((el, i) => ({ el, was: sizes[i], now: parseFloat(getComputedStyle(el).fontSize) }))
          .filter(({ was, now }) => now < was * 1.9)
          .slice(0, 4)
          .map(({ el, was, now }) => `${el.tagName.toLowerCase()}${el.className ? '.' + [...el.classList].join('.') : ''} (${was}px -> ${now}px)`);
      }, before);
      fail('text-scales', `${stuck} element(s) kept their text size: ${names.join('; ')}`);
    }
    const overflow2 = await sidewaysScroll(page, PHONE_360.width);
    if (overflow2) fail('360px@200%', `scrollWidth ${overflow2.scrollWidth} > ${overflow2.limit}: ${overflow2.offenders.join('; ')}`);
    const words2 = await longWords(page);
    if (words2.bad.length) fail('wrap@200%', `long word not wrapped: ${words2.bad.join('; ')}`);
    entry.longWords = words.seen.length;
  } finally {
    await setTextSize(cdp, DEFAULT_TEXT.standard, DEFAULT_TEXT.fixed);
  }
  return failures;
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
