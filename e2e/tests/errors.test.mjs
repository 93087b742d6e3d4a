// Errors are shown next to their field: the input is aria-invalid and is
// described by an alert that says what is wrong.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServerAndBrowser, newContext, signUp, clickAndWait, where, uniqueEmail, PASSWORD,
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

test('a password holding the display name is refused beside the password field', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    await page.goto('/signup');
    await page.fill('#display_name', 'Marigold');
    await page.fill('#email', uniqueEmail('mg'));
    await page.fill('#password', 'marigold in the garden');
    await clickAndWait(page, 'button:has-text("Create account")');
    assert.equal(where(page, base), '/signup', 'stays on the sign-up form');
    assert.equal(await page.locator('#recovery-code').count(), 0, 'no account, no recovery code');
    const message = await fieldError(page, 'password');
    assert.match(message, /name/, `the message says why: ${message}`);
  } finally {
    await context.close();
  }
});

// The sign-in page's own 401 (a wrong password) is a page with its message,
// not the "sign in first" redirect that `page_session` makes of other 401s.
test('a wrong password on the sign-in page is said above the form, and the e-mail is kept', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    const account = await signUp(page, { name: 'Wren' });
    await context.clearCookies();
    await page.goto('/signin');
    await page.fill('#email', account.email);
    await page.fill('#password', 'not the password at all');
    await clickAndWait(page, 'main button:has-text("Sign in")');
    assert.equal(where(page, base), '/signin');
    const alert = page.locator('main [role=alert]');
    assert.equal(await alert.count(), 1, 'one message says the e-mail or password is wrong');
    assert.ok((await alert.innerText()).trim().length > 0);
    assert.equal(await page.inputValue('#email'), account.email, 'the e-mail is kept');
  } finally {
    await context.close();
  }
});

// Likewise a wrong recovery code: the recovery page stays, with its message.
test('a wrong recovery code is refused on the recovery page, which stays open', async () => {
  const base = app.server.baseURL;
  const context = await newContext(app.browser, base);
  try {
    const page = await context.newPage();
    const account = await signUp(page, { name: 'Yara' });
    await context.clearCookies();
    await page.goto('/recover');
    await page.fill('#email', account.email);
    await page.fill('#recovery_code', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE');
    await page.fill('#new_password', `${PASSWORD} again`);
    await clickAndWait(page, 'main button:has-text("Set password")');
    assert.equal(where(page, base), '/recover', 'stays on the recovery page');
    assert.equal(await page.locator('main [role=alert]').count(), 1, 'a message says the code does not match');
    assert.equal(await page.inputValue('#email'), account.email, 'the e-mail is kept');
  } finally {
    await context.close();
  }
});
