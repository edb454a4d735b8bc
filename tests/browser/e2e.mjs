// End-to-end flows of a person using Carteiro in headless Chromium: sign in, read, reply (and
// the recipient gets it), move, delete, search, switch language, the same at phone width,
// with JavaScript on or off. Screenshots of the main pages are saved as test artifacts.
//
// Usage: node e2e.mjs plan.json > result.json
//   plan: { base, password, alice, bob, javascript, screenshots (a folder), folder (a custom
//           folder of alice's), subjects: { read, move, del, search }, searchTerm }
// Result: { failures: [text], steps: [name], screenshots: [path], observed: {...} }
//
// Every step waits for what a person would wait for (an element, a text), never for a fixed
// time, so the same script drives the plain pages and the script-enhanced ones: with
// JavaScript the pages change in place, without it they reload, and the waits hold for both.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const result = { failures: [], steps: [], screenshots: [], observed: {} };
const WAIT = { timeout: 20000 };
mkdirSync(plan.screenshots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CARTEIRO_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

function check(condition, what) {
  if (!condition) result.failures.push(what);
}

async function context(width, locale = 'en-US') {
  const ctx = await browser.newContext({
    viewport: { width, height: width < 600 ? 800 : 900 },
    locale,
    javaScriptEnabled: plan.javascript,
  });
  const page = await ctx.newPage();
  // Only Carteiro itself is ever asked for anything.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === new URL(plan.base).origin) return route.continue();
    result.failures.push(`off-origin request: ${url}`);
    return route.abort();
  });
  page.on('pageerror', (e) => result.failures.push(`page error: ${e.message}`));
  return { ctx, page };
}

