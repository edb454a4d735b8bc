// Drives the recipient suggestions of the compose page (static/autocomplete.js) in headless
// Chromium: the ARIA combobox on To/Cc/Bcc, keyboard and mouse choices, a page loaded in
// place by app.js, axe with the list open; and the same page with JavaScript off, sending to
// an address typed by hand. Each step reports what it saw; the Rust test
// (tests/api/suggest.rs) decides whether that is right.
//
// Usage: node autocomplete.mjs plan.json > result.json
//   plan: { base, username, password, typed, noJsTo }
// Result: { signedIn, errors, steps: { name: { ok, error?, ...observations } } }
// Every wait is for a condition; none is a fixed sleep.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);
const url = (path) => new URL(path, base).href;
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

const options = (page, field) => page.$$eval(`#${field}-suggestions [role=option]`, (os) => os.map((o) => o.textContent));
const openList = (page, field) => page.waitForSelector(`#${field}-suggestions:not([hidden]) [role=option]`, WAIT);

const { page, signedIn } = await signIn({});

await step('keyboard', async (seen) => {
  await page.goto(url('/compose'));
  const to = page.locator('#to');
  seen.role = await to.getAttribute('role');
  seen.controls = await to.getAttribute('aria-controls');
  seen.listbox = await page.getAttribute(`#${seen.controls}`, 'role');
  seen.datalistDropped = (await to.getAttribute('list')) === null;
  await to.click();
  await to.pressSequentially(plan.typed, { delay: 30 });
  await openList(page, 'to');
  seen.options = await options(page, 'to');
  seen.expanded = await to.getAttribute('aria-expanded');
  await page.waitForFunction(() => document.querySelector('#to-suggestions + [aria-live]').textContent !== '', null, WAIT);
  seen.announced = await page.textContent('#to-suggestions + [aria-live]');
  await to.press('ArrowDown');
  const active = await to.getAttribute('aria-activedescendant');
  seen.activeSelected = active ? await page.getAttribute(`#${active}`, 'aria-selected') : null;
  seen.activeRole = active ? await page.getAttribute(`#${active}`, 'role') : null;
  await to.press('Enter');
  seen.value = await to.inputValue();
  seen.expandedAfter = await to.getAttribute('aria-expanded');
  seen.stayed = page.url().endsWith('/compose');
});

await step('mouseKeepsWhatCameBefore', async (seen) => {
  const cc = page.locator('#cc');
  await cc.fill('ana@example.test, ');
  await cc.pressSequentially(plan.typed, { delay: 30 });
  await openList(page, 'cc');
  await page.click('#cc-suggestions [role=option] >> nth=0');
  seen.value = await cc.inputValue();
});

await step('escape', async (seen) => {
  const bcc = page.locator('#bcc');
  await bcc.click();
  await bcc.pressSequentially(plan.typed, { delay: 30 });
  await openList(page, 'bcc');
  await bcc.press('Escape');
  seen.hidden = await page.$eval('#bcc-suggestions', (l) => l.hidden);
  seen.expanded = await bcc.getAttribute('aria-expanded');
  seen.value = await bcc.inputValue();
});

await step('inPlace', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await page.evaluate(() => { window.carteiroMarker = 'kept'; });
  await page.click('a.compose-link');
  await page.waitForSelector('#to[role=combobox]', WAIT);
  seen.noReload = await page.evaluate(() => window.carteiroMarker === 'kept');
  await page.locator('#to').pressSequentially(plan.typed, { delay: 30 });
  await openList(page, 'to');
  seen.options = await options(page, 'to');
});

// axe with the list open, in a context allowed to inject it (the CSP forbids inline script).
await step('axe', async (seen) => {
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const { context, page: p } = await signIn({ bypassCSP: true });
  await p.goto(url('/compose'));
  await p.locator('#to').click();
  await p.locator('#to').pressSequentially(plan.typed, { delay: 30 });
  await openList(p, 'to');
  await p.locator('#to').press('ArrowDown');
  await p.evaluate(axeSource);
  seen.violations = await p.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  await context.close();
});

await step('noJavaScript', async (seen) => {
  const { context, page: p } = await signIn({ javaScriptEnabled: false });
  await p.goto(url('/compose'));
  seen.datalist = await p.$$eval('datalist#recipients option', (os) => os.map((o) => o.value));
  seen.role = await p.getAttribute('#to', 'role');
  await p.fill('#to', plan.noJsTo);
  await p.fill('#subject', 'Sem JavaScript');
  await p.fill('#body', 'Enviado sem script.');
  await Promise.all([p.waitForNavigation(), p.click('button[value=send]')]);
  seen.url = p.url();
  await context.close();
});

console.log(JSON.stringify({ signedIn, errors, steps }));
await browser.close();
