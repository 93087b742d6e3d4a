// Installable (issue 19): a web app manifest with icons, and a service
// worker that keeps only the app's own files. It must never keep a page:
// every page holds someone's words, so page loads are left to the browser
// (offline, the browser's own "no connection" page, never a stored one).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, eventually,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('the manifest is linked, valid, neutral, and its icons are real', async () => {
  const base = app.server.baseURL;
  const res = await fetch(`${base}/manifest.webmanifest`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/manifest+json');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /manifest-src 'self'/);
  assert.match(csp, /worker-src 'self'/);
  const manifest = await res.json();
  assert.equal(manifest.short_name, 'Notes', 'neutral on a home screen');
  assert.equal(manifest.name, 'Notes');
  assert.equal(manifest.start_url, '/home');
  assert.equal(manifest.display, 'standalone');
  assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
  assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);
  for (const size of [192, 512]) {
    const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}`);
    assert.ok(icon, `a ${size} icon`);
    const file = await fetch(new URL(icon.src, base));
    assert.equal(file.status, 200, icon.src);
    assert.equal(file.headers.get('content-type'), icon.type);
    assert.deepEqual(pngSize(Buffer.from(await file.arrayBuffer())), [size, size], `${icon.src} is ${size} pixels`);
  }
  const svg = manifest.icons.find((i) => i.type === 'image/svg+xml');
  const svgFile = await fetch(new URL(svg.src, base));
  assert.equal(svgFile.headers.get('content-type'), 'image/svg+xml');

  const sw = await fetch(`${base}/sw.js`);
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /^text\/javascript/);
  assert.equal(sw.headers.get('cache-control'), 'no-store', 'a new worker is seen at once');

  // Every page links it; chromium reads it as the page's manifest.
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    await page.goto('/');
    assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest');
    const cdp = await ctx.newCDPSession(page);
    const { url, errors } = await cdp.send('Page.getAppManifest');
    assert.equal(new URL(url).pathname, '/manifest.webmanifest');
    assert.deepEqual(errors, [], `manifest errors: ${JSON.stringify(errors)}`);
  } finally {
    await ctx.close();
  }
});

test('the service worker registers and caches static files, never a personal page', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Yara', nameB: 'Zeb' });
    const scriptURL = await a.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
    assert.equal(new URL(scriptURL).pathname, '/sw.js');

    // Log something personal, then browse the personal pages under the worker.
    await a.goto('/ledger');
    await eventually(() => a.evaluate(() => navigator.serviceWorker.controller !== null), 5_000, 'the worker to control the page');
    const personal = ['/home', '/ledger', '/ledger/history', '/account', '/talk', '/visibility', '/written', '/checkins', '/j/some-code'];
    for (const path of personal) {
      await a.goto(path);
    }
    assert.ok(await a.evaluate(() => navigator.serviceWorker.controller !== null), 'pages went through the worker');

    const cached = await eventually(async () => {
      const list = await a.evaluate(async () => {
        const out = [];
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
        }
        return out;
      });
      return list.includes('/static/app.css') && list.includes('/static/app.js') ? list : null;
    }, 5_000, 'the shell to be cached');
    for (const path of ['/static/app.css', '/static/app.js', '/manifest.webmanifest']) {
      assert.ok(cached.includes(path), `${path} is cached: ${cached}`);
    }
    for (const path of cached) {
      assert.ok(path.startsWith('/static/') || path === '/manifest.webmanifest', `only app files are cached, not ${path}`);
    }
    for (const path of personal) {
      assert.ok(!cached.includes(path), `${path} must never be cached`);
    }

    // Offline, a page is not served from any store: the browser's own error.
    await ctxA.setOffline(true);
    await a.goto('/ledger').catch(() => null);
    assert.ok(!(await a.locator('body').innerText()).includes('Zeb'), 'nothing personal offline');
    await ctxA.setOffline(false);
    await a.goto('/home');
    await a.getByRole('heading', { name: 'You and Zeb' }).waitFor();
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
