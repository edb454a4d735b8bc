// The out-of-office banner in headless Chromium: shown on a page while the reply is on, its
// "Turn off" button turns it off and comes back to the same page (loaded in place by app.js);
// the reply turned on again from its page brings the banner back; and the same button works
// with JavaScript off; and a reply written in the form from scratch, left on. Each step reports what it saw; the Rust test (tests/api/filters.rs)
// decides whether that is right.
//
// Usage: node vacation-banner.mjs plan.json > result.json
//   plan: { base, username, password, start, noJsStart, subject, body }
// Result: { signedIn, errors, steps: { name: { ok, error?, ...observations } } }
// Every wait is for a condition; none is a fixed sleep.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);
const url = (path) => new URL(path, base).href;
const path = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };
const WAIT = { timeout: 30000 };

const browser = await chromium.launch({
  executablePath: process.env.CARTEIRO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

const errors = [];
const steps = {};
async function step(name, run) {
  const seen = {};
  try {
    await run(seen);
    steps[name] = { ok: true, ...seen };
  } catch (e) {
    steps[name] = { ok: false, error: String(e && e.stack || e), ...seen };
  }
}

async function signIn(options) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  await page.goto(url('/login'));
  await page.fill('input[name=username]', plan.username);
  await page.fill('input[name=password]', plan.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { context, page, signedIn: !page.url().includes('/login') };
}

const { context, page, signedIn } = await signIn({});

await step('turnOff', async (seen) => {
  await page.goto(url(plan.start));
  seen.before = (await page.textContent('#vacation-banner')).trim();
  // app.js posts the form and shows the answer in place; the banner goes with the old page.
  await page.click('#vacation-banner button[type=submit]');
  await page.waitForSelector('#vacation-banner', { state: 'detached', ...WAIT });
  await page.waitForFunction((start) => location.pathname + location.search === start, plan.start, WAIT);
  seen.path = path(page);
  seen.after = await page.$$eval('#vacation-banner', (b) => b.length);
  seen.heading = (await page.textContent('main h1')).trim();
});

await step('turnOnAgain', async (seen) => {
  await page.goto(url('/settings/vacation'));
  await page.check('#vacation-enabled');
  await page.click('#vacation-form button.primary');
  await page.waitForSelector('#vacation-banner', WAIT);
  seen.path = path(page);
  seen.banner = (await page.textContent('#vacation-banner')).trim();
});
await context.close();

await step('noJavaScript', async (seen) => {
  const { context: plain, page: p } = await signIn({ javaScriptEnabled: false });
  await p.goto(url(plan.noJsStart));
  seen.before = await p.$$eval('#vacation-banner', (b) => b.length);
  await Promise.all([p.waitForNavigation(), p.click('#vacation-banner button[type=submit]')]);
  seen.path = path(p);
  seen.after = await p.$$eval('#vacation-banner', (b) => b.length);
  await plain.close();
});

// Last, the reply is written from scratch in the form, as a person would, and left on: the
// Rust test then delivers a message through Postfix and expects this reply to arrive.
await step('writeInForm', async (seen) => {
  const { context: again, page: p } = await signIn({});
  await p.goto(url('/settings/vacation'));
  await p.check('#vacation-enabled');
  await p.fill('#vacation-start', '');
  await p.fill('#vacation-end', '');
  await p.fill('#vacation-subject', plan.subject);
  await p.fill('#vacation-body', plan.body);
  await p.click('#vacation-form button.primary');
  await p.waitForSelector('#vacation-banner', WAIT);
  seen.path = path(p);
  await again.close();
});

console.log(JSON.stringify({ signedIn, errors, steps }));
await browser.close();
