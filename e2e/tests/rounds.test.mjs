// "Not for us" and new rounds by agreement, with two people on two phones.
// Ada answers a question "Not for us" from its page; after the reveal both
// see it in words, never as a number. Then Ada asks for a new round, Bo
// sees the request and agrees, starting from his own answers; Ada starts
// from hers with one tap. Neither draft holds a word of the other's. On
// the respect map an area one of them skipped reads "Not for you two", with
// no meters and no marker. The pages pass an axe scan in each new state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const ITEMS = 15;
const app = useServerAndBrowser();

/** The caller's relationship id, read through the API with the page's session. */
async function relationshipOf(page) {
  const me = await (await page.request.get('/api/v1/me')).json();
  return me.relationships[0].id;
}

/** Answers every values item through the API (the pages are driven elsewhere),
 *  each with words that carry `tag`, all at importance 3 but `skip`ped ones. */
async function answerByApi(page, rel, tag, skip = []) {
  const items = (await (await page.request.get(`/api/v1/relationships/${rel}/values/items`)).json()).items;
  const answers = items
    .filter((i) => !skip.includes(i.key))
    .map((i) => ({ key: i.key, importance: 3, definition: `${tag}-${i.key}` }));
  const res = await page.request.put(`/api/v1/relationships/${rel}/values/answers`, {
    data: { answers },
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status(), 200, await res.text());
}

test('a question answered "Not for us", then a new round asked, agreed and prefilled', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });
    const rel = await relationshipOf(a);

    // Ada's first question, "Respect", answered "Not for us" beside the scale.
    await a.goto('/values/q/1');
    const skip = a.getByLabel('Not for us');
    assert.equal(await skip.isChecked(), false);
    await axeClean(a, 'values question with "Not for us"');
    await skip.check();
    await clickAndWait(a, 'main button:has-text("Save and next")');
    assert.equal(where(a, base), '/values/q/2');
    await a.goto('/values/q/1');
    assert.ok(await a.getByLabel('Not for us').isChecked(), 'the skip is kept as the answer');
    assert.equal(await a.locator('input[name=importance]:checked').count(), 0, 'and no number');

    await answerByApi(a, rel, 'ADA', ['respect']);
    await answerByApi(b, rel, 'BO');
    for (const page of [a, b]) {
      await page.goto('/values');
      await page.getByText(`You've answered ${ITEMS} of ${ITEMS}.`).waitFor();
      await clickAndWait(page, 'main button:has-text("Send my answers")');
    }

    // The reveal: Ada's skip is "Not for us", not compared, never a topic.
    await b.goto('/values/compare');
    const respect = b.locator('ul.compare > li').filter({ has: b.getByRole('heading', { name: 'Respect' }) });
    const scores = await respect.locator('p.importance').innerText();
    assert.match(scores, /You: 3\s+Ada: Not for us/, scores);
    assert.match(scores, /skipped, so not compared/);
    const topics = await b.locator('section.topics ol > li strong').allInnerTexts();
    assert.ok(!topics.includes('Respect'), `a skip is never a topic: ${topics}`);
    await axeClean(b, 'values reveal with a skip');

    // Ada asks for a new round; it waits for Bo.
    await a.goto('/values');
    await clickAndWait(a, 'main button:has-text("Ask for a new round")');
    await a.getByText("You've asked Bo for a new round.").waitFor();
    assert.match(await a.locator('#notice').innerText(), /starts as soon as your partner agrees/);
    await a.getByRole('button', { name: 'Take back my request' }).waitFor();
    await axeClean(a, 'values overview (asked)');

    // Bo sees the request on the values page and agrees, starting from his answers.
    await b.goto('/values');
    await b.getByText('Ada would like to answer again in a new round.').waitFor();
    await axeClean(b, 'values overview (asked by partner)');
    assert.ok(await b.getByLabel(/Start from my own answers/).isChecked(), 'prefill offered, ticked');
    await clickAndWait(b, 'main button:has-text("Yes, start a new round")');
    await b.getByRole('heading', { name: 'Round 2' }).waitFor();
    assert.match(await b.locator('#notice').innerText(), /A new round has started/);
    await b.getByText(`You've answered ${ITEMS} of ${ITEMS}.`).waitFor();
    await b.goto('/values/q/3');
    assert.equal(await b.inputValue('#definition'), 'BO-affection', "Bo's own words, to change if he likes");

    // Ada's draft starts empty; one tap fills it from her own answers.
    await a.goto('/values');
    await a.getByText(`You've answered 0 of ${ITEMS}.`).waitFor();
    await axeClean(a, 'values overview (prefill offered)');
    await clickAndWait(a, 'main button:has-text("Start from my last answers")');
    await a.getByText(`You've answered ${ITEMS} of ${ITEMS}.`).waitFor();
    assert.match(await a.locator('#notice').innerText(), /answers from last time are filled in/);
    await a.goto('/values/q/1');
    assert.ok(await a.getByLabel('Not for us').isChecked(), 'her skip came along as a skip');
    await a.goto('/values/q/3');
    const words = await a.inputValue('#definition');
    assert.equal(words, 'ADA-affection');
    assert.ok(!(await a.content()).includes('BO-'), "nothing of Bo's");
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

/** Answers every respect area through the API, 4 and 4, but `skip`ped ones. */
async function answerMapByApi(page, rel, skip = []) {
  const api = `/api/v1/relationships/${rel}/respect`;
  const areas = await (await page.request.get(`${api}/areas`)).json();
  const answers = areas.map((a) => (skip.includes(a.key)
    ? { key: a.key, not_for_us: true }
    : { key: a.key, i_respect: 4, i_feel_respected: 4 }));
  const saved = await page.request.put(`${api}/answers`, {
    data: { answers },
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(saved.status(), 200, await saved.text());
  const sent = await page.request.post(`${api}/submit`, {
    data: {},
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(sent.status(), 200, await sent.text());
}

test('the respect map shows an area skipped as "Not for you two", with no meters', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });
    const rel = await relationshipOf(a);
    await answerMapByApi(a, rel);
    await answerMapByApi(b, rel, ['parenting']);

    await a.goto('/respect/compare');
    const parenting = a.locator('li.place').filter({ has: a.getByRole('heading', { name: 'Parenting' }) });
    assert.equal(await parenting.getByText('Not for you two').count(), 2, 'both ways say so');
    assert.equal(await parenting.locator('.meters').count(), 0, 'a skip draws no meters');
    const creativity = a.locator('li.place').filter({ has: a.getByRole('heading', { name: 'Creativity' }) });
    assert.equal(await creativity.locator('.meters').count(), 2, 'a rated area keeps its meters');
    assert.equal(await a.locator('.marker').count(), 0, 'a skip is never worth talking about');
    await a.locator('#map-table summary').click();
    const row = a.locator('#map-table tr').filter({ has: a.getByRole('rowheader', { name: 'Parenting' }) });
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['Not for you two', 'Not for you two']);
    await axeClean(a, 'respect map with a skipped area');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
