// "Download my data" on the account page, in a real browser (issue 14;
// SECURITY.md R28(c), R37, H9): the link downloads one JSON file, named by
// the day, that holds the person's own words, what their partner shared
// while they were together, and who looked at what they shared; after the
// partner leaves, a new download holds only the person's own words. The
// section says the file is not encrypted. "Download as a web page" gives the
// same as one HTML file: opened from disk it shows every section, the
// partner's markup as text, runs no script and fetches nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

const ROSA_ENTRY = 'Rosa repotted the basil';
const TOM_ENTRY = 'Tom fixed the bike lights';
/** Tom's words with markup in them: the web page must show them as text. */
const TOM_MARKUP = 'Tom oiled the <b>hinges</b> <script>document.title="x"</script>';

/** The section headings of the web page (crates/web/src/api/export_html.rs). */
const SECTIONS = [
  'Your data', 'About you', 'Who has looked at what you shared',
  'Recent activity on your account', 'Your tokens for scripts', 'Your space with Tom',
  'Who is in it', 'The ledger: what you did for each other', 'What matters to each of you',
  'The respect map', 'Conversations', 'Everything you wrote here', 'Your private reflections',
];

/** Logs `description` on /ledger as something the person did. */
async function logEntry(page, description) {
  await page.goto('/ledger');
  await page.fill('#description', description);
  await page.check('form[action="/ledger/log"] input[name=effort][value="3"]');
  await clickAndWait(page, 'form[action="/ledger/log"] button:has-text("Save")');
  assert.equal(new URL(page.url()).pathname, '/ledger');
}

/** Clicks "Download my data" on /account; the parsed file and its suggested name. */
async function downloadMyData(page) {
  await page.goto('/account');
  const section = page.locator('section#export');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('link', { name: 'Download my data' }).click(),
  ]);
  const text = await readFile(await download.path(), 'utf8');
  return { name: download.suggestedFilename(), text, file: JSON.parse(text) };
}

/** Clicks "Download as a web page" on /account; saves it under its suggested name in `dir`. */
async function downloadAsWebPage(page, dir) {
  await page.goto('/account');
  const section = page.locator('section#export');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('link', { name: 'Download as a web page' }).click(),
  ]);
  const name = download.suggestedFilename();
  const path = join(dir, name);
  await download.saveAs(path);
  return { name, path, text: await readFile(path, 'utf8') };
}

