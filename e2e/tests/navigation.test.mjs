// Finding your way (issue 19): one labelled navigation on every signed-in
// page, the active place marked; a bar at the bottom of a phone, a column at
// the side of a desktop; a counselor's own two places; none signed out; the
// product's name only inside; sign-out from the account page; and the
// ledger called "Noticed" everywhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, signUp, clickAndWait, where, uniqueEmail,
  keepRecoveryCode, homeWithSession, sessionCookie, PASSWORD,
} from './helpers.mjs';

const app = useServerAndBrowser();

const PARTNER_PLACES = ['Home', 'Noticed', 'Talk', 'Agreements', 'Check-in', 'Account'];

/** The labels of the main navigation and the one marked current. */
async function navOf(page) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  const labels = (await nav.locator('a').allInnerTexts()).map((t) => t.trim());
  const current = (await nav.locator('a[aria-current="page"]').allInnerTexts()).map((t) => t.trim());
  return { labels, current };
}

/** No horizontal scrolling. */
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('every signed-in place shows the navigation with the right place marked', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Noor', nameB: 'Ravi' });
    const expected = [
      ['/home', 'Home'],
      ['/reflections', 'Home'],
      ['/ledger', 'Noticed'],
      ['/ledger/history', 'Noticed'],
      ['/ledger/balance', 'Noticed'],
      ['/talk', 'Talk'],
      ['/values', 'Talk'],
      ['/respect', 'Talk'],
      ['/conversations', 'Talk'],
      ['/conversations/1', 'Talk'],
      ['/episodes', 'Talk'],
      ['/counselor', 'Talk'],
      ['/agreements', 'Agreements'],
      ['/agreements/new', 'Agreements'],
      ['/checkins', 'Check-in'],
      ['/checkins/trends', 'Check-in'],
      ['/account', 'Account'],
      ['/visibility', 'Account'],
      ['/written', 'Account'],
    ];
    for (const [path, place] of expected) {
      const response = await a.goto(path);
      assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
      const { labels, current } = await navOf(a);
      assert.deepEqual(labels, PARTNER_PLACES, `the places on ${path}`);
      assert.deepEqual(current, [place], `the place marked on ${path}`);
      assert.equal(await a.title(), 'Notes', `a neutral title on ${path}`);
      // The link of each place goes where the place is.
      const link = a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: place });
      assert.equal(await link.getAttribute('aria-current'), 'page');
    }
    // A page outside every place (Safety) keeps the navigation, marking none.
    await a.goto('/safety');
    assert.deepEqual((await navOf(a)).current, []);

    // The Talk page gathers its places, one sentence each, and they open.
    await a.goto('/talk');
    await a.getByRole('heading', { name: 'Talk', level: 1 }).waitFor();
    for (const name of ['What matters to us', 'Respect map', 'Conversations', 'Episodes', 'Counselor']) {
      assert.equal(await a.locator('main').getByRole('link', { name }).count(), 1, `Talk links to ${name}`);
    }
    await clickAndWait(a, 'main a:has-text("Conversations")');
    assert.equal(where(a, base), '/conversations');
    // Each deck has its own drawing beside its name.
    const decks = a.locator('.decks h2 a');
    const count = await decks.count();
    assert.ok(count >= 7, `${count} decks`);
    const drawings = new Set();
    for (let i = 0; i < count; i += 1) {
      drawings.add(await decks.nth(i).locator('svg').innerHTML());
    }
    assert.equal(drawings.size, count, 'one drawing per deck, none shared');

    // Following the navigation itself works, not only typed addresses.
    await clickAndWait(a, 'nav[aria-label="Main"] a:has-text("Noticed")');
    assert.equal(where(a, base), '/ledger');
    assert.deepEqual((await navOf(a)).current, ['Noticed']);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('a bar at the bottom of a phone, a column at the side of a desktop, never wider than the screen', async () => {
  const base = app.server.baseURL;
  const phone = await newContext(app.browser, base, { viewport: { width: 360, height: 740 } });
  const desk = await newContext(app.browser, base, { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });
  try {
    const p = await phone.newPage();
    const who = await signUp(p, { name: 'Ines' });
    for (const path of ['/home', '/talk', '/account', '/checkins']) {
      await p.goto(path);
      const box = await p.getByRole('navigation', { name: 'Main' }).boundingBox();
      assert.ok(Math.abs(box.y + box.height - 740) <= 1, `${path}: the bar sits at the bottom (${JSON.stringify(box)})`);
      assert.ok(box.x <= 0.5 && Math.abs(box.width - 360) <= 1, `${path}: the bar spans the width`);
      assert.ok(box.height < 140, `${path}: the bar stays small (${box.height}px)`);
      assert.ok(await fitsWidth(p), `${path}: no sideways scroll at 360px`);
      // The end of the page is not hidden behind the bar.
      await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const foot = await p.locator('footer.foot').boundingBox();
      assert.ok(foot.y + foot.height <= box.y + 1, `${path}: the footer ends above the bar`);
    }

    const d = await desk.newPage();
    await d.goto('/signin');
    await d.fill('#email', who.email);
    await d.fill('#password', PASSWORD);
    await clickAndWait(d, 'button:has-text("Sign in")');
    await d.goto('/talk');
    const nav = await d.getByRole('navigation', { name: 'Main' }).boundingBox();
    const main = await d.locator('main').boundingBox();
    assert.ok(nav.x + nav.width <= main.x + 1, `the navigation is beside the content (${JSON.stringify({ nav, main })})`);
    assert.ok(nav.y < 200, 'at the top of the page, not the bottom');
    const items = d.locator('nav[aria-label="Main"] li');
    const first = await items.nth(0).boundingBox();
    const second = await items.nth(1).boundingBox();
    assert.ok(second.y > first.y, 'the places are in a column');
  } finally {
    await phone.close();
    await desk.close();
  }
});

