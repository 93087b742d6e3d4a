// The checks every-page.test.mjs runs on one page (see that file for what
// each means and why 200% text is made the way it is). Kept apart from the
// test so they can be tried on a page made by hand.

import { axeViolations, describeViolations } from './tests/helpers.mjs';
import { LONG_WORD_PATTERN } from './pages.mjs';

export const PHONE_360 = { width: 360, height: 780 };

/** A short CSS-like name for an element: tag#id.class, with its parent chain. */
function describeElementSource() {
  return `
    window.__name = (el) => {
      const one = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        [...e.classList].slice(0, 2).map((c) => '.' + c).join('');
      const chain = [];
      for (let e = el; e && e !== document.body && chain.length < 4; e = e.parentElement) chain.unshift(one(e));
      const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
      return chain.join(' > ') + (text ? ' "' + text + '"' : '');
    };`;
}

/** Horizontal overflow: the document's width, and the deepest elements sticking out on the right. */
export async function sidewaysScroll(page, width) {
  return page.evaluate(({ width, helper }) => {
    // eslint-disable-next-line no-eval
    (0, eval)(helper);
    const doc = document.documentElement;
    const scrollWidth = doc.scrollWidth;
    const limit = Math.min(width, window.innerWidth, doc.clientWidth);
    if (scrollWidth <= limit) return null;
    const sticking = [...document.body.querySelectorAll('*')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > limit + 0.5;
    });
    // A fixed bar (the phone's navigation) stretches to whatever width the
    // page grew to, so it sticks out because something else does: name the
    // rest first.
    const inFixed = (el) => {
      for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).position === 'fixed') return true;
      return false;
    };
    const deepest = sticking
      .filter((el) => !sticking.some((other) => other !== el && el.contains(other)))
      .sort((x, y) => Number(inFixed(x)) - Number(inFixed(y)));
    // Text running out of its box (a word too long to break) sticks out though its element does not.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode() && deepest.length < 8) {
      const node = walker.currentNode;
      if (!node.data.trim() || !node.parentElement) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      if ([...range.getClientRects()].some((r) => r.right > limit + 0.5) && !deepest.includes(node.parentElement)) {
        deepest.push(node.parentElement);
      }
    }
    return {
      scrollWidth,
      limit,
      offenders: deepest.slice(0, 6).map((el) => `${window.__name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`),
    };
  }, { width, helper: describeElementSource() });
}

/**
 * Each long word shown on the page: where it is, and whether it stays inside
 * the screen and every box around it (wrapped rather than overflowing or cut).
 */
export async function longWords(page) {
  return page.evaluate(({ pattern, helper }) => {
    // eslint-disable-next-line no-eval
    (0, eval)(helper);
    const rx = new RegExp(pattern, 'ig');
    const vw = document.documentElement.clientWidth;
    const skip = new Set(['SCRIPT', 'STYLE', 'TEXTAREA', 'OPTION', 'SELECT', 'TITLE', 'NOSCRIPT']);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = [];
    const bad = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!el || skip.has(el.tagName)) continue;
      for (const m of node.data.matchAll(rx)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (rects.length === 0) continue; // not shown (a closed <details>, a hidden block)
        seen.push(window.__name(el));
        // A table of figures may scroll sideways inside its own region
        // (WCAG 1.4.10 exempts data tables from reflow): a word in it need
        // only stay inside the table's own boxes, up to that region.
        let region = null;
        for (let box = el.parentElement; box && !region; box = box.parentElement) {
          if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX) && box.querySelector('table')) region = box;
        }
        const outside = !region && rects.some((r) => r.right > vw + 0.5 || r.left < -0.5);
        let clippedBy = null;
        for (let box = el; box && box !== document.documentElement && box !== region; box = box.parentElement) {
          const r = box.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue; // display: contents
          if (rects.some((w) => w.right > r.right + 0.5 || w.left < r.left - 0.5)) {
            clippedBy = box;
            break;
          }
        }
        if (outside || clippedBy) {
          bad.push(`${window.__name(el)}${outside ? ' (past the screen edge)' : ''}${clippedBy ? ` (out of ${window.__name(clippedBy).split(' "')[0]})` : ''}`);
        }
      }
    }
    return { seen, bad };
  }, { pattern: LONG_WORD_PATTERN, helper: describeElementSource() });
}