test('the account page downloads the person\'s data as versioned JSON and as a web page: their words, and the partner\'s only while together', async (t) => {
  const base = app.server.baseURL;
  // Rosa's page is scanned by axe, which needs the CSP bypassed to be injected.
  const ctxA = await newContext(app.browser, base, { acceptDownloads: true, bypassCSP: true });
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const { b: tom } = await formCouple(a, b, { nameA: 'Rosa', nameB: 'Tom' });
    await logEntry(a, ROSA_ENTRY);
    // Tom opens the ledger (Rosa's entry is on it) to log his own.
    await logEntry(b, TOM_ENTRY);
    await logEntry(b, TOM_MARKUP);

    // The section: what is in the file, and that it is not encrypted.
    await a.goto('/account');
    const section = a.locator('section#export');
    await section.getByRole('heading', { name: 'Download my data' }).waitFor();
    const words = await section.innerText();
    assert.match(words, /everything you wrote/i);
    assert.match(words, /while you were together/);
    assert.match(words, /not encrypted/);
    assert.match(words, /somewhere only you can reach/);
    await t.test('axe: account page with the download', () => axeClean(a, 'account (download my data)'));

    const together = await downloadMyData(a);
    assert.match(together.name, /^reciprocity-export-\d{4}-\d{2}-\d{2}\.json$/);
    assert.equal(together.name, `reciprocity-export-${together.file.exported_at.slice(0, 10)}.json`);
    assert.equal(together.file.format, 'reciprocity-export');
    assert.equal(together.file.version, 2);
    assert.equal(together.file.account.display_name, 'Rosa');
    assert.equal(where(a, base), '/account', 'the download leaves the page where it was');
    const [space] = together.file.relationships;
    assert.equal(space.status, 'active');
    const descriptions = space.ledger.map((e) => e.description);
    assert.ok(descriptions.includes(ROSA_ENTRY), `Rosa's entry is in her file: ${descriptions}`);
    assert.ok(descriptions.includes(TOM_ENTRY), `Tom's entry, shared with her, is too: ${descriptions}`);
    assert.ok(!together.text.includes(tom.email), "Tom's e-mail is not in Rosa's file");
    // H9: the entries Rosa logged, counted in her file.
    const rosaId = together.file.account.id;
    assert.equal(space.ledger.filter((e) => e.logged_by === rosaId).length, 1);
    // R28(c): who looked at what she shared: Tom, at her ledger entries.
    const looks = together.file.access_log.map((l) => `${l.viewer_name}: ${l.item}`);
    assert.deepEqual(looks, ['Tom: ledger'], `Rosa's access log: ${looks}`);

    // The same as a web page, kept and opened from disk.
    const dir = await mkdtemp(join(tmpdir(), 'reciprocity-export-'));
    try {
      const web = await downloadAsWebPage(a, dir);
      assert.match(web.name, /^reciprocity-export-\d{4}-\d{2}-\d{2}\.html$/);
      assert.equal(where(a, base), '/account', 'the download leaves the page where it was');
      assert.ok(!web.text.includes('<script'), 'no script in the file, not even Tom\'s');
      const ctxFile = await newContext(app.browser, base);
      try {
        const file = await ctxFile.newPage();
        const fileUrl = pathToFileURL(web.path).href;
        const requested = [];
        file.on('request', (r) => requested.push(r.url()));
        await file.goto(fileUrl);
        for (const name of SECTIONS) {
          await file.getByRole('heading', { name, exact: true }).first().waitFor();
        }
        assert.equal(await file.title(), 'Your data', 'a neutral title, untouched by Tom\'s words');
        const body = await file.locator('body').innerText();
        assert.ok(body.includes(ROSA_ENTRY) && body.includes(TOM_ENTRY), 'both entries');
        assert.ok(body.includes(TOM_MARKUP), "Tom's markup, shown as the characters he typed");
        assert.equal(await file.locator('script').count(), 0);
        assert.equal(await file.locator('b').count(), 0, 'no element of Tom\'s making');
        const looked = file.locator('table', { has: file.getByRole('columnheader', { name: 'Who looked' }) });
        assert.match(await looked.innerText(), /Tom\s+your ledger entries and thanks/);
        // The page's own stylesheet applies (its CSP allows exactly it) and
        // nothing but the file itself was fetched.
        const collapse = await file.evaluate(() => getComputedStyle(document.querySelector('table')).borderCollapse);
        assert.equal(collapse, 'collapse', 'the inline stylesheet is allowed by its hash');
        assert.deepEqual(requested, [fileUrl], `requests: ${requested}`);
      } finally {
        await ctxFile.close();
      }
      // Rosa's context bypasses CSP, so axe can be injected into the file.
      const scan = await ctxA.newPage();
      await scan.goto(pathToFileURL(web.path).href);
      await t.test('axe: the downloaded web page', () => axeClean(scan, 'export web page'));
      await scan.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // Tom leaves; Rosa's next file keeps her words and none of his.
    await b.goto('/leave');
    await clickAndWait(b, 'button:has-text("Leave now")');
    const after = await downloadMyData(a);
    const [ended] = after.file.relationships;
    assert.equal(ended.status, 'ended');
    assert.ok(after.text.includes(ROSA_ENTRY), "Rosa's own entry stays in her file");
    assert.ok(!after.text.includes(TOM_ENTRY), "Tom's entry is gone from Rosa's file once he left");
    assert.equal(ended.ledger.filter((e) => e.logged_by === rosaId).length, 1);
    const endedDir = await mkdtemp(join(tmpdir(), 'reciprocity-export-'));
    try {
      const web = await downloadAsWebPage(a, endedDir);
      assert.ok(web.text.includes(ROSA_ENTRY), "Rosa's own entry stays in her web page");
      assert.ok(!web.text.includes(TOM_ENTRY) && !web.text.includes('oiled'), "none of Tom's entries once he left");
    } finally {
      await rm(endedDir, { recursive: true, force: true });
    }
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
