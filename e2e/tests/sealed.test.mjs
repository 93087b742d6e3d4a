// Sealed values, end to end with two people on two phones: Ada answers every
// question (one per screen) and sends; nothing of what she wrote reaches Bo's
// browser, neither on his pages nor in any response it receives, until Bo
// has sent his answers too; then both see both side by side. The question,
// waiting and reveal pages pass an axe scan.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, formCouple, clickAndWait, where, axeClean,
} from './helpers.mjs';

const ITEMS = 15;
const SECRET = 'ADA-SECRET';
const adaWords = (n) => `${SECRET}-${n} what this means to me`;
const boWords = (n) => `BO-WORDS-${n} how I see it`;

const app = useServerAndBrowser();

/** Answers the question on screen and goes on; returns the next path. */
async function answerHere(page, base, importance, words) {
  await page.check(`input[name=importance][value="${importance}"]`);
  await page.fill('#definition', words);
  await clickAndWait(page, 'main button:has-text("Save and next")');
  return where(page, base);
}

/** Answers every question from the overview's Start button; ends on /values. */
async function answerAll(page, base, importanceOf, wordsOf) {
  await page.goto('/values');
  await clickAndWait(page, 'main a:has-text("Start")');
  for (let step = 1; step <= ITEMS; step += 1) {
    const path = where(page, base);
    const n = Number(/^\/values\/q\/(\d+)$/.exec(path)?.[1]);
    assert.ok(n >= 1 && n <= ITEMS, `on a question page, not ${path}`);
    const progress = page.locator('main progress');
    assert.equal(await progress.getAttribute('value'), String(n));
    assert.equal(await progress.getAttribute('max'), String(ITEMS));
    await page.getByText(`Question ${n} of ${ITEMS}`).waitFor();
    const next = await answerHere(page, base, importanceOf(n), wordsOf(n));
    if (step === ITEMS) assert.equal(next, '/values', 'after the last question, back to the overview');
  }
}

