// Shared set-up for the browser tests: a real server on a free loopback port
// with a fresh SQLite file, Debian's chromium driven by playwright-core, and
// a stand-in for the neutral quick-exit site (the machine has no internet).

import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, after } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

export const EXIT_URL = 'https://neutral.example/weather';
export const NEUTRAL_BODY = '<!doctype html><title>Weather</title><p>Weather</p>';
export const PHONE = { width: 390, height: 844 };
// Passwords must be 10 to 128 characters, not common, and hold neither the
// app's name nor the e-mail's local part nor the display name: a few
// unrelated words, none of them a test person's name.
export const PASSWORD = 'quiet lantern orchard ferry';

const BINARY =
  process.env.RECIPROCITY_BIN ||
  join(process.env.CARGO_TARGET_DIR || join(repoRoot, 'target'), 'debug', 'reciprocity');

/** A TOML file's text for flat settings (strings, numbers, booleans). */
function toToml(settings) {
  return Object.entries(settings)
    .map(([key, value]) => `${key} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}\n`)
    .join('');
}

/**
 * Starts `reciprocity serve` on 127.0.0.1:0 with a fresh SQLite file;
 * resolves once /healthz answers 200. `config` settings, if any, go to the
 * server in a TOML file through `--config` (e.g. `{ session_idle_seconds: 6 }`).
 */
export async function startServer({ config } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'reciprocity-e2e-'));
  const configArgs = [];
  if (config && Object.keys(config).length > 0) {
    const file = join(dir, 'config.toml');
    await writeFile(file, toToml(config));
    configArgs.push('--config', file);
  }
  const env = { ...process.env };
  // Nothing from the caller's environment may point the server elsewhere.
  for (const key of Object.keys(env)) {
    if (key.startsWith('RECIPROCITY_') || key === 'DATABASE_URL') delete env[key];
  }
  const child = spawn(
    BINARY,
    [
      'serve',
      '--bind', '127.0.0.1:0',
      '--database', `sqlite://${join(dir, 'e2e.db')}`,
      '--exit-url', EXIT_URL,
      '--log-format', 'json',
      ...configArgs,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Never leave a server behind, even if the test process ends abruptly.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const logs = [];
  child.stderr.on('data', (d) => logs.push(String(d)));

  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not report its address within 30 s; output:\n${logs.join('')}`));
    }, 30_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code ?? signal}); output:\n${logs.join('')}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      logs.push(line + '\n');
      if (logs.length > 500) logs.splice(0, logs.length - 500);
      let entry;
      try { entry = JSON.parse(line); } catch { return; }
      if (entry.message === 'serving' && entry.addr) {
        clearTimeout(timer);
        resolve(entry.addr);
      }
    });
  });
  child.removeAllListeners('exit');
  const baseURL = `http://${addr}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${baseURL}/healthz`);
      if (res.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server at ${baseURL} never became healthy`);
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    baseURL,
    logs: () => logs.join(''),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers node:test hooks that start a server and a browser before this
 * file's tests and stop both after them; returns `{ server, browser }`,
 * filled in once the `before` hook has run. `options` go to `startServer`.
 */
export function useServerAndBrowser(options = {}) {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await startServer(options);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** Debian's chromium, headless. CHROMIUM_PATH overrides the location. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // The machine's network is closed: keep chromium from reaching out on its own.
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A phone-sized context whose requests to the neutral exit site are answered locally. */
export async function newContext(browser, baseURL, options = {}) {
  const context = await browser.newContext({
    baseURL,
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  await context.route('https://neutral.example/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: NEUTRAL_BODY }),
  );
  return context;
}

let counter = 0;
/** A fresh, unique e-mail address for this run. */
export function uniqueEmail(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.org`;
}

/**
 * Fills and submits the sign-up form on the current page. A new account is
 * first shown its recovery code (201, "Keep your recovery code"); this reads
 * the code and follows "I've kept it somewhere safe" to the next page (home,
 * or the invitation). Returns `{ recoveryCode }`; the code is undefined when
 * the form was refused (the page with the errors stays open).
 */
export async function submitSignUp(page, { name, email, password = PASSWORD }) {
  await page.fill('#display_name', name);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('button[type=submit]:has-text("Create account")'),
  ]);
  return keepRecoveryCode(page);
}

