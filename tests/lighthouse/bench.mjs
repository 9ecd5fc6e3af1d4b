// Lighthouse figures for five pages of the release wallet, each three times cold and three times
// warm, against a server that is already running (`cargo xtask bench lighthouse` starts one with
// the demo and runs this script).
//
// Usage: node bench.mjs BASE_URL REPORT_DIR
//
// Prints one table (the median of the three runs of each figure), the budgets it breaks and the
// accessibility and best-practices audits that failed; keeps every Lighthouse report (JSON) in
// REPORT_DIR. Budgets are reported, not enforced: the script fails only when Lighthouse does.

import fs from 'node:fs';
import path from 'node:path';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

/** Debian's Chromium: no browser is downloaded on these machines (puppeteer-core downloads none). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** `headless: true` adds `--headless=new`; without the background-networking flags Chromium
 * floods the closed network with refused connections (shared/TOOLCHAIN.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const RUNS = 3;
/** Lighthouse now and then fails a navigation under a service worker (`NO_NAVSTART`): such a run
 * is tried again, up to this many times in all. */
const ATTEMPTS = 3;
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

const CUSTOMER = { email: 'demo@example.com', password: 'tessera-demo' };
const CASHIER = { email: 'till@example.com', password: 'tessera-till' };

/** The pages: a short name (also the reports' file names), who is signed in, the address (`card`
 * is the demo customer's Mziuri Coffee card). */
const PAGES = [
  { name: 'sign-in', who: 'visitor', path: () => '/sign-in' },
  { name: 'home', who: 'customer', path: () => '/' },
  { name: 'card', who: 'customer', path: (card) => `/cards/${card}` },
  { name: 'code', who: 'customer', path: (card) => `/cards/${card}/code` },
  { name: 'till', who: 'cashier', path: () => '/till' },
];

/** Issue 17's budgets, on the medians. */
const BUDGETS = {
  performance: 0.95,
  accessibility: 1,
  'best-practices': 1,
  lcp: { cold: 2000, warm: 1500 },
};

const FIGURES = [
  { key: 'performance', label: 'perf', of: (lhr) => lhr.categories.performance.score },
  { key: 'accessibility', label: 'a11y', of: (lhr) => lhr.categories.accessibility.score },
  { key: 'best-practices', label: 'bp', of: (lhr) => lhr.categories['best-practices'].score },
  { key: 'fcp', label: 'FCP ms', of: (lhr) => lhr.audits['first-contentful-paint'].numericValue },
  { key: 'lcp', label: 'LCP ms', of: (lhr) => lhr.audits['largest-contentful-paint'].numericValue },
  { key: 'tbt', label: 'TBT ms', of: (lhr) => lhr.audits['total-blocking-time'].numericValue },
];

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** The demo customer's Mziuri Coffee card id, through the API (a session of its own). */
async function demoCardId(base) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(CUSTOMER),
  });
  if (!login.ok) throw new Error(`signing in the demo customer through the API: ${login.status}`);
  const { token } = await login.json();
  const wallet = await fetch(`${base}/api/v1/wallet`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!wallet.ok) throw new Error(`reading the demo wallet: ${wallet.status}`);
  const card = (await wallet.json()).cards.find((c) => c.program_id === 'mziuri');
  if (!card) throw new Error('the demo customer has no Mziuri Coffee card');
  return card.id;
}

/** Fills the e-mail and password fields (found by their labels) and presses "Sign in". */
async function fillSignIn(page, who) {
  await page.locator('::-p-aria([name="Email"][role="textbox"])').fill(who.email);
  await page.locator('::-p-aria([name="Password"][role="textbox"])').fill(who.password);
  await page.locator('::-p-aria([name="Sign in"][role="button"])').click();
}

/** Signs the browser in through the page's own form, as a person would, so the session is
 * wherever the wallet (or the console) keeps it. The console's form is `/till/sign-in`, where
 * `/till` sends a till nobody is signed in to. */
async function signIn(page, base, who) {
  if (who === 'customer') {
    await page.goto(`${base}/sign-in`);
    await fillSignIn(page, CUSTOMER);
    await page.locator('::-p-aria([name="Mziuri Coffee"][role="article"])').wait();
  } else if (who === 'cashier') {
    await page.goto(`${base}/till/sign-in`);
    await fillSignIn(page, CASHIER);
    await page.locator('::-p-aria([name="Next customer"][role="heading"])').wait();
  }
}