test('values stay sealed in the other browser until both have sent, then both see both', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  // Every response body Bo's browser receives, to prove none carries Ada's words.
  const received = [];
  const reading = [];
  ctxB.on('response', (res) => {
    reading.push(
      res.body()
        .then((body) => received.push({ url: res.url(), status: res.status(), body: body.toString('utf8') }))
        .catch(() => { /* redirects have no body */ }),
    );
  });
  const bodiesWithSecret = async () => {
    await Promise.all(reading);
    return received.filter((r) => r.body.includes(SECRET)).map((r) => `${r.status} ${r.url}`);
  };

  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });

    // Ada starts from home; the overview shows her progress.
    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("What matters to us")');
    assert.equal(where(a, base), '/values');
    assert.equal(await a.title(), 'Notes');
    await a.getByText(`You've answered 0 of ${ITEMS}.`).waitFor();
    assert.ok(await a.locator('main button:has-text("Send my answers")').isDisabled(), 'nothing to send yet');
    await axeClean(a, 'values overview (drafting)');

    // A question page, and its error state: no importance chosen.
    await clickAndWait(a, 'main a:has-text("Start")');
    assert.equal(where(a, base), '/values/q/1');
    await a.getByRole('heading', { level: 1, name: 'Respect' }).waitFor();
    await axeClean(a, 'values question');
    await a.fill('#definition', adaWords(1));
    const [bad] = await Promise.all([
      a.waitForNavigation(),
      a.click('main button:has-text("Save and next")'),
    ]);
    assert.equal(bad.status(), 422);
    const error = a.locator('#importance-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await error.innerText(), /1 to 5/);
    assert.equal(await a.inputValue('#definition'), adaWords(1), 'what was typed is kept');
    await axeClean(a, 'values question (error)');

    // Ada answers everything, one per screen, and sends.
    await answerAll(a, base, () => '5', adaWords);
    await a.getByText(`You've answered ${ITEMS} of ${ITEMS}.`).waitFor();
    await clickAndWait(a, 'main button:has-text("Send my answers")');
    assert.equal(where(a, base), '/values');
    await a.getByText('Your answers are sealed; waiting for Bo.').waitFor();
    await axeClean(a, 'values overview (waiting)');

    // Bo's side: one fact about Ada, nothing of what she wrote.
    await b.goto('/values');
    let text = await b.locator('body').innerText();
    assert.match(text, /Ada has sent their answers\./);
    assert.match(text, new RegExp(`You've answered 0 of ${ITEMS}\\.`));
    assert.ok(!text.includes(SECRET), `Bo's overview shows nothing of Ada's:\n${text}`);
    await b.goto('/values/q/4');
    text = await b.locator('body').innerText();
    assert.ok(!text.includes(SECRET), "Bo's question page shows nothing of Ada's");
    assert.equal(await b.inputValue('#definition'), '', "Bo's own form is empty");
    assert.equal(await b.locator('input[name=importance]:checked').count(), 0);
    const sealed = await b.goto('/values/compare');
    assert.equal(sealed.status(), 409);
    text = await b.locator('body').innerText();
    assert.match(text, /sealed until both of you have sent yours/);
    assert.ok(!text.includes(SECRET));
    assert.ok(!(await b.content()).includes(SECRET));
    assert.deepEqual(await bodiesWithSecret(), [], 'no response to Bo carries Ada\'s words');

    // Bo answers (honesty and trust matter less to him) and sends: the reveal.
    const boImportance = (n) => ({ 4: '2', 5: '3' })[n] ?? '5';
    await answerAll(b, base, boImportance, boWords);
    assert.deepEqual(await bodiesWithSecret(), [], 'still nothing before Bo has sent');
    await clickAndWait(b, 'main button:has-text("Send my answers")');
    await b.getByText("You've both sent your answers.").waitFor();
    await clickAndWait(b, 'main a:has-text("See your answers side by side")');
    assert.equal(where(b, base), '/values/compare');
    assert.equal(new URL(b.url()).searchParams.get('round'), '1');

    for (const [page, who, partner] of [[b, 'Bo', 'Ada'], [a, 'Ada', 'Bo']]) {
      if (page === a) await a.goto('/values/compare');
      const main = await page.locator('main').innerText();
      for (let n = 1; n <= ITEMS; n += 1) {
        assert.ok(main.includes(adaWords(n)), `${who} sees Ada's words for item ${n}`);
        assert.ok(main.includes(boWords(n)), `${who} sees Bo's words for item ${n}`);
      }
      await page.getByRole('heading', { name: 'Worth talking about' }).waitFor();
      const topics = await page.locator('section.topics ol > li strong').allInnerTexts();
      assert.deepEqual(topics, ['Honesty', 'Trust'], `${who}'s topics, largest gap first`);
      const honesty = page.locator('ul.compare > li').filter({ has: page.getByRole('heading', { name: 'Honesty' }) });
      const scores = await honesty.locator('p.importance').innerText();
      const [mine, theirs] = who === 'Ada' ? ['5', '2'] : ['2', '5'];
      assert.match(scores, new RegExp(`You: ${mine}\\s+${partner}: ${theirs}`), `${who}'s honesty row: ${scores}`);
      await axeClean(page, `values reveal (${who})`);
    }
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});

