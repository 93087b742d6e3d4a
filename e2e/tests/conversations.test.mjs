// Conversations, end to end with two people on two phones: Ada answers a
// deck on her own and sends it; nothing she wrote reaches Bo's pages or
// Bo's network traffic, only that she has sent hers; Bo answers and sends;
// both read both answers on the talk page; a note Ada keeps reaches Bo.
// Each conversation page is also scanned with axe-core (which is why these
// contexts bypass CSP: axe is injected as a script).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const app = useServerAndBrowser();

const SECRET = 'ADA-PRIVATE';
const ADA_FIRST = `${SECRET} breakfast in bed on a rainy Sunday`;
const ADA_THIRD = `${SECRET} when you listen without fixing`;
const BO_FIRST = 'Bo: the night we missed the last train';
const NOTE = 'Pancakes together every Sunday morning';

// `defining_love`, the first deck: pages name decks by number, never by subject.
const DECK = '/conversations/1';

/** The answer shown under `who` for the first prompt of the talk page. */
async function firstAnswer(page, who) {
  const item = page.locator('ol.talk > li').first();
  return item.locator(`div.pair:not(.last-time) > div:has(> p.who:text-is("${who}")) > :nth-child(2)`).innerText();
}

test('answers stay sealed until both send, then both talk it through and keep a note', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  // Every response body Bo's browser receives, to prove none carries Ada's words.
  let bodies = [];
  ctxB.on('response', (response) => {
    bodies.push(response.text().catch(() => ''));
  });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });

    // Ada finds the decks from home and opens "Defining love".
    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("Conversations")');
    assert.equal(where(a, base), '/conversations');
    assert.equal(await a.locator('main ul.decks > li').count(), 7);
    await axeClean(a, 'the decks');
    await clickAndWait(a, 'main a:has-text("Defining love")');
    assert.equal(where(a, base), DECK);
    await a.getByText("You've answered 0 of 6 prompts.").waitFor();
    await axeClean(a, 'a deck, not started');

    // One prompt per screen: answer 1, skip 2, answer 3.
    await clickAndWait(a, 'main a.button:has-text("Start")');
    assert.equal(where(a, base), `${DECK}/p/1`);
    await a.getByText('Prompt 1 of 6').waitFor();
    assert.equal(await a.locator('main progress').getAttribute('value'), '1');
    await axeClean(a, 'a prompt');
    await a.getByLabel('Think of a moment when you felt truly loved', { exact: false }).fill(ADA_FIRST);
    await clickAndWait(a, 'button:has-text("Save and next")');
    assert.equal(where(a, base), `${DECK}/p/2`);
    await clickAndWait(a, 'button:has-text("Skip")');
    assert.equal(where(a, base), `${DECK}/p/3`);
    await a.fill('#text', ADA_THIRD);
    await clickAndWait(a, 'button:has-text("Save and next")');
    assert.equal(where(a, base), `${DECK}/p/4`);
    await clickAndWait(a, 'main a:has-text("Back")');
    assert.equal(where(a, base), `${DECK}/p/3`);
    assert.equal(await a.inputValue('#text'), ADA_THIRD, 'the draft is kept');

    await a.goto(DECK);
    await a.getByText("You've answered 2 of 6 prompts.").waitFor();
    await clickAndWait(a, 'button:has-text("Send my answers")');
    assert.equal(where(a, base), DECK);
    await a.getByText('Your answers are sealed; waiting for Bo.').waitFor();
    await axeClean(a, 'a deck, waiting');

    // Bo: only the one fact that Ada has sent hers.
    await b.goto('/conversations');
    const card = b.locator('main ul.decks > li').filter({ hasText: 'Defining love' });
    assert.match(await card.innerText(), /Not started; Ada has sent theirs/);
    await clickAndWait(b, 'main a:has-text("Defining love")');
    await b.getByText('Ada has sent their answers.').waitFor();
    await b.getByText("You've answered 0 of 6 prompts.").waitFor();
    const sealed = await b.goto(`${DECK}/talk`);
    assert.equal(sealed.status(), 409, 'the talk page is sealed for Bo');
    assert.match(await b.locator('main').innerText(), /sealed until you and Ada have both sent yours/);
    await axeClean(b, 'the sealed page');
    await b.goto(`${DECK}/p/1`);
    assert.equal(await b.inputValue('#text'), '', "Bo's own empty draft");
    await b.fill('#text', BO_FIRST);
    await clickAndWait(b, 'button:has-text("Save and next")');
    await b.goto(DECK);
    await b.getByText("You've answered 1 of 6 prompts.").waitFor();
    const seen = await Promise.all(bodies);
    assert.ok(
      seen.some((text) => text.includes('Ada has sent their answers.')),
      "the listener saw Bo's pages",
    );
    for (const text of seen) {
      assert.ok(!text.includes(SECRET), `a response to Bo carried Ada's words:\n${text.slice(0, 500)}`);
    }
    bodies = [];

    await clickAndWait(b, 'button:has-text("Send my answers")');
    await b.getByRole('link', { name: 'See both answers and talk' }).waitFor();
    await axeClean(b, 'a deck, revealed');

    // Both see both, each with their own answer under "You".
    await clickAndWait(b, 'main a:has-text("See both answers and talk")');
    assert.equal(where(b, base), `${DECK}/talk`);
    assert.equal(await firstAnswer(b, 'You'), BO_FIRST);
    assert.equal(await firstAnswer(b, 'Ada'), ADA_FIRST);
    assert.match(await b.locator('main').innerText(), new RegExp(ADA_THIRD));
    assert.match(await b.locator('main').innerText(), /You both skipped this one/);
    await axeClean(b, 'the talk page');

    await a.goto(DECK);
    await clickAndWait(a, 'main a:has-text("See both answers and talk")');
    assert.equal(await firstAnswer(a, 'You'), ADA_FIRST);
    assert.equal(await firstAnswer(a, 'Bo'), BO_FIRST);

    // Ada keeps a note, as an idea for an agreement; Bo sees it.
    await a.getByLabel('Add a note').fill(NOTE);
    await a.getByLabel('Idea for an agreement').check();
    await clickAndWait(a, 'button:has-text("Save note")');
    assert.equal(where(a, base), `${DECK}/talk`);
    const mine = a.locator('ul.notes > li').filter({ hasText: NOTE });
    assert.match(await mine.innerText(), /^You · .* · Idea for an agreement/);
    await b.reload();
    const theirs = b.locator('ul.notes > li').filter({ hasText: NOTE });
    assert.match(await theirs.innerText(), /^Ada · .* · Idea for an agreement/);
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
