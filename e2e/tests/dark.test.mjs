// Dark mode (issue 19): with the system set to dark, pages really are dark
// (every colour comes from the stylesheet's variables) and axe still finds
// no contrast or other violation. The every-page scan in light and dark is
// the pages test's; this one checks the places this work added or changed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** Relative luminance of a computed `rgb(...)` colour (WCAG 2). */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function colours(page) {
  return page.evaluate(() => {
    const body = getComputedStyle(document.body);
    const nav = document.querySelector('nav[aria-label="Main"]');
    return {
      background: body.backgroundColor,
      text: body.color,
      nav: nav ? getComputedStyle(nav).backgroundColor : null,
    };
  });
}

const PAGES = ['/home', '/ledger', '/talk', '/conversations', '/agreements', '/checkins', '/episodes', '/account', '/safety'];

for (const scheme of ['dark', 'light']) {
  test(`${scheme}: the pages follow the system and axe finds nothing`, async (t) => {
    const base = app.server.baseURL;
    const ctxA = await newContext(app.browser, base, { colorScheme: scheme, bypassCSP: true });
    const ctxB = await newContext(app.browser, base, { colorScheme: scheme, bypassCSP: true });
    try {
      const a = await ctxA.newPage();
      const b = await ctxB.newPage();
      // Signed out first.
      for (const path of ['/', '/signin']) {
        await a.goto(path);
        const c = await colours(a);
        if (scheme === 'dark') assert.ok(luminance(c.background) < 0.05, `${path} background ${c.background} is dark`);
        else assert.ok(luminance(c.background) > 0.8, `${path} background ${c.background} is light`);
        await t.test(`${scheme} ${path}`, () => axeClean(a, `${scheme} ${path}`));
      }
      await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });
      await a.goto('/ledger?done=thanked');
      await a.locator('#notice').waitFor();
      await t.test(`${scheme} /ledger with a notice`, () => axeClean(a, `${scheme} notice`));
      for (const path of PAGES) {
        await a.goto(path);
        const c = await colours(a);
        if (scheme === 'dark') {
          assert.ok(luminance(c.background) < 0.05, `${path} background ${c.background} is dark`);
          assert.ok(luminance(c.text) > 0.6, `${path} text ${c.text} is light`);
          assert.ok(luminance(c.nav) < 0.05, `${path} navigation ${c.nav} is dark`);
        } else {
          assert.ok(luminance(c.background) > 0.8, `${path} background ${c.background} is light`);
        }
        await t.test(`${scheme} ${path}`, () => axeClean(a, `${scheme} ${path}`));
      }
    } finally {
      await ctxA.close();
      await ctxB.close();
    }
  });
}