/** Computed font sizes of every element holding text of its own, in document order. */
export async function textSizes(page) {
  return page.evaluate(() => [...document.body.querySelectorAll('*')]
    .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim()))
    .map((el) => parseFloat(getComputedStyle(el).fontSize)));
}

/** Sets the browser's default font sizes (px), as a reader's text-size setting does. */
async function setTextSize(cdp, standard, fixed) {
  await cdp.send('Page.setFontSizes', { fontSizes: { standard, fixed } });
}

const DEFAULT_TEXT = { standard: 16, fixed: 13 };

/** Runs every check on one page; returns `[{ check, detail }]`, empty when all pass. */
export async function checkPage(page, cdp, entry, baseURL) {
  const failures = [];
  const fail = (check, detail) => failures.push({ check, detail });
  const open = async () => {
    const res = await page.goto(entry.path);
    const status = res?.status();
    if (status !== entry.status) fail('status', `answered ${status}, expected ${entry.status}`);
    const landed = page.url().replace(baseURL, '');
    if (landed !== entry.path) fail('status', `redirected to ${landed}`);
  };

  for (const scheme of ['dark', 'light']) {
    await page.emulateMedia({ colorScheme: scheme });
    await open();
    if (failures.some((f) => f.check === 'status')) return failures;
    const violations = await axeViolations(page);
    if (violations.length) fail(`axe-${scheme}`, describeViolations(violations));
  }

  // Light, 360 px, normal text (the page is still open from the light scan).
  const overflow = await sidewaysScroll(page, PHONE_360.width);
  if (overflow) fail('360px', `scrollWidth ${overflow.scrollWidth} > ${overflow.limit}: ${overflow.offenders.join('; ')}`);
  const words = await longWords(page);
  if (words.bad.length) fail('wrap', `long word not wrapped: ${words.bad.join('; ')}`);

  // 200% text.
  const before = await textSizes(page);
  await setTextSize(cdp, DEFAULT_TEXT.standard * 2, DEFAULT_TEXT.fixed * 2);
  try {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await textSizes(page);
    const stuck = before.filter((size, i) => after[i] !== undefined && after[i] < size * 1.9).length;
    if (before.length !== after.length) {
      fail('text-scales', 'the page changed while the text size changed');
    } else if (stuck) {
      const names = await page.evaluate((sizes) => {
        const els = [...document.body.querySelectorAll('*')]
          .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim()));
        return els
          .map((el, i) => ({ el, was: sizes[i], now: parseFloat(getComputedStyle(el).fontSize) }))
          .filter(({ was, now }) => now < was * 1.9)
          .slice(0, 4)
          .map(({ el, was, now }) => `${el.tagName.toLowerCase()}${el.className ? '.' + [...el.classList].join('.') : ''} (${was}px -> ${now}px)`);
      }, before);
      fail('text-scales', `${stuck} element(s) kept their text size: ${names.join('; ')}`);
    }
    const overflow2 = await sidewaysScroll(page, PHONE_360.width);
    if (overflow2) fail('360px@200%', `scrollWidth ${overflow2.scrollWidth} > ${overflow2.limit}: ${overflow2.offenders.join('; ')}`);
    const words2 = await longWords(page);
    if (words2.bad.length) fail('wrap@200%', `long word not wrapped: ${words2.bad.join('; ')}`);
    entry.longWords = words.seen.length;
  } finally {
    await setTextSize(cdp, DEFAULT_TEXT.standard, DEFAULT_TEXT.fixed);
  }
  return failures;
}