async function shot(page, name) {
  const path = join(plan.screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  result.screenshots.push(path);
}

async function signIn(page, user) {
  await page.goto(plan.base + '/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', plan.password);
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('.list-title', WAIT);
}

/** The list row whose subject is `subject`. */
function row(page, subject) {
  return page.locator('table.messages tr', {
    has: page.locator('td.subject a', { hasText: subject }),
  });
}

async function visibleText(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function step(name, body) {
  try {
    await body();
    result.steps.push(name);
  } catch (e) {
    result.failures.push(`${name}: ${e.message.split('\n')[0]}`);
  }
}

const mode = plan.javascript ? 'js' : 'nojs';
const { page } = await context(1440);

await step('sign in', async () => {
  await page.goto(plan.base + '/login');
  await shot(page, `${mode}-login-1440`);
  await signIn(page, plan.alice);
  check((await visibleText(page, '.list-title')) === 'Inbox', 'the inbox is shown after sign-in');
  await shot(page, `${mode}-inbox-1440`);
});

await step('read', async () => {
  await row(page, plan.subjects.read).locator('td.subject a').click();
  await page.waitForSelector(`#message-subject:has-text("${plan.subjects.read}")`, WAIT);
  const body = await visibleText(page, '.text-body');
  check(body.includes('Shall we have lunch on Friday?'), `the body is shown: ${body}`);
  // Wide screen: the list stays beside the message, the open one marked.
  check(await page.locator('.list-pane').isVisible(), 'the list is beside the message at 1440 px');
  check(
    (await page.locator('.list-pane tr.current td.subject').innerText()).includes(plan.subjects.read),
    'the open message is marked in the list',
  );
  await shot(page, `${mode}-message-1440`);
});

await step('reply', async () => {
  await page.click('.message-actions a.reply');
  await page.waitForSelector('textarea#body', WAIT);
  const subject = await page.inputValue('input[name=subject]');
  check(subject === `Re: ${plan.subjects.read}`, `the reply's subject: ${subject}`);
  const to = await page.inputValue('input[name=to]');
  check(to.includes(plan.bob), `the reply goes to the sender: ${to}`);
  const body = await page.inputValue('textarea#body');
  await page.fill('textarea#body', `Sim, vamos! ${plan.replyMark}\n\n${body}`);
  await shot(page, `${mode}-reply-1440`);
  await page.click('button[name=action][value=send]');
  await page.waitForSelector('[role=status]', WAIT);
  result.observed.afterSend = await visibleText(page, '[role=status]');
});

await step('the recipient sees the reply', async () => {
  const { ctx, page: bob } = await context(1440);
  await signIn(bob, plan.bob);
  const wanted = `Re: ${plan.subjects.read}`;
  // Delivery goes through Postfix and LMTP: look again until it is there.
  for (let i = 0; i < 40 && (await row(bob, wanted).count()) === 0; i++) {
    await bob.waitForTimeout(500);
    await bob.goto(plan.base + '/mail/INBOX');
  }
  await row(bob, wanted).locator('td.subject a').click();
  await bob.waitForSelector(`#message-subject:has-text("${wanted}")`, WAIT);
  const text = await visibleText(bob, '.text-body');
  check(text.includes(plan.replyMark), `the recipient reads the reply: ${text}`);
  await ctx.close();
});

await step('move', async () => {
  await page.goto(plan.base + '/mail/INBOX');
  await page.waitForSelector('.list-title', WAIT);
  await row(page, plan.subjects.move).locator('input[name=uid]').check();
  await page.selectOption('#list-target', plan.folder);
  await page.click('form.list-form button[name=action][value=move]');
  await page.waitForSelector('.notice[role=status]', WAIT);
  result.observed.afterMove = await visibleText(page, '.notice[role=status]');
  check((await row(page, plan.subjects.move).count()) === 0, 'the moved message left the inbox');
  await page.click(`nav.folders a[data-folder="${plan.folder}"]`);
  await page.waitForSelector(`.list-title:has-text("${plan.folder}")`, WAIT);
  check((await row(page, plan.subjects.move).count()) === 1, 'the moved message is in its folder');
});

await step('delete', async () => {
  await page.goto(plan.base + '/mail/INBOX');
  await page.waitForSelector('.list-title', WAIT);
  await row(page, plan.subjects.del).locator('input[name=uid]').check();
  await page.click('form.list-form button[name=action][value=delete]');
  await page.waitForSelector('.notice[role=status]', WAIT);
  result.observed.afterDelete = await visibleText(page, '.notice[role=status]');
  check((await row(page, plan.subjects.del).count()) === 0, 'the deleted message left the inbox');
  await page.click('nav.folders a.role-trash');
  await page.waitForSelector('.list-title:has-text("Trash")', WAIT);
  check((await row(page, plan.subjects.del).count()) === 1, 'the deleted message is in Trash');
});

await step('search', async () => {
  await page.goto(plan.base + '/mail/INBOX');
  await page.waitForSelector('.list-title', WAIT);
  await page.fill('#q', plan.searchTerm);
  await page.press('#q', 'Enter');
  await page.waitForSelector('.list-title .meta', WAIT);
  const found = await page.locator('td.subject a').allInnerTexts();
  result.observed.searchResults = found;
  await shot(page, `${mode}-search-1440`);
});

await step('switch language', async () => {
  await page.goto(plan.base + '/settings');
  await page.waitForSelector('#language', WAIT);
  await page.selectOption('#language', 'pt-BR');
  await page.click('form.settings button[type=submit]');
  await page.waitForSelector('html[lang="pt-BR"]', WAIT);
  await shot(page, `${mode}-settings-pt-1440`);
  await page.goto(plan.base + '/mail/INBOX');
  result.observed.inboxInPortuguese = await visibleText(page, '.list-title');
  await page.goto(plan.base + '/settings');
  await page.selectOption('#language', '');
  await page.click('form.settings button[type=submit]');
  await page.waitForSelector('html[lang="en"]', WAIT);
});

await step('phone', async () => {
  const { ctx, page: phone } = await context(375, 'pt-BR');
  await signIn(phone, plan.alice);
  await shot(phone, `${mode}-inbox-375`);
  check(!(await phone.locator('.reader-pane').isVisible()), 'no empty reading pane on a phone');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `nothing wider than the phone: ${width}px`);
  await phone.locator('td.subject a').first().click();
  await phone.waitForSelector('#message-subject', WAIT);
  check(!(await phone.locator('.list-pane').isVisible()), 'one pane at a time on a phone');
  check(await phone.locator('a.back-link').isVisible(), 'a way back to the list on a phone');
  const messageWidth = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(messageWidth <= 375, `the message fits the phone: ${messageWidth}px`);
  await shot(phone, `${mode}-message-375`);
  await phone.click('a.back-link');
  await phone.waitForSelector('.list-title', WAIT);
  await phone.goto(plan.base + '/compose');
  await phone.waitForSelector('textarea#body', WAIT);
  await shot(phone, `${mode}-compose-375`);
  await ctx.close();
});

await browser.close();
process.stdout.write(JSON.stringify(result));
