// The leave story, end to end in a real browser with two people on two
// phones: Alex and Bea form a couple and each write things carrying their own
// marker (a contribution, a thank-you note, the values questionnaire, a
// conversation answer and a note on it). Bea reads what leaving means and
// leaves. Afterwards both homes say the space has ended and lead to "What
// you wrote": each finds every word they wrote there and none of the other's;
// every page of the old space leads there instead, nothing that reaches
// either browser carries the other's words, and nothing can be written any
// more, not even from a form that was still open in another tab.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where,
} from './helpers.mjs';

const app = useServerAndBrowser();

const ITEMS = 15;
const DECK = '/conversations/1';

/** Everything one person writes, each piece with their own marker. */
function wordsOf(tag) {
  const mark = `${tag}-MARK`;
  return {
    mark,
    log: `${mark}-LOG walked the dog at dawn`,
    thanks: `${mark}-THANKS you made my week`,
    value: (n) => `${mark}-VALUE-${n} what this means to me`,
    answer: `${mark}-TALK the evening by the river`,
    note: `${mark}-NOTE keep Sundays free`,
    late: `${mark}-LATE written after the end`,
  };
}
const ALEX = wordsOf('ALEX');
const BEA = wordsOf('BEA');

/** Every page of the old space, for a former partner: each should lead to /written. */
const SPACE_PAGES = [
  '/ledger',
  '/ledger/history',
  '/ledger/balance',
  '/values',
  '/values/q/1',
  '/values/compare',
  '/values/compare?round=1',
  '/respect',
  '/conversations',
  DECK,
  `${DECK}/talk`,
  `${DECK}/talk?round=1`,
];

/** The cards under "Noticed yet?" on /ledger. */
const toThank = (page) => page.locator('section[aria-labelledby="thank-heading"] li');

/** Logs something the person did themselves, from /ledger. */
async function logMine(page, base, description) {
  await page.goto('/ledger');
  const form = page.locator('form[action="/ledger/log"]');
  await form.locator('input[name=who][value=me]').check();
  await page.fill('#description', description);
  await form.locator('input[name=effort][value="3"]').check();
  await clickAndWait(page, 'form[action="/ledger/log"] button:has-text("Save")');
  assert.equal(where(page, base), '/ledger');
  assert.equal(await page.inputValue('#description'), '', `"${description}" was saved`);
}

/** Thanks the partner's entry `theirs` on /ledger with a note. */
async function thank(page, base, theirs, note, partner) {
  await page.goto('/ledger');
  const card = toThank(page).filter({ hasText: theirs });
  await card.waitFor();
  await card.locator('input[name=value][value="4"]').check();
  await card.locator('input[name=note]').fill(note);
  await Promise.all([page.waitForNavigation(), card.getByRole('button', { name: `Thank ${partner}` }).click()]);
  assert.equal(where(page, base), '/ledger');
  assert.equal(await toThank(page).filter({ hasText: theirs }).count(), 0, 'once thanked it no longer waits');
}

/** Answers all fifteen values questions, one per screen, and sends them. */
async function answerValues(page, base, words) {
  await page.goto('/values');
  await clickAndWait(page, 'main a:has-text("Start")');
  for (let step = 1; step <= ITEMS; step += 1) {
    const n = Number(/^\/values\/q\/(\d+)$/.exec(where(page, base))?.[1]);
    assert.ok(n >= 1 && n <= ITEMS, `on a question page, not ${page.url()}`);
    await page.check('input[name=importance][value="4"]');
    await page.fill('#definition', words.value(n));
    await clickAndWait(page, 'main button:has-text("Save and next")');
  }
  assert.equal(where(page, base), '/values');
  await page.getByText(`You've answered ${ITEMS} of ${ITEMS}.`).waitFor();
  await clickAndWait(page, 'main button:has-text("Send my answers")');
  assert.equal(where(page, base), '/values');
}

/** Answers the first prompt of "Defining love" and sends it. */
async function answerDeck(page, base, words) {
  await page.goto(`${DECK}/p/1`);
  await page.fill('#text', words.answer);
  await clickAndWait(page, 'button:has-text("Save and next")');
  await page.goto(DECK);
  await page.getByText("You've answered 1 of 6 prompts.").waitFor();
  await clickAndWait(page, 'main button:has-text("Send my answers")');
  assert.equal(where(page, base), DECK);
}

