// Drives static/app.js, Carteiro's progressive enhancement, in headless Chromium: loading
// pages in place, shift-click ranges, dragging messages onto a folder, keyboard shortcuts,
// live updates and upload progress. Each step reports what it saw; the Rust test
// (tests/api/enhance.rs) decides whether that is right.
//
// Usage: node enhance.mjs plan.json > result.json
//   plan: { base, username, password, imapPort, folder, liveSubject }
// Result: { signedIn, errors, steps: { name: { ok, error?, ...observations } } }
//
// "No reload" is checked with a marker set on `window`: a real navigation would lose it.
// Every wait is for a condition, with a generous timeout; none is a fixed sleep.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);
const WAIT = { timeout: 30000 };

const browser = await chromium.launch({
  executablePath: process.env.CARTEIRO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
/** Script errors and CSP refusals: there must be none. */
const errors = [];
page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
// Chromium's own favicon request 404s: failed loads are judged by their steps instead.
page.on('console', (m) => {
  if (m.type() === 'warning' && m.text().startsWith('carteiro:')) errors.push(`console: ${m.text()}`);
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
});

const url = (path) => new URL(path, base).href;
const setMarker = () => page.evaluate(() => { window.carteiroMarker = 'kept'; });
const markerKept = () => page.evaluate(() => window.carteiroMarker === 'kept');
const rowSubjects = () => page.$$eval('table.messages tbody td.subject a', (as) => as.map((a) => a.textContent.trim()));

/** APPENDs a message to INBOX over plain IMAP on loopback, as another mail client would. */
function imapAppend(subject) {
  const message = `From: Live Sender <live@example.test>\r\nTo: ${plan.username}\r\nSubject: ${subject}\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${Date.now()}@live.test>\r\n\r\nArrived while the page was open.\r\n`;
  const auth = Buffer.from(`\0${plan.username}\0${plan.password}`, 'utf8').toString('base64');
  return new Promise((resolve, reject) => {
    const socket = net.connect(plan.imapPort || 143, '127.0.0.1');
    let buffer = '';
    let stage = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk;
      if (stage === 0 && buffer.includes('* OK')) {
        stage = 1; buffer = '';
        socket.write(`a AUTHENTICATE PLAIN ${auth}\r\n`);
      } else if (stage === 1 && /^a (OK|NO|BAD)/m.test(buffer)) {
        if (!/^a OK/m.test(buffer)) { reject(new Error(buffer)); return; }
        stage = 2; buffer = '';
        socket.write(`b APPEND INBOX {${Buffer.byteLength(message)}}\r\n`);
      } else if (stage === 2 && buffer.includes('+')) {
        stage = 3; buffer = '';
        socket.write(`${message}\r\n`);
      } else if (stage === 3 && /^b (OK|NO|BAD)/m.test(buffer)) {
        const ok = /^b OK/m.test(buffer);
        stage = 4;
        socket.end('c LOGOUT\r\n');
        if (ok) resolve(); else reject(new Error(buffer));
      }
    });
  });
}

const steps = {};
async function step(name, body) {
  const seen = {};
  try {
    await body(seen);
    steps[name] = { ok: true, ...seen };
  } catch (e) {
    steps[name] = { ok: false, error: String(e.message || e).split('\n')[0], ...seen };
  }
}

// Sign in through the real form.
await page.goto(url('/login'));
await page.fill('input[name=username]', plan.username);
await page.fill('input[name=password]', plan.password);
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
const signedIn = !page.url().includes('/login');

await step('open', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await setMarker();
  const subject = (await rowSubjects())[0];
  await page.click('table.messages tbody tr:first-child td.subject a');
  await page.waitForSelector('article.message h1.subject', WAIT);
  seen.subject = subject;
  seen.shown = (await page.textContent('article.message h1.subject')).trim();
  seen.path = new URL(page.url()).pathname;
  seen.title = await page.title();
  seen.focused = await page.evaluate(() => document.activeElement && document.activeElement.tagName);
  seen.markerAfterOpen = await markerKept();
  await page.goBack();
  await page.waitForSelector('table.messages', WAIT);
  seen.backPath = new URL(page.url()).pathname;
  seen.markerAfterBack = await markerKept();
});

await step('range', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  const boxes = 'table.messages tbody input[name=uid]';
  await page.locator(boxes).nth(1).click();
  await page.locator(boxes).nth(4).click({ modifiers: ['Shift'] });
  seen.checked = await page.$$eval(boxes, (bs) => bs.map((b) => b.checked));
});

await step('drag', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await setMarker();
  const before = await rowSubjects();
  seen.dragged = before[2];
  page.on('request', (r) => { if (r.isNavigationRequest()) seen.navigations = (seen.navigations || []).concat(`${r.method()} ${r.url()}`); });
  await page.dragAndDrop('table.messages tbody tr:nth-child(3) td.who',
    `nav.folders a[data-folder="${plan.folder}"]`);
  await page.waitForFunction((n) => document.querySelectorAll('table.messages tbody tr').length === n,
    before.length - 1, WAIT);
  seen.after = await rowSubjects();
  seen.notice = (await page.textContent('.notice')).trim();
  seen.marker = await markerKept();
});

