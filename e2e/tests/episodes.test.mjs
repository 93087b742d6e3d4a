// Episodes in a real browser, on a phone-sized screen: one partner records
// an episode turn by turn with the big radio cards, is offered "Before you
// answer" after a negative turn and opens the guide, and shares the
// episode; the other partner reads it and adds their own view; both write
// a repair, sealed until both have sent theirs. The episode page and the
// pattern page are scanned with axe (the contexts bypass the pages' CSP,
// `script-src 'self'`, only so that axe can be injected).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean, PHONE,
} from './helpers.mjs';

const app = useServerAndBrowser();

/** Adds one turn with the form: `who` is 0 (me) or 1 (the partner). */
async function addTurn(page, who, code, intensity) {
  await page.locator('#actor_id-group label').nth(who).click();
  await page.locator(`#code-group label:has(input[value="${code}"])`).click();
  await page.locator(`#intensity-group label:has(input[value="${intensity}"])`).click();
  await clickAndWait(page, 'button:has-text("Add this turn")');
}

async function noSidewaysScroll(page) {
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth) <= PHONE.width,
    'no sideways scrolling',
  );
}

test('an episode recorded turn by turn on a phone, shared, seen both ways and repaired', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { viewport: PHONE, bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Kim', nameB: 'Sam' });

    // The list and its short form; the day defaults to today.
    await a.goto('/episodes');
    assert.equal(await a.title(), 'Notes');
    await axeClean(a, 'episodes (none yet)');
    assert.notEqual(await a.inputValue('#occurred_at'), '');
    assert.equal(await a.isChecked('#share'), false, 'private unless shared');
    await a.fill('#title', 'The forgotten phone call');
    await a.locator('#kind-group label:has(input[value="conflict"])').click();
    await clickAndWait(a, 'button:has-text("Record it")');
    const episode = where(a, base);
    assert.match(episode, /^\/episodes\/[0-9a-f-]{36}$/);

    // Turn by turn; a negative turn brings the notice.
    await addTurn(a, 0, 'gentle_start_up', '2');
    assert.equal(await a.locator('#guide-notice').count(), 0);
    await addTurn(a, 1, 'turning_away', '2');
    await a.locator('#guide-notice').waitFor();
    assert.match(await a.locator('#guide-notice').innerText(), /Pause/);
    await axeClean(a, 'episode (after a negative turn)');
    await clickAndWait(a, '#guide-notice a:has-text("The whole guide")');
    assert.equal(where(a, base), '/before-you-answer');
    await a.getByRole('heading', { level: 1, name: 'Before you answer' }).waitFor();
    await a.goBack();
    await addTurn(a, 0, 'repair_attempt', '2');
    await addTurn(a, 1, 'taking_responsibility', '3');
    const mine = await a.locator('#my-turns li').allInnerTexts();
    assert.equal(mine.length, 4);
    assert.match(mine[1], /Sam: a turn coded Turning away \(negative, light\)/);
    // A mistaken tap, undone.
    await addTurn(a, 0, 'humor', '1');
    await clickAndWait(a, 'button:has-text("Undo the last turn")');
    assert.equal(await a.locator('#my-turns li').count(), 4);
    await noSidewaysScroll(a);

    // Shared: Kim's view and the episode itself.
    assert.match(await a.locator('#sharing').innerText(), /Sam's turns included/);
    await clickAndWait(a, 'button:has-text("Share my view with Sam")');
    await a.locator('button:has-text("Stop sharing my view")').waitFor();

    // Sam reads it, adds his own view and shares it.
    await b.goto('/episodes');
    await clickAndWait(b, 'main a:has-text("The forgotten phone call")');
    assert.equal(where(b, base), episode);
    assert.equal(await b.locator('#partner-turns li').count(), 4);
    await addTurn(b, 1, 'bid', '1');
    await addTurn(b, 0, 'turning_away', '2');
    await clickAndWait(b, 'button:has-text("Share my view with Kim")');
    await a.goto(episode);
    assert.equal(await a.locator('#partner-turns li').count(), 2);
    await noSidewaysScroll(a);

    // Repair, sealed until both sent.
    await a.fill('#my_part', 'I brought it up while we were both tired.');
    await a.fill('#felt', 'Hurt, then embarrassed.');
    await clickAndWait(a, '#repair button:has-text("Send")');
    await b.goto(episode);
    assert.match(await b.locator('#partner-status').innerText(), /Kim has sent theirs/);
    assert.doesNotMatch(await b.locator('main').innerText(), /embarrassed/);
    await b.fill('#needed', 'A minute to finish what I was doing.');
    await clickAndWait(b, '#repair button:has-text("Send")');
    for (const p of [a, b]) {
      await p.goto(episode);
      const repair = await p.locator('#repair').innerText();
      assert.match(repair, /You have both written yours/);
      assert.match(repair, /embarrassed/);
      assert.match(repair, /finish what I was doing/);
    }
    await axeClean(a, 'episode (both views, repair revealed)');

    // The pattern page.
    await a.goto('/episodes/patterns');
    await a.getByRole('heading', { level: 1, name: 'Patterns over time' }).waitFor();
    assert.match(await a.locator('#answers').innerText(), /too little recorded yet to tell/);
    await noSidewaysScroll(a);
    await axeClean(a, 'episode patterns');
    await b.goto('/before-you-answer');
    await axeClean(b, 'before you answer');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