/** Keeps a note on the talk page of "Defining love". */
async function keepNote(page, base, words) {
  await page.goto(`${DECK}/talk`);
  await page.getByLabel('Add a note').fill(words.note);
  await clickAndWait(page, 'button:has-text("Save note")');
  assert.equal(where(page, base), `${DECK}/talk`);
  await page.locator('ul.notes > li').filter({ hasText: words.note }).waitFor();
}

/** Fails if the page's text or its HTML carries `mark`. */
async function assertNoMark(page, mark, what) {
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes(mark), `${what} (${page.url()}) shows ${mark}:\n${text}`);
  const html = await page.content();
  assert.ok(!html.includes(mark), `${what} (${page.url()}) carries ${mark} in its HTML`);
}

/** Checks a former partner's "What you wrote": all of `mine`, nothing of `theirs`. */
async function assertWritten(page, base, who, mine, theirs, partner) {
  assert.equal(where(page, base), '/written');
  assert.equal(await page.locator('main h1').innerText(), 'What you wrote');
  const main = await page.locator('main').innerText();
  assert.match(main, /This space has ended/, `${who}'s page says the space has ended:\n${main}`);
  assert.match(main, /neither of you can see what the other wrote/);
  for (const [label, words] of [
    ['contribution', mine.log],
    ['thank-you note', mine.thanks],
    ['conversation answer', mine.answer],
    ['conversation note', mine.note],
    ...Array.from({ length: ITEMS }, (_, i) => [`values definition ${i + 1}`, mine.value(i + 1)]),
  ]) {
    assert.ok(main.includes(words), `${who}'s "What you wrote" has their ${label} "${words}":\n${main}`);
  }
  // The thanks are theirs, on something the other did: only the thanks show.
  assert.match(main, new RegExp(`Your thanks \\(it meant 4 of 5 to you\\): “${mine.thanks}”`));
  assert.ok(!main.includes(partner), `${who}'s page does not name ${partner}:\n${main}`);
  await assertNoMark(page, theirs.mark, `${who}'s "What you wrote"`);
}