/** A cold start for a device that is signed in: no HTTP cache (disk or memory), no service
 * worker, no Cache Storage, no IndexedDB (the wallet's kept answers and checkout keys); the
 * session in localStorage stays, or a signed-in page would send Lighthouse to sign-in. */
async function makeCold(page, base) {
  await page.goto('about:blank');
  const cdp = await page.createCDPSession();
  await cdp.send('Storage.clearDataForOrigin', {
    origin: new URL(base).origin,
    storageTypes: 'cache_storage,service_workers,indexeddb',
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  // Turning the cache off and on again empties the memory cache too (Lighthouse's own reset).
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.detach();
}

/** A warm start: the page loaded once, and, where a service worker is registered (every wallet
 * page registers it after its first paint; the console's sign-in does too), that worker active
 * (its precache is filled at install, before it activates) and controlling the page. */
async function makeWarm(page, url) {
  await page.goto(url, { waitUntil: 'networkidle0' });
  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) return 'none registered (warm is the HTTP cache alone)';
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
    return 'installed, controlling the page';
  });
  await page.goto('about:blank');
  return worker;
}

/** One Lighthouse run on `page` (mobile, its default throttling), the storage left as `prepare`
 * leaves it (again before each attempt: a failed cold attempt may have filled a cache). */
async function audit(page, url, prepare) {
  const flags = {
    output: 'json',
    logLevel: 'error',
    formFactor: 'mobile',
    onlyCategories: CATEGORIES,
    disableStorageReset: true,
  };
  for (let attempt = 1; ; attempt++) {
    let why;
    await prepare();
    try {
      const result = await lighthouse(url, flags, undefined, page);
      const error = result?.lhr.runtimeError;
      if (result && !error) return result;
      why = error ? `${error.code}: ${error.message}` : 'no result';
    } catch (error) {
      why = error.message;
    }
    if (attempt === ATTEMPTS) throw new Error(`Lighthouse failed on ${url} ${ATTEMPTS} times: ${why}`);
    log(`  Lighthouse failed (${why}); again`);
  }
}

/** Refuses a run that did not measure the page asked for (a lost session ends on sign-in). */
function checkLanded(lhr, url) {
  const landed = new URL(lhr.finalDisplayedUrl);
  const asked = new URL(url);
  if (landed.pathname !== asked.pathname) {
    throw new Error(`${url} ended on ${lhr.finalDisplayedUrl}: the session was lost`);
  }
}

/** Runs Lighthouse `RUNS` times on `page` in `mode`, preparing the browser before each run. */
async function measure(browserPage, spec, url, mode, base, reports) {
  const runs = [];
  if (mode === 'warm') log(`  service worker: ${await makeWarm(browserPage, url)}`);
  for (let run = 1; run <= RUNS; run++) {
    const prepare = mode === 'cold' ? () => makeCold(browserPage, base) : async () => {};
    const { lhr, report } = await audit(browserPage, url, prepare);
    checkLanded(lhr, url);
    fs.writeFileSync(path.join(reports, `${spec.name}-${mode}-${run}.json`), report);
    const figures = Object.fromEntries(FIGURES.map((f) => [f.key, f.of(lhr)]));
    const shown = FIGURES.map((f) => `${f.label} ${showFigure(f.key, figures[f.key])}`);
    log(`  ${spec.name} ${mode} ${run}/${RUNS}: ${shown.join(', ')}`);
    runs.push({ lhr, figures });
  }
  return runs;
}

/** Every page in both modes, each page in a browser profile of its own; and the browser's
 * version (the reports' user agent says only its major version). */
async function measureAll(base, reports) {
  const card = await demoCardId(base);
  const results = [];
  let chromium;
  for (const spec of PAGES) {
    const url = `${base}${spec.path(card)}`;
    log(`${spec.name}: ${url}`);
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // Lighthouse sets the phone's screen itself; a viewport of puppeteer's would fight it.
      defaultViewport: null,
    });
    try {
      chromium = await browser.version();
      const [page] = await browser.pages();
      await signIn(page, base, spec.who);
      for (const mode of ['cold', 'warm']) {
        results.push({ spec, mode, runs: await measure(page, spec, url, mode, base, reports) });
      }
    } finally {
      await browser.close();
    }
  }
  return { results, chromium };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The scores as Lighthouse gives them (0 to 1), the times in whole milliseconds. */
