// Runs axe-core (the accessibility engine) on Carteiro pages in headless Chromium and reports
// every violation with its impact.
//
// Usage: node axe-pages.mjs plan.json > result.json
//   plan: { base, username, password, locale, pages: ["/mail/INBOX", ...],
//           submits: [{ path, form, fields: { name: value }, shows }] (optional) }
// Result: { signedIn, control, pages (the sign-in page first, then the pages, then each
//           submitted form as "<path> (submitted)"): [{ path, status, violations: [{ id, impact, help, targets }] }] }
// A submit fills the fields of the form selected by `form` on `path`, sends it, waits for the
// POST's answer and for `shows` (a selector of what the answer must show, e.g. its error),
// and audits the page then: a refused form has states (an alert, fields marked invalid)
// that no plain page load shows.
// (`control` is the audit of a deliberately inaccessible page: it must not come back clean.)
//
// axe is injected through the DevTools protocol (Playwright's evaluate), not through a page
// script: Carteiro's CSP forbids inline script, and the audit must see the page as served.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);

const browser = await chromium.launch({
  executablePath: process.env.CARTEIRO_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const context = await browser.newContext({
  locale: plan.locale || 'en',
  // Bypass CSP only for the injection of axe itself; pages are audited as they render.
  bypassCSP: true,
  viewport: { width: plan.width || 1280, height: 900 },
});
const page = await context.newPage();


async function audit() {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // WCAG 2.1 A and AA rules, the level the issue asks for, and axe's best practices.
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

// Positive control: a page with an unlabelled field and an image without text must fail.
await page.setContent('<html><body><img src="data:,"><input type="text"></body></html>');
const control = await audit();

// The sign-in page, audited as a visitor sees it, then signing in through it.
const results = [];
const login = await page.goto(new URL('/login', base).href);
results.push({ path: '/login', status: login ? login.status() : null, violations: await audit() });
await page.fill('input[name=username]', plan.username);
await page.fill('input[name=password]', plan.password);
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
const signedIn = !page.url().includes('/login');

for (const path of plan.pages) {
  const response = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
  const outcome = await audit();
  results.push({ path, status: response ? response.status() : null, violations: outcome });
}

for (const submit of plan.submits || []) {
  await page.goto(new URL(submit.path, base).href, { waitUntil: 'load' });
  for (const [name, value] of Object.entries(submit.fields)) {
    await page.fill(`${submit.form} [name="${name}"]`, value);
  }
  // With app.js the answer may replace the page in place rather than navigate: wait for the
  // POST's answer and for what it must show, not for a navigation.
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click(`${submit.form} button[type=submit]`),
  ]);
  await page.waitForSelector(submit.shows);
  results.push({ path: `${submit.path} (submitted)`, status: response.status(), violations: await audit() });
}

console.log(JSON.stringify({ signedIn, control, pages: results }));
await browser.close();
