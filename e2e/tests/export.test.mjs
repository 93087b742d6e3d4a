// "Download my data" on the account page, in a real browser (issue 14;
// SECURITY.md R28(c), R37, H9): the link downloads one JSON file, named by
// the day, that holds the person's own words and what their partner shared
// while they were together; after the partner leaves, a new download holds
// only the person's own words. The section says the file is not encrypted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

const ROSA_ENTRY = 'Rosa repotted the basil';
const TOM_ENTRY = 'Tom fixed the bike lights';

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

test('the account page downloads the person\'s data as versioned JSON: their words, and the partner\'s only while together', async (t) => {
  const base = app.server.baseURL;
  // Rosa's page is scanned by axe, which needs the CSP bypassed to be injected.
  const ctxA = await newContext(app.browser, base, { acceptDownloads: true, bypassCSP: true });
  const ctxB = await newContext(app.browser, base);
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    const { b: tom } = await formCouple(a, b, { nameA: 'Rosa', nameB: 'Tom' });
    await logEntry(a, ROSA_ENTRY);
    await logEntry(b, TOM_ENTRY);

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
    assert.equal(together.file.version, 1);
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

    // Tom leaves; Rosa's next file keeps her words and none of his.
    await b.goto('/leave');
    await clickAndWait(b, 'button:has-text("Leave now")');
    const after = await downloadMyData(a);
    const [ended] = after.file.relationships;
    assert.equal(ended.status, 'ended');
    assert.ok(after.text.includes(ROSA_ENTRY), "Rosa's own entry stays in her file");
    assert.ok(!after.text.includes(TOM_ENTRY), "Tom's entry is gone from Rosa's file once he left");
    assert.equal(ended.ledger.filter((e) => e.logged_by === rosaId).length, 1);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