await step('keys', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await setMarker();
  const subjects = await rowSubjects();
  await page.locator('body').press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('o');
  await page.waitForSelector('article.message h1.subject', WAIT);
  seen.expected = subjects[1];
  seen.opened = (await page.textContent('article.message h1.subject')).trim();
  await page.keyboard.press('u');
  await page.waitForSelector('table.messages', WAIT);
  await page.keyboard.press('?');
  await page.waitForSelector('dialog#shortcuts[open]', WAIT);
  seen.helpShown = true;
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#shortcuts:not([open])', { ...WAIT, state: 'attached' });
  seen.helpClosed = true;
  await page.keyboard.press('j');
  seen.deleted = subjects[0];
  await page.keyboard.press('#');
  await page.waitForFunction((n) => document.querySelectorAll('table.messages tbody tr').length === n,
    subjects.length - 1, WAIT);
  seen.after = await rowSubjects();
  seen.marker = await markerKept();
});

await step('live', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await page.waitForSelector('html[data-live=on]', { ...WAIT, state: 'attached' });
  await setMarker();
  await imapAppend(plan.liveSubject);
  await page.waitForFunction((s) => [...document.querySelectorAll('table.messages td.subject a')]
    .some((a) => a.textContent.trim() === s), plan.liveSubject, { timeout: 60000 });
  seen.rows = await rowSubjects();
  seen.unread = await page.textContent('nav.folders a[data-folder="INBOX"]');
  seen.marker = await markerKept();
});

await step('upload', async (seen) => {
  await page.goto(url('/compose'));
  await setMarker();
  await page.fill('#to', 'bruno@example.test');
  await page.fill('#subject', 'With an attachment');
  await page.setInputFiles('#files', {
    name: 'report.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3 * 1024 * 1024, 7),
  });
  // The bar is replaced with the page when the upload ends: watch it while it lives.
  await page.evaluate(() => {
    const bar = document.querySelector('#upload-progress');
    window.carteiroProgress = { shown: false, value: 0, max: 0 };
    new MutationObserver(() => {
      window.carteiroProgress = {
        shown: window.carteiroProgress.shown || !bar.closest('[data-upload-progress]').hidden,
        value: bar.value, max: bar.max,
      };
    }).observe(bar.closest('[data-upload-progress]'), { attributes: true, subtree: true });
  });
  await page.click('button[name=action][value=save]');
  await page.waitForSelector('ul.kept', WAIT);
  seen.kept = await page.$$eval('ul.kept li', (lis) => lis.map((li) => li.textContent.trim()));
  seen.progress = await page.evaluate(() => window.carteiroProgress);
  seen.path = new URL(page.url()).pathname + new URL(page.url()).search;
  seen.marker = await markerKept();
});

await step('notify', async (seen) => {
  await context.grantPermissions(['notifications'], { origin: base.origin });
  await page.goto(url('/mail/INBOX'));
  await page.keyboard.press('?');
  await page.waitForSelector('dialog#shortcuts[open] #notify-button', WAIT);
  await page.click('#notify-button');
  await page.waitForSelector('#notify-button[aria-pressed=true]', WAIT);
  seen.state = (await page.textContent('#notify-state')).trim();
  seen.remembered = await page.evaluate(() => localStorage.getItem('carteiro.notify'));
  await page.keyboard.press('Escape');
});

// The open help overlay, audited by axe-core like every page (accessibility.rs): in a tab of
// its own whose CSP is bypassed for the injection of axe only, signed in with the same cookie.
await step('helpAxe', async (seen) => {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const audited = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
  const tab = await audited.newPage();
  await tab.goto(url('/mail/INBOX'));
  await tab.keyboard.press('?');
  await tab.waitForSelector('dialog#shortcuts[open]', WAIT);
  await tab.evaluate(axeSource);
  seen.violations = await tab.evaluate(async () => {
    const r = await window.axe.run({ include: [['dialog#shortcuts']] }, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}`);
  });
  seen.focusInside = await tab.evaluate(() => !!document.activeElement.closest('dialog#shortcuts'));
  await audited.close();
});

await step('tooLarge', async (seen) => {
  await page.goto(url('/compose'));
  await page.fill('#to', 'bruno@example.test');
  await page.setInputFiles('#files', {
    name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(plan.tooLargeBytes, 7),
  });
  let posted = false;
  const watch = (request) => { if (request.method() === 'POST') posted = true; };
  page.on('request', watch);
  await page.click('button[name=action][value=save]');
  await page.waitForSelector('[data-upload-too-large]:not([hidden])', WAIT);
  seen.message = (await page.textContent('[data-upload-too-large]')).trim();
  // The answer to a POST, had there been one, would have replaced the form by now.
  await page.waitForLoadState('networkidle');
  page.off('request', watch);
  seen.posted = posted;
  seen.stillComposing = new URL(page.url()).pathname === '/compose' && !!(await page.$('#files'));
});

await step('search', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await setMarker();
  await page.keyboard.press('/');
  seen.focused = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.type(plan.searchFor);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URL(location.href).searchParams.has('q'), null, WAIT);
  await page.waitForSelector('table.messages', WAIT);
  seen.rows = await rowSubjects();
  seen.marker = await markerKept();
});

await step('signOut', async (seen) => {
  await page.goto(url('/mail/INBOX'));
  await setMarker();
  await page.click('form[action$="/logout"] button');
  await page.waitForSelector('input[name=username]', WAIT);
  seen.path = new URL(page.url()).pathname;
  seen.marker = await markerKept();
  seen.live = await page.evaluate(() => document.documentElement.getAttribute('data-live'));
});

console.log(JSON.stringify({ signedIn, errors, steps }));
await browser.close();