function showFigure(key, value) {
  if (value === null || value === undefined) return '-';
  return ['fcp', 'lcp', 'tbt'].includes(key) ? String(Math.round(value)) : value.toFixed(2);
}

/** The run whose LCP is the median one (for what its LCP element was). */
function medianRun(runs) {
  return [...runs].sort((a, b) => a.figures.lcp - b.figures.lcp)[Math.floor(runs.length / 2)];
}

/** The element Lighthouse took for the largest contentful paint, and what it showed. */
function lcpElement(lhr) {
  const items = lhr.audits['lcp-breakdown-insight']?.details?.items ?? [];
  const node = items.find((item) => item.type === 'node');
  if (!node) return 'not found';
  const label = node.nodeLabel ? ` ("${node.nodeLabel.slice(0, 40)}")` : '';
  return `${node.selector}${label}`;
}

function medians(runs) {
  return Object.fromEntries(FIGURES.map((f) => [f.key, median(runs.map((r) => r.figures[f.key]))]));
}

function printTable(results, chromium) {
  const head = ['page', 'mode', ...FIGURES.map((f) => f.label)];
  const rows = results.map(({ spec, mode, runs }) => {
    const m = medians(runs);
    return [spec.name, mode, ...FIGURES.map((f) => showFigure(f.key, m[f.key]))];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const version = results[0].runs[0].lhr.lighthouseVersion;
  console.log(`Lighthouse ${version}, ${chromium}, mobile, simulated throttling, medians of ${RUNS} runs`);
  console.log('cold: no HTTP cache, service worker, Cache Storage or IndexedDB (signed in still)');
  console.log('warm: the page loaded once before, its service worker (the console has none) controlling it');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}

/** The budgets each page and mode breaks, one line each. */
function brokenBudgets(results) {
  const broken = [];
  for (const { spec, mode, runs } of results) {
    const m = medians(runs);
    for (const category of CATEGORIES) {
      if (m[category] < BUDGETS[category]) {
        broken.push(`${spec.name} ${mode}: ${category} ${showFigure(category, m[category])} < ${BUDGETS[category]}`);
      }
    }
    if (m.lcp > BUDGETS.lcp[mode]) {
      broken.push(`${spec.name} ${mode}: LCP ${Math.round(m.lcp)} ms > ${BUDGETS.lcp[mode]} ms`);
    }
  }
  return broken;
}

/** The ids of the audits of `category` that scored below 1 in a report and cost it points (an
 * audit of weight 0, such as `valid-source-maps`, does not count in the score). */
function failingAudits(lhr, category) {
  return lhr.categories[category].auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => lhr.audits[ref.id])
    .filter((a) => ['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode) && a.score < 1)
    .map((a) => a.id);
}

/** Per page and mode, the accessibility and best-practices audits that failed in any run, with
 * in how many runs. */
function failingAuditLines(results) {
  const lines = [];
  for (const { spec, mode, runs } of results) {
    for (const category of ['accessibility', 'best-practices']) {
      const counts = new Map();
      for (const { lhr } of runs) {
        for (const id of failingAudits(lhr, category)) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      if (counts.size === 0) continue;
      const ids = [...counts].map(([id, n]) => `${id} (${n}/${runs.length} runs)`).join(', ');
      lines.push(`${spec.name} ${mode}: ${category}: ${ids}`);
    }
  }
  return lines;
}

function printFindings(results, reports) {
  const broken = brokenBudgets(results);
  console.log(
    broken.length === 0
      ? 'every budget met (performance >= 0.95, accessibility 1, best practices 1, LCP <= 2000 ms cold, <= 1500 ms warm)'
      : broken.map((b) => `over budget: ${b}`).join('\n'),
  );
  for (const line of failingAuditLines(results)) console.log(`failing audit: ${line}`);
  for (const { spec, mode, runs } of results) {
    console.log(`LCP element: ${spec.name} ${mode}: ${lcpElement(medianRun(runs).lhr)}`);
  }
  console.log(`reports: ${reports}`);
}

async function main() {
  const [base, reports] = process.argv.slice(2);
  if (!base || !reports) throw new Error('usage: node bench.mjs BASE_URL REPORT_DIR');
  fs.mkdirSync(reports, { recursive: true });
  const { results, chromium } = await measureAll(base.replace(/\/$/, ''), reports);
  printTable(results, chromium);
  printFindings(results, reports);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
