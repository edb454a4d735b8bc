// Opens Carteiro pages in headless Chromium and records what a hostile message could make the
// browser do: scripts that run, requests to any host but Carteiro, dialogs, title changes.
//
// Usage: node audit-pages.mjs plan.json > result.json
//   plan: { base, username, password, pages: ["/mail/INBOX/1", ...], workers?, settleMs? }
// Result: { controls, signedIn, strays,
//           pages: [{ path, status, error, scripts, offOrigin, dialogs, titles }] }
//
// Detection does not rely on the payloads cooperating:
// - every request of every frame goes through a route handler; one to another origin is
//   recorded and aborted (nothing leaves the machine);
// - the DevTools protocol reports every script Chromium compiles in a page's main world
//   (Debugger.scriptParsed), in every frame of the page's process, and in every
//   out-of-process frame through auto-attached sessions;
// - alert/confirm/prompt and document titles are recorded too.
// Positive controls run first: a page that does run script and load a remote image must be
// caught, or the whole audit is void.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(plan.base);
const executablePath = process.env.CARTEIRO_CHROMIUM || '/usr/bin/chromium';

const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // DNS prefetch and preconnect would reach the network without a request event.
    '--dns-prefetch-disable',
  ],
});
const context = await browser.newContext();

/** What each page is doing now, reset before each visit; requests are attributed by page. */
const records = new Map();
function fresh() {
  return { scripts: [], offOrigin: [], dialogs: [] };
}
function recordOf(request) {
  try {
    return records.get(request.frame().page());
  } catch {
    return undefined; // a request with no frame (service worker): none are expected
  }
}

await context.route('**/*', (route) => {
  const request = route.request();
  const url = new URL(request.url());
  if (url.origin === base.origin || url.protocol === 'data:' || url.protocol === 'blob:') {
    // Inline data loads nothing from elsewhere; script from it still shows as a script.
    return route.continue();
  }
  const record = recordOf(request);
  if (record && !record.offOrigin.includes(request.url())) record.offOrigin.push(request.url());
  if (!record) strays.push(request.url());
  return route.abort('blockedbyclient');
});
/** Off-origin requests no page could be blamed for: reported, and they fail the audit. */
const strays = [];

/** Scripts of Carteiro's own (none yet; issue 6 adds a static script) are expected. */
function isOwnScript(url) {
  return url.startsWith(`${base.origin}${plan.basePath || ''}/static/`);
}

/** A tab with its detectors: the DevTools protocol reports every script Chromium compiles in
 * the pages' own worlds (Playwright's helpers live in isolated worlds and are not counted). */
async function openTab() {
  const page = await context.newPage();
  records.set(page, fresh());
  page.on('dialog', (dialog) => {
    records.get(page).dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  const session = await context.newCDPSession(page);
  session.on('Debugger.scriptParsed', (event) => {
    const aux = event.executionContextAuxData || {};
    if (aux.isDefault === false || isOwnScript(event.url)) return;
    records.get(page).scripts.push(event.url || `(inline script in frame ${aux.frameId || '?'})`);
  });
  session.on('Target.attachedToTarget', (event) => {
    // A frame Chromium moved to its own process is out of this session's sight: fail loudly.
    records.get(page).scripts.push(`(out-of-process frame ${event.targetInfo.url}: not audited)`);
  });
  await session.send('Debugger.enable');
  await session.send('Target.setAutoAttach', {
    autoAttach: true, waitForDebuggerOnStart: false, flatten: true,
  });
  return page;
}

async function settle(page) {
  // Load, then a moment for timers, animations and meta refreshes to fire.
  await page.waitForLoadState('load').catch(() => {});
  await page.waitForTimeout(plan.settleMs ?? 100);
}

async function titles(page) {
  const out = [];
  for (const frame of page.frames()) {
    const title = await frame.title().catch(() => '');
    if (title) out.push(title);
  }
  return out;
}

// Positive controls: the detectors must see a script and a remote load.
const control = await openTab();
await control.setContent(
  '<title>control</title><img src="http://evil.example/control.png">' +
  '<script>document.title = "pwned"; fetch("http://evil.example/control-fetch").catch(() => {});</script>' +
  // The same inside a frame, where message bodies are shown.
  '<iframe srcdoc="<script>fetch(&quot;http://evil.example/control-frame&quot;).catch(() => {})</script>"></iframe>',
);
await settle(control);
const controls = { ...records.get(control), titles: await titles(control) };
await control.close();

// Sign in through the real form (the session cookie is shared by every tab of the context).
const tabs = [];
for (let i = 0; i < (plan.workers ?? 3); i++) tabs.push(await openTab());
await tabs[0].goto(new URL(`${plan.basePath || ''}/login`, base).href);
await tabs[0].fill('input[name=username]', plan.username);
await tabs[0].fill('input[name=password]', plan.password);
await Promise.all([tabs[0].waitForNavigation(), tabs[0].click('button[type=submit]')]);
const signedIn = !tabs[0].url().includes('/login');

const results = new Array(plan.pages.length);
let next = 0;
async function work(page) {
  while (next < plan.pages.length) {
    const index = next++;
    const path = plan.pages[index];
    records.set(page, fresh());
    let error = null;
    let status = null;
    try {
      const response = await page.goto(new URL(path, base).href, { waitUntil: 'load' });
      status = response ? response.status() : null;
      await settle(page);
    } catch (e) {
      error = String(e.message || e).split('\n')[0];
    }
    results[index] = { path, status, error, ...records.get(page), titles: await titles(page) };
  }
}
await Promise.all(tabs.map(work));

console.log(JSON.stringify({ controls, signedIn, strays, pages: results }));
await browser.close();