/** On the recovery-code page: reads the code and follows the link on; undefined on any other page. */
export async function keepRecoveryCode(page) {
  const shown = page.locator('#recovery-code');
  if ((await shown.count()) === 0) return { recoveryCode: undefined };
  const recoveryCode = (await shown.innerText()).trim();
  await clickAndWait(page, 'main a:has-text("I\'ve kept it somewhere safe")');
  return { recoveryCode };
}

/** Opens /signup, creates an account and waits for /home. */
export async function signUp(page, { name, email = uniqueEmail(name.toLowerCase()), password = PASSWORD }) {
  await page.goto('/signup');
  const { recoveryCode } = await submitSignUp(page, { name, email, password });
  if (new URL(page.url()).pathname !== '/home') {
    throw new Error(`sign-up for ${name} ended on ${page.url()}:\n${await page.locator('main').innerText()}`);
  }
  return { name, email, password, recoveryCode };
}

/**
 * Forms a couple in two pages of two contexts: A signs up and creates the
 * space, B signs up and joins with the invitation link. Both end on /home.
 */
export async function formCouple(a, b, { nameA = 'Alex', nameB = 'Bea' } = {}) {
  const accountA = await signUp(a, { name: nameA });
  await clickAndWait(a, 'button:has-text("Create our space")');
  const link = await a.inputValue('#invite-link');
  const accountB = await signUp(b, { name: nameB });
  await b.goto(link);
  await clickAndWait(b, 'main button:has-text("Join")');
  await b.getByRole('heading', { name: `You and ${nameA}` }).waitFor();
  await a.goto('/home');
  await a.getByRole('heading', { name: `You and ${nameB}` }).waitFor();
  return { a: accountA, b: accountB };
}

/** Clicks a button or link and waits for the navigation it starts. */
export async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Path of the page's current URL (or the whole URL when off-site). */
export function where(page, baseURL) {
  const url = page.url();
  return url.startsWith(baseURL) ? new URL(url).pathname : url;
}

/** The value of this site's session cookie in a context, or undefined. */
export async function sessionCookie(context, baseURL) {
  const cookies = await context.cookies(baseURL);
  return cookies.find((c) => c.name === 'session')?.value;
}

/**
 * Asks the server directly, with a given session cookie, where /home leads:
 * 200 means the session still works, a redirect to /signin means it is over.
 */
export async function homeWithSession(baseURL, session) {
  const res = await fetch(`${baseURL}/home`, {
    redirect: 'manual',
    headers: { cookie: `session=${session}` },
  });
  return { status: res.status, location: res.headers.get('location') };
}

