// Errors are shown next to their field: the input is aria-invalid and is
// described by an alert that says what is wrong.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, where, uniqueEmail,
} from './helpers.mjs';

const app = useServerAndBrowser();

/**
 * The field is marked invalid and described by an element with role=alert
 * that has text and sits in the same field group; returns that text.
 */
async function fieldError(page, fieldId) {
  const input = page.locator(`#${fieldId}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `#${fieldId} has aria-invalid="true"`);
  const describedBy = ((await input.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
  assert.ok(describedBy.length > 0, `#${fieldId} has aria-describedby`);
  const alerts = [];
  for (const id of describedBy) {
    const el = page.locator(`[id="${id}"]`);
    assert.equal(await el.count(), 1, `aria-describedby of #${fieldId} names an existing element #${id}`);
    if ((await el.getAttribute('role')) === 'alert') alerts.push(el);
  }
  assert.equal(alerts.length, 1, `#${fieldId} is described by exactly one role=alert element`);
  const text = (await alerts[0].innerText()).trim();
  assert.ok(text.length > 0, `the alert for #${fieldId} has text`);
  assert.ok(await alerts[0].isVisible(), `the alert for #${fieldId} is visible`);
  // "Next to the field": the alert and the input share the same field group.
  const sameGroup = await alerts[0].evaluate((el, id) => {
    const group = el.closest('.field');
    return !!group && !!group.querySelector(`#${CSS.escape(id)}`);
  }, fieldId);
  assert.ok(sameGroup, `the alert for #${fieldId} sits beside it`);
  // Only this field is marked invalid.
  const invalid = await page.locator('[aria-invalid="true"]').evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(invalid, [fieldId]);
  return text;
}

test('a 5-character password is refused beside the password field', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await page.goto('/signup');
    const email = uniqueEmail('short');
    await page.fill('#display_name', 'Tam');
    await page.fill('#email', email);
    await page.fill('#password', 'abcde');
    await clickAndWait(page, 'button:has-text("Create account")');

    assert.equal(where(page, base), '/signup', 'stays on the sign-up form');
    const message = await fieldError(page, 'password');
    assert.match(message, /10/, `the message says how long a password must be: ${message}`);
    // What was typed is kept, except the password.
    assert.equal(await page.inputValue('#display_name'), 'Tam');
    assert.equal(await page.inputValue('#email'), email);
    assert.equal(await page.inputValue('#password'), '');
    // No account was made: /home still asks to sign in.
    await page.goto('/home');
    assert.equal(where(page, base), '/signin');
  } finally {
    await context.close();
  }
});

test('a wrong invitation code is refused beside the code field (home page form)', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'Uma' });
    await page.fill('#invite_code', 'wrong-code-1234');
    await clickAndWait(page, 'main form[action="/join"] button:has-text("Join")');
    assert.notEqual(where(page, base), '/home', 'a wrong code does not lead home');
    const message = await fieldError(page, 'invite_code');
    assert.ok(message.length > 0);
    assert.equal(await page.inputValue('#invite_code'), 'wrong-code-1234', 'the typed code is kept for correction');
  } finally {
    await context.close();
  }
});

test('a wrong code in an invitation link is refused beside the code field', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await signUp(page, { name: 'Vic' });
    await page.goto('/j/nope-nope-nope');
    assert.equal(await page.inputValue('#invite_code'), 'nope-nope-nope');
    await clickAndWait(page, 'main button:has-text("Join")');
    assert.notEqual(where(page, base), '/home');
    await fieldError(page, 'invite_code');
  } finally {
    await context.close();
  }
});
