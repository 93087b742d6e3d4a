// Every page of the web UI, with data in every capability behind it.
//
// `makeWorld(baseURL)` sets up, through the real server's JSON API, a couple
// (Kim and Sam) with something in every part of the app, a counselor they
// both approved, and a stranger whose space still waits for a partner (for a
// live invitation link). Display names and many texts carry a 40-character
// unbroken word, so a page that cannot wrap one shows it.
//
// `everyPage(world)` lists every page (each GET route of the web UI with real
// ids substituted) once for each role that can see it: partner A, partner
// B, the counselor, and someone signed out. `uiGetRoutes()` reads the GET
// routes out of crates/web/src/ui, so a test can hold the list against them
// and a new route without a page here fails.
//
// Used by e2e/tests/every-page.test.mjs (checks) and e2e/screenshots.mjs.

import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PASSWORD, uniqueEmail, newContext } from './tests/helpers.mjs';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** A 40-character unbroken word starting with `letter` ("Wwww…w"). */
export function longWord(letter) {
  return letter.toUpperCase() + letter.toLowerCase().repeat(39);
}

/** The long words of this world; any run of 36 or more of one letter finds them. */
export const LONG = {
  a: longWord('w'),
  b: longWord('m'),
  counselor: longWord('o'),
  text: longWord('n'),
};
export const LONG_WORD_PATTERN = '([a-z])\\1{35,}';

export const NAMES = {
  a: `Kim ${LONG.a}`,
  b: `Sam ${LONG.b}`,
  counselor: `Dr ${LONG.counselor}`,
  stranger: 'Robin',
  c: `Jo ${longWord('h')}`,
  d: 'Lee',
};

/** "A sentence holding the long word" for free-text fields. */
const say = (text) => `${text} ${LONG.text} and then some more words.`;

// ---------------------------------------------------------------- the API