/** Retries `check` until it returns truthy or `ms` passes; no fixed sleeps. */
export async function eventually(check, ms = 5_000, what = 'condition') {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Walks through every page of the web UI with two people and calls
 * `visit(label, page)` on each, in order: signed-out pages (the Safety page
 * among them), errors, the visibility page without and with a partner, the
 * home page in each state of the space, the invitation and join pages, the
 * ledger pages (log and thank, with a form error; history; balance in words
 * and in figures), the agreements pages (list, form with an error, an
 * agreement before and after a counter), the check-in pages (the
 * questionnaire empty and with an error, the trends with one kept and after
 * the space ended), the leave page and the 404 page. `contextOptions` go to every browser context.
 */
export async function tour(browser, baseURL, visit, contextOptions = {}) {
  const ctxA = await newContext(browser, baseURL, contextOptions);
  const ctxB = await newContext(browser, baseURL, contextOptions);
  const ctxC = await newContext(browser, baseURL, contextOptions);
  const expectPath = (page, path) => {
    const got = where(page, baseURL);
    if (got !== path) throw new Error(`expected to be on ${path}, but on ${page.url()}`);
  };
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const c = await ctxC.newPage();

    // Signed out.
    await a.goto('/');
    await visit('landing', a);
    const notFound = await a.goto('/no-such-page');
    if (notFound.status() !== 404) throw new Error(`/no-such-page answered ${notFound.status()}`);
    await visit('404 page', a);
    await a.goto('/signin');
    await visit('sign-in (empty)', a);
    await a.goto('/signin?expired=1&held=1');
    await a.locator('#signed-out-idle').waitFor();
    await visit('sign-in (signed out when idle, form kept)', a);
    await a.goto('/recover');
    await visit('recover with the recovery code (empty)', a);
    await a.goto('/signup');
    await visit('sign-up (empty)', a);
    await a.goto('/safety');
    await visit('safety (signed out)', a);
    await a.goto('/signup');

    await a.fill('#display_name', 'Alex');
    const emailA = uniqueEmail('alex');
    await a.fill('#email', emailA);
    await a.fill('#password', 'short');
    await clickAndWait(a, 'button:has-text("Create account")');
    expectPath(a, '/signup');
    await a.locator('#password-error').waitFor();
    await visit('sign-up (password error)', a);

    // A signs up: the recovery code, home with no space, then a wrong code.
    await a.fill('#password', PASSWORD);
    await clickAndWait(a, 'button:has-text("Create account")');
    await a.locator('#recovery-code').waitFor();
    await visit('recovery code (after sign-up)', a);
    await clickAndWait(a, 'main a:has-text("I\'ve kept it somewhere safe")');
    expectPath(a, '/home');
    await visit('home (no space)', a);
    await a.fill('#invite_code', 'wrong-code-1234');
    await clickAndWait(a, 'main form[action="/join"] button:has-text("Join")');
    await a.locator('#invite_code-error').waitFor();
    await visit('join (wrong code error)', a);

    // Sign-in with a wrong password (someone else's browser).
    await c.goto('/signin');
    await c.fill('#email', emailA);
    await c.fill('#password', 'not the password');
    await clickAndWait(c, 'button:has-text("Sign in")');
    expectPath(c, '/signin');
    // The error shows above the form; the page is scanned with it.
    await c.getByRole('heading', { name: 'Sign in' }).waitFor();
    await visit('sign-in (after a wrong password)', c);

    // Signed in with no partner yet: the Safety page and "what a partner would see".
    await a.goto('/safety');
    await visit('safety (signed in)', a);
    await a.goto('/visibility');
    await a.getByRole('heading', { name: 'What a partner would see' }).waitFor();
    await visit('what a partner would see (no partner)', a);

    // A's account page.
    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("Your account")');
    expectPath(a, '/account');
    await a.getByRole('heading', { name: "Where you're signed in" }).waitFor();
    await visit('account', a);

    // A creates the space.
    await a.goto('/home');
    await clickAndWait(a, 'button:has-text("Create our space")');
    await a.locator('#invite-link').waitFor();
    await visit('invite page', a);
    const link = await a.inputValue('#invite-link');
    await a.goto('/home');
    await a.getByRole('heading', { name: 'Waiting for your partner' }).waitFor();
    await visit('home (waiting for partner)', a);

    // B follows the link signed out, signs up, joins.
    await b.goto(link);
    await visit('invitation (signed out)', b);
    await clickAndWait(b, 'a:has-text("Create an account")');
    await visit('sign-up (from invitation)', b);
    await submitSignUp(b, { name: 'Bea', email: uniqueEmail('bea') });
    await b.getByRole('heading', { name: 'Join your partner' }).waitFor();
    await visit('join page (from invitation)', b);
    await clickAndWait(b, 'main button:has-text("Join")');
    await b.getByRole('heading', { name: 'You and Alex' }).waitFor();
    await visit('home (together)', b);
    await b.goto('/visibility');
    await b.getByRole('heading', { name: 'What Alex can see' }).waitFor();
    await visit('what my partner can see', b);

    // The private journal: empty, refused empty, then one kept.
    await b.goto('/reflections');
    await b.getByRole('heading', { name: 'Just for you' }).waitFor();
    await visit('reflections (empty)', b);
    await clickAndWait(b, 'form[action="/reflections"] button:has-text("Keep it")');
    await b.locator('#text-error').waitFor();
    await visit('reflections (text error)', b);
    await b.fill('#text', 'A quiet evening helped.');
    await clickAndWait(b, 'form[action="/reflections"] button:has-text("Keep it")');
    await visit('reflections (one kept)', b);

    await b.goto('/join');
    await visit('join page (empty)', b);

    // The ledger: log, thank, history, balance in words and in figures.
    await a.goto('/ledger');
    await a.getByText('Nothing waiting').waitFor();
    await visit('ledger (nothing to thank)', a);
    await a.fill('#description', '');
    await clickAndWait(a, 'form[action="/ledger/log"] button:has-text("Save")');
    await a.locator('#description-error').waitFor();
    await visit('ledger (description error)', a);
    await a.fill('#description', 'Did the dishes');
    await a.check('form[action="/ledger/log"] input[name=effort][value="3"]');
    await clickAndWait(a, 'form[action="/ledger/log"] button:has-text("Save")');
    expectPath(a, '/ledger');
    await b.goto('/ledger');
    const card = b.locator('section[aria-labelledby="thank-heading"] li').filter({ hasText: 'Did the dishes' });
    await card.waitFor();
    await visit('ledger (something to thank)', b);
    await card.locator('input[name=value][value="4"]').check();
    await card.locator('input[name=note]').fill('Thank you');
    await clickAndWait(b, 'section[aria-labelledby="thank-heading"] li button:has-text("Thank Alex")');
    expectPath(b, '/ledger');
    await a.goto('/ledger/history');
    await a.locator('main ul.cards > li').first().waitFor();
    await visit('ledger history', a);
    await a.goto('/ledger/history?person=partner');
    await a.getByText('Nothing here yet.').waitFor();
    await visit('ledger history (filtered, empty)', a);
    await a.goto('/ledger/balance');
    await a.getByRole('heading', { name: 'Appreciation' }).waitFor();
    await visit('ledger balance (words)', a);
    await clickAndWait(a, 'main button:has-text("I\'d like to see figures")');
    await a.getByText('They appear once Bea chooses too.').waitFor();
    await visit('ledger balance (words, waiting for partner)', a);
    await b.goto('/ledger/balance');
    await clickAndWait(b, 'main button:has-text("I\'d like to see figures")');
    await b.getByRole('table', { name: 'Value given per week' }).waitFor();
    await visit('ledger balance (figures)', b);

    // Agreements: none yet, the form refused empty, a proposal, a counter to answer.
    await a.goto('/agreements');
    await a.getByRole('heading', { name: 'Agreements' }).waitFor();
    await visit('agreements (none yet)', a);
    await a.goto('/agreements/new');
    await clickAndWait(a, 'button:has-text("Propose it")');
    await a.locator('#title-error').waitFor();
    await visit('propose an agreement (title error)', a);
    await a.fill('#title', 'Sunday dinners');
    await a.fill('#terms', 'Alex cooks on Sundays, Bea washes up.');
    await clickAndWait(a, 'button:has-text("Propose it")');
    const agreement = new URL(a.url()).pathname;
    await visit('agreement (proposed)', a);
    await b.goto(agreement);
    await b.fill('#w-terms', 'Alex cooks on Sundays, Bea washes up and dries.');
    await clickAndWait(b, 'button:has-text("Send my changes")');
    await a.goto(agreement);
    await a.locator('#v2 .diff ins').waitFor();
    await visit('agreement (a counter to answer)', a);
    await a.goto('/agreements');
    await visit('agreements (one waiting)', a);

    // Check-ins: the questionnaire, refused with an answer missing, then kept; the trends.
    await a.goto('/checkins');
    await a.getByRole('heading', { name: 'Check-in' }).waitFor();
    await visit('check-in (empty)', a);
    await clickAndWait(a, 'button:has-text("Keep my check-in")');
    await a.locator('#satisfaction-error').waitFor();
    await visit('check-in (an answer missing)', a);
    for (const k of ['satisfaction', 'rewards', 'costs', 'investment', 'alternatives',
      'commitment', 'passion', 'love_given', 'love_received', 'respected']) {
      await a.locator(`#${k}-group label:has(input[value="5"])`).click();
    }
    await clickAndWait(a, 'button:has-text("Keep my check-in")');
    expectPath(a, '/checkins/trends');
    await a.locator('#me-table').waitFor();
    await visit('check-in trends (one kept)', a);

    // B leaves.
    await b.goto('/leave');
    await visit('leave page', b);
    await clickAndWait(b, 'button:has-text("Leave now")');
    await b.getByRole('heading', { name: 'This space has ended' }).waitFor();
    await visit('home (space closed)', b);
    await a.goto('/checkins/trends');
    await a.locator('#me-table').waitFor();
    await visit('check-in trends (space ended)', a);
  } finally {
    await ctxA.close();
    await ctxB.close();
    await ctxC.close();
  }
}

/** axe's violations, one block each with the offending nodes, for a failure message. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs axe-core on the page as it is; resolves to its violations.
 * The pages' CSP is `script-src 'self'`, so the page's context must have been
 * made with `bypassCSP: true` for axe to be injected.
 */
export async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  assert.ok(results.passes.length + results.violations.length > 0, 'axe ran');
  return results.violations;
}

/** Runs axe-core on the page as it is and fails with the violations listed (see `axeViolations`). */
export async function axeClean(page, label) {
  const violations = await axeViolations(page);
  assert.equal(
    violations.length,
    0,
    `${violations.length} axe violation(s) on ${label} (${page.url()}):\n${describeViolations(violations)}`,
  );
}