test('after one leaves, each keeps only their own words, read-only, and nothing else of the space', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base);
  const ctxB = await newContext(app.browser, base);
  // Every response body each browser receives once the space has ended.
  const listening = { on: false };
  const bodies = { a: [], b: [] };
  for (const [ctx, list] of [[ctxA, bodies.a], [ctxB, bodies.b]]) {
    ctx.on('response', (res) => {
      if (!listening.on) return;
      list.push(res.text().then((body) => ({ url: res.url(), status: res.status(), body })).catch(() => null));
    });
  }
  const carrying = async (list, mark) =>
    (await Promise.all(list)).filter((r) => r && r.body.includes(mark)).map((r) => `${r.status} ${r.url}`);

  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Alex', nameB: 'Bea' });

    // The ledger: each logs, each thanks the other with a note.
    await logMine(a, base, ALEX.log);
    await logMine(b, base, BEA.log);
    await thank(a, base, BEA.log, ALEX.thanks, 'Bea');
    await thank(b, base, ALEX.log, BEA.thanks, 'Alex');

    // The values questionnaire, sent by both: revealed.
    await answerValues(a, base, ALEX);
    await a.getByText('Your answers are sealed; waiting for Bea.').waitFor();
    await answerValues(b, base, BEA);
    await b.getByText("You've both sent your answers.").waitFor();
    await b.goto('/values/compare');
    assert.ok((await b.locator('main').innerText()).includes(ALEX.value(1)), 'revealed: Bea reads Alex');

    // One conversation, answered and sent by both, and a note each.
    await answerDeck(a, base, ALEX);
    await answerDeck(b, base, BEA);
    await b.getByRole('link', { name: 'See both answers and talk' }).waitFor();
    await keepNote(a, base, ALEX);
    await keepNote(b, base, BEA);
    assert.ok((await b.locator('main').innerText()).includes(ALEX.note), 'Bea reads the note Alex kept');

    // While the space is open, Alex still has the ledger open in another tab.
    const staleTab = await ctxA.newPage();
    await staleTab.goto('/ledger');

    // Bea reads what leaving means, in one sentence, and leaves.
    await b.goto('/home');
    await clickAndWait(b, 'main a:has-text("Leave this space")');
    assert.equal(where(b, base), '/leave');
    await b.getByRole('heading', { name: 'Leave this space' }).waitFor();
    const leaving = await b.locator('main').innerText();
    assert.match(
      leaving,
      /Afterwards each of you keeps, read-only, what you wrote yourself, and neither of you can see anything the other wrote\./,
      `the leave page says what each keeps and loses:\n${leaving}`,
    );
    listening.on = true;
    await clickAndWait(b, 'button:has-text("Leave now")');
    assert.equal(where(b, base), '/home');

    // Both homes: the space has ended, and a way to what each wrote.
    await a.goto('/home');
    for (const [page, who, partner] of [[a, 'Alex', 'Bea'], [b, 'Bea', 'Alex']]) {
      await page.getByRole('heading', { name: 'This space has ended' }).waitFor();
      assert.equal(await page.getByRole('heading', { name: `You and ${partner}` }).count(), 0);
      assert.equal(await page.locator('main a:has-text("Leave this space")').count(), 0, `${who} has nothing to leave`);
      assert.equal(await page.getByRole('link', { name: 'What you wrote' }).count(), 1, `${who}'s home links to what they wrote`);
    }

    // Each follows "What you wrote": all their own words, none of the other's.
    for (const [page, who, mine, theirs, partner] of [[a, 'Alex', ALEX, BEA, 'Bea'], [b, 'Bea', BEA, ALEX, 'Alex']]) {
      await clickAndWait(page, 'main a:has-text("What you wrote")');
      await assertWritten(page, base, who, mine, theirs, partner);

      // Read-only: no form, no field; only the sign-out and exit controls may post.
      const actions = await page.locator('form').evaluateAll((forms) => forms.map((f) => f.getAttribute('action')));
      assert.deepEqual(actions.filter((act) => !['/signout', '/exit'].includes(act)), [],
        `${who}'s "What you wrote" has no forms that write (found: ${JSON.stringify(actions)})`);
      assert.equal(await page.locator('main textarea, main input, main select, main button').count(), 0,
        `${who}'s "What you wrote" has nothing to fill in or press`);
    }

    // Every page of the old space leads to "What you wrote", showing none of the other's words.
    for (const [page, who, theirs] of [[a, 'Alex', BEA], [b, 'Bea', ALEX]]) {
      for (const path of SPACE_PAGES) {
        const res = await page.goto(path);
        assert.equal(where(page, base), '/written', `${who}: ${path} leads to /written, not ${page.url()}`);
        assert.ok(res.request().redirectedFrom(), `${who}: ${path} is a redirect`);
        assert.equal(res.status(), 200, `${who}: /written (from ${path}) answers 200`);
        await assertNoMark(page, theirs.mark, `${who}'s ${path}`);
      }
    }

    // Alex's tab from before: the form is still on screen, but saving writes nothing.
    await staleTab.fill('#description', ALEX.late);
    await staleTab.locator('form[action="/ledger/log"] input[name=effort][value="2"]').check();
    await clickAndWait(staleTab, 'form[action="/ledger/log"] button:has-text("Save")');
    const afterLate = await staleTab.locator('main').innerText();
    assert.match(afterLate, /This space has ended/, `saving from the old tab says the space has ended:\n${afterLate}`);
    await a.goto('/written');
    assert.ok(!(await a.locator('main').innerText()).includes(ALEX.late), 'nothing was written after the end');
    await assertWritten(a, base, 'Alex', ALEX, BEA, 'Bea');

    // Nothing either browser received after the end carried the other's words.
    const seenByA = await Promise.all(bodies.a);
    assert.ok(seenByA.some((r) => r && r.url.endsWith('/written')), "the listener saw Alex's pages");
    assert.deepEqual(await carrying(bodies.a, BEA.mark), [], "no response to Alex carries Bea's words");
    assert.deepEqual(await carrying(bodies.b, ALEX.mark), [], "no response to Bea carries Alex's words");
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