/** One person's JSON API client, holding their session cookie. */
class Person {
  constructor(baseURL, name) {
    this.baseURL = baseURL;
    this.name = name;
    this.session = undefined;
  }

  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.session) headers.cookie = `session=${this.session}`;
    let payload;
    if (method !== 'GET') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body ?? {});
    }
    const res = await fetch(this.baseURL + path, { method, headers, body: payload, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const m = /^session=([^;]*)/.exec(cookie);
      if (m) this.session = m[1] || undefined;
    }
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`${this.name}: ${method} ${path} answered ${res.status}: ${text}`);
    }
    return text ? JSON.parse(text) : undefined;
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body); }
  put(path, body) { return this.call('PUT', path, body); }
}

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=-]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: the 6-digit code of `secret` for the current 30-second step. */
export function totp(secret, now = Date.now()) {
  const step = Math.floor(now / 1000 / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

async function signUp(baseURL, role, kind) {
  const person = new Person(baseURL, role);
  const email = uniqueEmail(role);
  const account = await person.post('/api/v1/accounts', {
    email, password: PASSWORD, display_name: NAMES[role], ...(kind ? { kind } : {}),
  });
  await person.post('/api/v1/session', { email, password: PASSWORD });
  person.id = account.id;
  person.email = email;
  return person;
}

/** An ISO date `days` before today. */
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Builds the world through the JSON API; returns the people (with their
 * session cookies) and the ids the page list needs.
 */
export async function makeWorld(baseURL) {
  const a = await signUp(baseURL, 'a');
  const b = await signUp(baseURL, 'b');
  const counselor = await signUp(baseURL, 'counselor', 'counselor');
  const stranger = await signUp(baseURL, 'stranger');
  const c = await signUp(baseURL, 'c');
  const d = await signUp(baseURL, 'd');

  // The couple's space, and a stranger's space still waiting for a partner.
  const space = await a.post('/api/v1/relationships', {});
  await b.post('/api/v1/relationships/join', { invite_code: space.invite_code });
  const pending = await stranger.post('/api/v1/relationships', {});
  const R = `/api/v1/relationships/${space.id}`;
  // A second couple, still answering values and respect: question pages
  // show only to someone with a draft (after both submit they lead back).
  const second = await c.post('/api/v1/relationships', {});
  await d.post('/api/v1/relationships/join', { invite_code: second.invite_code });
  const R2 = `/api/v1/relationships/${second.id}`;

  // The ledger: things done both ways, some thanked (with a note), one waiting for thanks.
  const dishes = await a.post(`${R}/contributions`, {
    domain: 'household_labor', description: say('Did the dishes after the'), effort: 3, minutes: 40,
  });
  const listened = await b.post(`${R}/contributions`, {
    domain: 'emotional_support', description: 'Listened after a long day', effort: 2,
  });
  const planned = await a.post(`${R}/contributions`, {
    domain: 'planning', description: say('Planned the weekend'), effort: 4,
  });
  await b.post(`${R}/contributions/${dishes.id}/acknowledgment`, { value: 4, note: say('Thank you, that was') });
  await a.post(`${R}/contributions/${listened.id}/acknowledgment`, { value: 5, note: 'It meant a lot.' });
  await b.post(`${R}/contributions`, {
    domain: 'money_and_goods', description: say('Sorted the bills'), effort: 3, occurred_on: daysAgo(8),
  });
  for (const p of [a, b]) await p.put(`${R}/preferences`, { show_numbers: true });

  // Values: both answer every item and submit, so the comparison is revealed.
  const { items } = await a.get(`${R}/values/items`);
  for (const [p, shift] of [[a, 0], [b, 2]]) {
    await p.put(`${R}/values/answers`, {
      answers: items.map((item, i) => ({
        key: item.key,
        importance: ((i + shift) % 5) + 1,
        ...(i === 0 ? { definition: say('To me it means') } : {}),
      })),
    });
    await p.post(`${R}/values/submit`);
  }

  await c.put(`${R2}/values/answers`, {
    answers: [{ key: items[0].key, importance: 4, definition: say('For us it is') }],
  });

  // Respect: an area of our own (with a long word), every area answered, both submitted.
  await a.post(`${R}/respect/areas`, { name: `Our ${LONG.text}` });
  const areas = await a.get(`${R}/respect/areas`);
  for (const [p, shift] of [[a, 1], [b, 3]]) {
    await p.put(`${R}/respect/answers`, {
      answers: areas.map((area, i) => ({
        key: area.key, i_respect: ((i + shift) % 5) + 1, i_feel_respected: ((i + shift + 2) % 5) + 1,
      })),
    });
    await p.post(`${R}/respect/submit`);
  }

  const areas2 = await c.get(`${R2}/respect/areas`);
  await c.put(`${R2}/respect/answers`, {
    answers: [{ key: areas2[0].key, i_respect: 4, i_feel_respected: 3 }],
  });

  // Conversations: one deck answered by both and revealed, with a note;
  // another begun by A only (so its prompt pages are still open).
  const decks = await a.get(`${R}/conversations`);
  const deckKey = (d) => d.key ?? d.deck ?? d.id;
  const revealedDeck = deckKey(decks[0]);
  const openDeck = deckKey(decks[1]);
  const deck = await a.get(`${R}/conversations/${revealedDeck}`);
  const prompts = (deck.prompts ?? deck.items ?? []).map((p) => p.key);
  for (const p of [a, b]) {
    await p.put(`${R}/conversations/${revealedDeck}/answers`, {
      answers: prompts.map((key, i) => ({ key, text: i === 0 ? say('What I would say:') : 'A short answer.' })),
    });
    await p.post(`${R}/conversations/${revealedDeck}/submit`);
  }
  await a.post(`${R}/conversations/${revealedDeck}/notes`, { text: say('Let us try'), agreement_idea: true });
  const open = await a.get(`${R}/conversations/${openDeck}`);
  const openPrompts = (open.prompts ?? open.items ?? []).map((p) => p.key);
  await a.put(`${R}/conversations/${openDeck}/answers`, {
    answers: [{ key: openPrompts[0], text: say('A first thought:') }],
  });

  // Agreements: one with two versions (B's counter waiting for A), one accepted.
  const proposed = await a.post(`${R}/agreements`, {
    domain: 'household_labor',
    title: `Sunday dinners ${LONG.text}`,
    terms: say('Kim cooks on Sundays, Sam washes up'),
    my_part: 'I cook.',
    partner_part: 'You wash up.',
    review_on: daysAgo(-30),
  });
  await b.post(`${R}/agreements/${proposed.id}/counter`, {
    terms: say('Kim cooks on Sundays, Sam washes up and dries'),
  });
  const kept = await a.post(`${R}/agreements`, {
    domain: 'planning', title: 'A walk on Saturdays', terms: 'We walk together on Saturday mornings.',
  });
  await b.post(`${R}/agreements/${kept.id}/accept`, { version: 1 });

  // Check-ins: two each over a fortnight, shared.
  const answers = (base) => ({
    satisfaction: base, rewards: base + 1, costs: 2, investment: 5, alternatives: 3,
    commitment: 7, passion: base, love_given: 6, love_received: base, respected: base + 1,
  });
  for (const [p, base] of [[a, 5], [b, 4]]) {
    await p.post(`${R}/checkins`, { ...answers(base - 1), on: daysAgo(14), share: true });
    await p.post(`${R}/checkins`, { ...answers(base), share: true });
  }

  // An episode, shared, turn by turn both ways, with a repair both sent.
  const episode = await a.post(`${R}/episodes`, {
    title: `The forgotten phone call ${LONG.text}`, kind: 'conflict', share: true,
  });
  const E = `${R}/episodes/${episode.id}`;
  for (const [actor, code, intensity] of [
    [a, 'gentle_start_up', 2], [b, 'turning_away', 2], [a, 'criticism', 3], [b, 'defensiveness', 3],
    [a, 'repair_attempt', 2], [b, 'taking_responsibility', 3],
  ]) {
    await a.post(`${E}/turns`, { actor_id: actor.id, code, intensity });
  }
  await b.post(`${E}/turns`, { actor_id: a.id, code: 'bid', intensity: 1 });
  await b.put(`${E}/share`, { share: true });
  await a.put(`${E}/repair`, { my_part: say('I brought it up while we were'), felt: 'Hurt, then embarrassed.' });
  await b.put(`${E}/repair`, { needed: say('A minute to finish'), next_time: 'Ask if now is a good time.' });
  const privateEpisode = await b.post(`${R}/episodes`, { title: 'Just for me for now', kind: 'everyday' });

  // Private reflections.
  await a.post(`${R}/reflections`, { text: say('A quiet evening helped.') });
  await a.post(`${R}/reflections`, { text: 'Tomorrow I will ask how the day went.' });
  await b.post(`${R}/reflections`, { text: say('I noticed') });

  // The counselor: two-step sign-in on, invited by A, joined, approved by B; notes from A.
  const enrolment = await counselor.post('/api/v1/me/two-factor', { password: PASSWORD });
  await counselor.post('/api/v1/me/two-factor/confirm', { code: totp(enrolment.secret) });
  const invitation = await a.post(`${R}/counselor`, { email: counselor.email });
  await counselor.post('/api/v1/counselor/join', { code: invitation.code });
  await b.post(`${R}/counselor/${invitation.id}/approve`, {});
  await a.post(`${R}/counselor/${invitation.id}/notes`, { text: say('Something I would rather say to you first:') });
  await b.post(`${R}/counselor/${invitation.id}/notes`, { text: 'I would like to talk about Sundays.' });

  // Conversation decks are numbered in page addresses (R23): their place in the catalog, from 1.
  const deckNumber = (key) => decks.findIndex((d) => deckKey(d) === key) + 1;

  return {
    baseURL,
    people: { a, b, counselor, stranger, c, d },
    ids: {
      space: space.id,
      inviteCode: pending.invite_code,
      spentInviteCode: space.invite_code,
      dishes: dishes.id,
      planned: planned.id,
      listened: listened.id,
      valuesItems: items.length,
      respectAreas: areas.length,
      respectAreas2: areas2.length,
      revealedDeck: deckNumber(revealedDeck),
      openDeck: deckNumber(openDeck),
      openDeckPrompts: openPrompts.length,
      revealedDeckPrompts: prompts.length,
      proposed: proposed.id,
      kept: kept.id,
      episode: episode.id,
      privateEpisode: privateEpisode.id,
      counselorRelationship: space.id,
    },
  };
}

/** A browser context signed in as `role` ('a', 'b', 'counselor', 'stranger'), or signed out ('out'). */
export async function contextFor(browser, world, role, options = {}) {
  const context = await newContext(browser, world.baseURL, options);
  const person = world.people[role];
  if (person) {
    await context.addCookies([{ name: 'session', value: person.session, url: world.baseURL, httpOnly: true, sameSite: 'Lax' }]);
  }
  return context;
}

// ---------------------------------------------------------------- the pages

export const ROLES = ['a', 'b', 'c', 'counselor', 'out'];
export const ROLE_NAMES = {
  a: 'partner A', b: 'partner B', c: 'partner C (another couple, still answering)', counselor: 'counselor', out: 'signed out',
};

/**
 * Every page, once for each role that can see it: `{ role, path, route,
 * status }`, `route` the pattern it stands for, `status` the answer expected.
 */
export function everyPage(world) {
  const { ids } = world;
  const pages = [];
  const add = (roles, route, path = route, status = 200) => {
    for (const role of roles) pages.push({ role, route, path, status });
  };
  const partners = ['a', 'b'];
  const everyone = ['a', 'b', 'counselor'];

  // Signed out.
  add(['out'], '/');
  add(['out'], '/signup');
  add(['out'], '/signin');
  add(['out'], '/recover');
  add(['out'], '/reset/{token}', '/reset/not-a-real-token-0000');
  add(['out', 'b'], '/j/{code}', `/j/${ids.inviteCode}`);
  add(['out'], '/j/{code}', `/j/${ids.spentInviteCode}`);
  add(['out', 'a', 'counselor'], '/safety');
  add(['out', 'a'], '(not found)', '/no-such-page', 404);

  // Every signed-in person (a counselor's /home is a redirect to /clients).
  add([...partners, 'c'], '/home');
  add(everyone, '/account');
  add(everyone, '/account/two-factor');
  add(everyone, '/account/views');

  // The couple.
  add(partners, '/talk');
  add(partners, '/visibility');
  add(partners, '/written');
  add(partners, '/join');
  add(partners, '/leave');
  add(partners, '/ledger');
  add(partners, '/ledger/history');
  add(['a'], '/ledger/history', '/ledger/history?person=partner');
  add(partners, '/ledger/balance');
  add(['a'], '/ledger/edit/{cid}', `/ledger/edit/${ids.planned}`);
  add(partners, '/values');
  add(['c'], '/values');
  add(['c'], '/values/q/{n}', '/values/q/1');
  add(['c'], '/values/q/{n}', `/values/q/${ids.valuesItems}`);
  add(partners, '/values/compare');
  add(partners, '/respect');
  add(['c'], '/respect');
  add(['c'], '/respect/q/{n}', '/respect/q/1');
  add(['c'], '/respect/q/{n}', `/respect/q/${ids.respectAreas2}`);
  add(partners, '/respect/compare');
  add(partners, '/conversations');
  add(partners, '/conversations/{deck}', `/conversations/${ids.revealedDeck}`);
  add(partners, '/conversations/{deck}', `/conversations/${ids.openDeck}`);
  add(['a'], '/conversations/{deck}/p/{n}', `/conversations/${ids.openDeck}/p/1`);
  add(['b'], '/conversations/{deck}/p/{n}', `/conversations/${ids.openDeck}/p/${ids.openDeckPrompts}`);
  add(partners, '/conversations/{deck}/talk', `/conversations/${ids.revealedDeck}/talk`);
  add(partners, '/reflections');
  add(partners, '/agreements');
  add(partners, '/agreements/new');
  add(partners, '/agreements/{aid}', `/agreements/${ids.proposed}`);
  add(['a'], '/agreements/{aid}', `/agreements/${ids.kept}`);
  add(partners, '/checkins');
  add(partners, '/checkins/trends');
  add(partners, '/episodes');
  add(partners, '/episodes/patterns');
  add(partners, '/episodes/{eid}', `/episodes/${ids.episode}`);
  add(['b'], '/episodes/{eid}', `/episodes/${ids.privateEpisode}`);
  add(partners, '/before-you-answer');
  add(partners, '/counselor');

  // The counselor.
  add(['counselor'], '/clients');
  add(['counselor'], '/clients/{rid}', `/clients/${ids.counselorRelationship}`);

  return pages.map((p) => ({ ...p, label: `${ROLE_NAMES[p.role]} ${p.path}` }));
}

/**
 * GET routes of the web UI that are not pages (besides files: stylesheets,
 * scripts, icons), each with the reason; every
 * other GET route must have a page in `everyPage`.
 */
export const NOT_PAGES = {
  '/exit': 'the quick exit: a redirect to the neutral site (e2e/tests/quick-exit.test.mjs)',
  '/account/export': 'a JSON download (e2e/tests/export.test.mjs)',
  '/account/export.html': 'a web page to download and keep, not shown in the app (e2e/tests/export.test.mjs)',
  '/held': 'only after an idle sign-out with a form kept; otherwise a redirect home (e2e/tests/account.test.mjs)',
};

/** Every GET route of the web UI, read from crates/web/src/ui/*.rs (`.route("…", get(…)`). */
export function uiGetRoutes() {
  const dir = join(repoRoot, 'crates/web/src/ui');
  const routes = new Set();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    const rx = /\.route\(\s*("([^"]*)"|([A-Za-z_][A-Za-z0-9_:]*))\s*,\s*get\(/g;
    for (let m; (m = rx.exec(source));) {
      routes.add(m[2] ?? resolveConst(m[3]));
    }
  }
  return [...routes].sort();
}

/** The value of a `pub const NAME: &str = "…"` named by its Rust path (crate::a::b::NAME). */
function resolveConst(path) {
  const parts = path.split('::');
  const name = parts.pop();
  const module = parts.filter((p) => p !== 'crate' && p !== 'super');
  const file = join(repoRoot, 'crates/web/src', ...module) + '.rs';
  const m = new RegExp(`const ${name}: &str = "([^"]*)"`).exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`cannot resolve the route constant ${path}`);
  return m[1];
}

/** Does `path` (with a query, maybe) fill in the route pattern `route`? */
export function matchesRoute(route, path) {
  const pattern = route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(path.split('?')[0]);
}