test('signed out there is no navigation and no product name; signed in the name shows, never in the title', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    for (const path of ['/', '/signin', '/signup', '/safety', '/recover']) {
      await page.goto(path);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, `no navigation on ${path}`);
      assert.equal((await page.locator('header.bar .home-link').innerText()).trim(), 'Notes', `${path}: the neutral name`);
      assert.ok(!(await page.locator('body').innerText()).includes('Reciprocity'), `${path} does not name the product`);
      assert.equal(await page.title(), 'Notes');
    }
    await signUp(page, { name: 'Oona' });
    const brand = page.locator('header.bar .home-link');
    assert.equal((await brand.innerText()).trim(), 'Reciprocity');
    assert.equal(await brand.locator('svg').count(), 1, 'with the mark');
    assert.equal(await page.title(), 'Notes');
    // The safety page says why.
    await page.goto('/safety');
    assert.match(await page.locator('main').innerText(), /Every page is titled “Notes”, by design/);
  } finally {
    await ctx.close();
  }
});

test('a counselor has their own navigation: Clients and Account', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const c = await ctx.newPage();
    await c.goto('/signup');
    await c.fill('#display_name', 'Dr Okafor');
    await c.fill('#email', uniqueEmail('okafor'));
    await c.fill('#password', PASSWORD);
    await c.check('#counselor');
    await clickAndWait(c, 'button[type=submit]:has-text("Create account")');
    await keepRecoveryCode(c);
    for (const [path, place] of [['/account', 'Account'], ['/account/two-factor', 'Account'], ['/clients', 'Clients']]) {
      await c.goto(path);
      const { labels, current } = await navOf(c);
      assert.deepEqual(labels, ['Clients', 'Account'], `a counselor's places on ${path}`);
      assert.deepEqual(current, [place], `marked on ${path}`);
    }
    // The partners' Talk page is not theirs.
    await c.goto('/talk');
    assert.equal(where(c, base), '/clients');
  } finally {
    await ctx.close();
  }
});

test('sign out from the account page', async () => {
  const base = app.server.baseURL;
  const ctx = await newContext(app.browser, base);
  try {
    const page = await ctx.newPage();
    await signUp(page, { name: 'Pia' });
    const session = await sessionCookie(ctx, base);
    await clickAndWait(page, 'nav[aria-label="Main"] a:has-text("Account")');
    assert.equal(where(page, base), '/account');
    await clickAndWait(page, 'main form[action="/signout"] button:has-text("Sign out")');
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'signed out: no navigation');
    const after = await homeWithSession(base, session);
    assert.equal(after.location, '/signin', 'the session is over on the server');
    await page.goto('/home');
    assert.equal(where(page, base), '/signin');
  } finally {
    await ctx.close();
  }
});

test('the ledger is called "Noticed" wherever a person reads about it', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Tess', nameB: 'Umar' });
    for (const path of ['/ledger', '/ledger/history', '/ledger/balance']) {
      await a.goto(path);
      assert.equal((await a.locator('h1').innerText()).trim(), 'Noticed', `${path} heading`);
    }
    for (const path of ['/ledger', '/ledger/history', '/ledger/balance', '/visibility', '/account/views', '/talk', '/account']) {
      await a.goto(path);
      const text = await a.locator('body').innerText();
      assert.ok(!/\bledger\b/i.test(text), `${path} says "ledger":\n${text.match(/.{0,60}\bledger\b.{0,60}/i)?.[0]}`);
    }
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