test('the respect map: an area of our own, one area per screen, the gaps worth talking about', async () => {
  const base = app.server.baseURL;
  const ctxA = await newContext(app.browser, base, { bypassCSP: true });
  const ctxB = await newContext(app.browser, base, { bypassCSP: true });
  try {
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await formCouple(a, b, { nameA: 'Ada', nameB: 'Bo' });

    await a.goto('/home');
    await clickAndWait(a, 'main a:has-text("Respect map")');
    assert.equal(where(a, base), '/respect');
    // A blank name is refused beside the field; then Music joins the map.
    await a.fill('#name', '   ');
    await clickAndWait(a, 'main button:has-text("Add this area")');
    assert.equal(await a.getAttribute('#name', 'aria-invalid'), 'true');
    await a.locator('#name-error').waitFor();
    await axeClean(a, 'respect overview (name error)');
    await a.fill('#name', 'Music');
    await clickAndWait(a, 'main button:has-text("Add this area")');
    await a.getByText("You've answered 0 of 8.").waitFor();

    // Each partner answers every area; Bo feels little respect for his music.
    const answerMap = async (page, felt) => {
      await page.goto('/respect');
      await clickAndWait(page, 'main a:has-text("Start")');
      for (let n = 1; n <= 8; n += 1) {
        assert.equal(where(page, base), `/respect/q/${n}`);
        await page.getByText(`Question ${n} of 8`).waitFor();
        if (n === 1 && page === a) await axeClean(a, 'respect question');
        await page.check('input[name=i_respect][value="4"]');
        await page.check(`input[name=i_feel_respected][value="${felt(n)}"]`);
        await clickAndWait(page, 'main button:has-text("Save and next")');
      }
      assert.equal(where(page, base), '/respect');
      await clickAndWait(page, 'main button:has-text("Send my answers")');
    };
    await answerMap(a, () => '4');
    await a.getByText('Your answers are sealed; waiting for Bo.').waitFor();
    await b.goto('/respect');
    await b.getByText('Ada has sent their answers.').waitFor();
    assert.equal(await b.locator('form[action="/respect/areas"]').count(), 0, 'the areas are fixed now');
    await answerMap(b, (n) => (n === 8 ? '2' : '4'));

    await a.goto('/respect/compare');
    const music = a.locator('ul.compare > li').filter({ has: a.getByRole('heading', { name: 'Music' }) });
    const marked = music.locator('li.worth-talking');
    assert.equal(await marked.count(), 1);
    assert.match(await marked.innerText(), /Worth talking about[\s\S]*You respect Bo's music: 4 — Bo feels respected: 2/);
    assert.equal(await a.locator('li.worth-talking').count(), 1, 'only that line is marked');

    // Drawn as a map: one place per area, both ways of respect in each
    // place with meant and felt, and a table carrying the same numbers.
    const places = a.locator('ul.respect-map > li.place');
    assert.equal(await places.count(), 8, 'a place for each area');
    const map = await places.evaluateAll((ps) => ps.map((p) => ({
      area: p.querySelector('h2').textContent.trim(),
      ways: [...p.querySelectorAll('li.direction')].map((d) => ({
        from: d.querySelector('.from').textContent.trim(),
        to: d.querySelector('.to').textContent.trim(),
        nums: [...d.querySelectorAll('.meter-num')].map((n) => Number(n.textContent)),
      })),
    })));
    const rows = await a.locator('#map-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      area: tr.querySelector('th').textContent.trim(),
      nums: [...tr.querySelectorAll('td')].map((td) => Number(td.textContent)),
    })));
    assert.equal(rows.length, 8);
    for (const [i, place] of map.entries()) {
      assert.deepEqual(place.ways.map((w) => [w.from, w.to]), [['You', 'Bo'], ['Bo', 'You']], `both views in ${place.area}`);
      // Ada meant 4 and felt 4 everywhere; Bo meant 4 and felt 4, but 2 for music.
      const boFelt = place.area === 'Music' ? 2 : 4;
      assert.deepEqual(place.ways.map((w) => w.nums), [[4, boFelt], [4, 4]], place.area);
      assert.equal(rows[i].area, place.area);
      assert.deepEqual(rows[i].nums, [...place.ways[0].nums, ...place.ways[1].nums], `the table says the same for ${place.area}`);
    }
    assert.equal(await places.filter({ hasText: 'Music' }).getAttribute('class'), 'place has-worth-talking');
    await axeClean(a, 'respect reveal');
  } finally {
    await ctxA.close();
    await ctxB.close();
  }
});
