// The checkout code end to end: the wallet shows the code, an independent decoder (zbarimg) reads
// the QR off a screenshot, a till sends the decoded text to the till API and records a purchase and
// a payment with points, and the wallet shows the new balance. Then the same with the server
// stopped after signing in: the app opens from the service worker and the phone with the kept cards
// and a code never opened before, the till accepts it once the server is back, and the code screen
// and the cards home see it; a hanging server; what log-out leaves on the phone.
//
// Each test runs its own release server (a fresh database, the demo loaded) so that it can stop and
// restart it, and so its codes cannot collide with other specs' codes for the demo card.
import { test as base, expect, Page, APIRequestContext, request as apiRequest } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import {
  lanAddress,
  phone,
  serviceWorkerReady,
  signInAsDemo,
  startServer,
  Server,
  watchConsole,
  workDir,
} from './support';

type Card = { id: string; balance: number; program_name: string };
type Member = { ticket: string; can_spend: boolean; name: string; card: Card };

/** Decodes the QR in a screenshot of the code with zbarimg: the text it carries. */
async function scanCode(page: Page, file: string): Promise<string> {
  const qr = page.getByTestId('qr').locator('svg');
  await expect(qr).toBeVisible();
  await page.screenshot({ path: file });
  const text = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).trim();
  expect(text).toMatch(/^TSR1\.\d{10}\.\d+\.[A-Z2-7]{16}$/);
  return text;
}

/** The till's side, through the API as the cashier console uses it. */
async function tillSession(server: Server): Promise<APIRequestContext> {
  const anonymous = await apiRequest.newContext({ baseURL: server.url });
  const login = await anonymous.post('/api/v1/till/auth/login', {
    data: { email: 'till@example.com', password: 'tessera-till' },
  });
  expect(login.status()).toBe(200);
  const { token } = await login.json();
  await anonymous.dispose();
  return apiRequest.newContext({
    baseURL: server.url,
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
}

/** Identifies the member by `code`, records a purchase and another that 100 points pay part of. */
async function checkout(till: APIRequestContext, code: string): Promise<{ before: number; after: number }> {
  const identify = await till.post('/api/v1/till/identify', { data: { code } });
  expect(identify.status(), await identify.text()).toBe(200);
  const member = (await identify.json()) as Member;
  expect(member.name).toBe('Nino Beridze');
  expect(member.can_spend).toBe(true);

  const purchase = await till.post('/api/v1/till/purchases', {
    data: { ticket: member.ticket, amount_minor: 2500 },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(purchase.status(), await purchase.text()).toBe(201);
  expect((await purchase.json()).points).toBeGreaterThan(0);

  const pay = await till.post('/api/v1/till/purchases', {
    data: { ticket: member.ticket, amount_minor: 1000, points: 100 },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(pay.status(), await pay.text()).toBe(201);
  const paid = await pay.json();
  expect(paid.bill.points_spent).toBe(100);

  // The same code again is a replay.
  const again = await till.post('/api/v1/till/identify', { data: { code } });
  expect(again.status()).toBe(409);
  expect((await again.json()).error).toBe('code_used');
  return { before: member.card.balance, after: paid.card.balance };
}

/** The balance on the cards home, as the wallet shows it. */
async function shownBalance(page: Page): Promise<string> {
  await page.goto('/');
  const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
  return (await tile.getByTestId('balance').textContent()) ?? '';
}

/** How many records the wallet keeps on the phone in IndexedDB `tessera`'s `store`: `answers`
 * (the last good answers) or `keys` (the cards' checkout keys). */
async function kept(page: Page, store: 'answers' | 'keys'): Promise<number> {
  return page.evaluate(
    (store) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('tessera');
        // Never the one to create it (its version and stores are the wallet's), and closed at
        // once, so it never holds up the wallet's own opening.
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) {
            db.close();
            return resolve(0);
          }
          const count = db.transaction(store).objectStore(store).count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
          db.close();
        };
      }),
    store,
  );
}

/** What the phone holds as each card's checkout key: its type, and whether it may be exported. */
async function keptKeys(page: Page): Promise<{ type: string; extractable: boolean }[]> {
  return page.evaluate(
    () =>
      new Promise<{ type: string; extractable: boolean }[]>((resolve, reject) => {
        const open = indexedDB.open('tessera');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('keys').objectStore('keys').getAll();
          db.close();
          all.onerror = () => reject(all.error);
          // CryptoKey is defined only in secure contexts.
          const sealed = (key: unknown): key is CryptoKey =>
            typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;
          all.onsuccess = () =>
            resolve(
              all.result.map(([, key]) => ({
                type: sealed(key) ? `CryptoKey ${key.algorithm.name}` : typeof key,
                extractable: sealed(key) ? key.extractable : true,
              })),
            );
        };
      }),
  );
}

/** A test's own server (a fresh database in `dir`, the demo loaded; a test may stop it and start
 * another in its place) and a phone on it; both go when the test ends, whether it passed or not. */
type Own = { dir: string; server: Server; page: Page };

const test = base.extend<{ own: Own }>({
  own: async ({ browser }, use, testInfo) => {
    const dir = workDir(`code-${testInfo.title.replace(/[^a-z]+/gi, '-').slice(0, 40)}`);
    const server = await startServer(dir);
    const { context, page } = await phone(browser, server);
    const own = { dir, server, page };
    await use(own);
    await context.close();
    await own.server.stop();
  },
});

test('the code on the screen is scanned by an independent decoder and accepted by the till', async ({ own }) => {
  const { dir, server, page } = own;
  const problems = watchConsole(page);
  await signInAsDemo(page);
  const before = await shownBalance(page);

  // One tap from the cards home.
  await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(page).toHaveURL(/\/cards\/[^/]+\/code$/);
  await expect(page.getByRole('heading', { name: 'Mziuri Coffee' })).toBeVisible();
  await expect(page.getByText('Nino Beridze')).toBeVisible();
  await expect(page.getByTestId('typed-code')).toHaveText(/^\d{4} \d{4} \d{4} \d{4}$/);
  await expect(page.getByText(/New code in \d+ s/)).toBeVisible();

  const code = await scanCode(page, path.join(dir, 'code.png'));
  const till = await tillSession(server);
  const { after } = await checkout(till, code);
  await till.dispose();

  // Close the code; the cards home shows the kept cards at once, then the server's answer: the
  // balance after the payment.
  await page.getByRole('button', { name: 'Close the code' }).click();
  expect(after).not.toBe(Number(before.replace(/\D/g, '')));
  await page.goto('/');
  const balance = page.getByRole('article', { name: 'Mziuri Coffee' }).getByTestId('balance');
  await expect.poll(async () => (await balance.textContent())?.replace(/\D/g, '')).toBe(String(after));
  expect(problems).toEqual([]);
});

test('once the wallet has loaded the code app, Show code shows it in the same page; Back closes it, Forward shows it again', async ({ own }) => {
  const { page } = own;
  const problems = watchConsole(page);
  await signInAsDemo(page);
  const link = page.getByRole('link', { name: 'Show code for Mziuri Coffee' });
  // The module is loaded after the cards home's first paint; until then the link loads the page.
  await expect(link).not.toHaveAttribute('rel', 'external');
  await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
  const samePage = () => page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage === true);

  await link.click();
  await expect(page).toHaveURL(/\/cards\/[^/]+\/code$/);
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Mziuri Coffee' })).toBeVisible();
  expect(await samePage()).toBe(true);
  // The screen has the focus, and the wallet's bars under it are out of reach.
  await expect(page.locator('section.code')).toBeFocused();
  await expect(page.getByRole('navigation')).toBeHidden();

  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
  await expect(page.locator('section.code')).toHaveCount(0);
  await expect(page.getByRole('navigation')).toBeVisible();

  await page.goForward();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  await expect(page.getByTestId('typed-code')).toHaveText(/^\d{4} \d{4} \d{4} \d{4}$/);
  await page.getByRole('button', { name: 'Close the code' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('section.code')).toHaveCount(0);
  expect(await samePage()).toBe(true);
  expect(problems).toEqual([]);
});

test('signed in, closed, server stopped: the cards and a code never opened before; back online the till takes it, the code screen and the cards see it', async ({ own }) => {
  const { dir, page } = own;
  await signInAsDemo(page);
  const balance = await shownBalance(page);
  await serviceWorkerReady(page);
  // The card's key is on the phone though its code was never opened, sealed from scripts.
  await expect.poll(() => kept(page, 'keys')).toBe(1);
  expect(await keptKeys(page)).toEqual([{ type: 'CryptoKey HMAC', extractable: false }]);
  await expect.poll(() => kept(page, 'answers')).toBeGreaterThan(0);

  // The server goes away (a service worker's requests ignore Playwright's offline switch); the
  // customer closes the app and opens it again.
  await own.server.stop();
  const again = await page.context().newPage();
  await page.close();
  await again.goto('/');
  const tile = again.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(tile.getByTestId('balance')).toHaveText(balance);
  await expect(again.getByRole('status').filter({ hasText: /^Offline · as of \d/ })).toBeVisible();
  await again.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(again.getByText('Offline: this code still works at the till.')).toBeVisible();
  const code = await scanCode(again, path.join(dir, 'offline-code.png'));

  // Back online (same database, same address): the till takes the code made offline, once.
  own.server = await startServer(dir, own.server.port, { fresh: false });
  const till = await tillSession(own.server);
  const { before, after } = await checkout(till, code);
  expect(after).toBeLessThan(before);
  await till.dispose();
  // The code screen, still shown, notices within a few seconds.
  await expect(again.getByTestId('scanned')).toHaveText(/^Scanned · \+\d+ points pending$/, { timeout: 15_000 });
  await expect(again.getByText('Offline: this code still works at the till.')).toBeHidden();

  // Closed, the cards home shows the new balance (nobody reloads).
  await again.getByRole('button', { name: 'Close the code' }).click();
  await expect(again).toHaveURL(/\/$/);
  await expect
    .poll(async () => (await tile.getByTestId('balance').textContent())?.replace(/\D/g, ''))
    .toBe(String(after));

  // The home-screen shortcut opens the code of the card shown last.
  await again.goto('/code');
  await expect(again.getByRole('heading', { name: 'Mziuri Coffee' })).toBeVisible();
  await expect(again.getByTestId('qr').locator('svg')).toBeVisible();
  expect(new URL(again.url()).pathname).toBe('/code');
});

test('with the server hanging, the app opens from the phone at once and shows the cards and the code', async ({ own }) => {
  const { page } = own;
  await signInAsDemo(page);
  const balance = await shownBalance(page);
  await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  await serviceWorkerReady(page);
  await expect.poll(() => kept(page, 'answers')).toBeGreaterThan(0);

  // Every request now hangs: nothing is refused, nothing answers.
  own.server.pause();
  const again = await page.context().newPage();
  await page.close();
  await again.goto('/', { timeout: 5_000 });
  const tile = again.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(tile.getByTestId('balance')).toHaveText(balance, { timeout: 5_000 });
  // Requests give up after a few seconds: then the wallet says it is offline.
  await expect(again.getByRole('status').filter({ hasText: /^Offline · as of \d/ })).toBeVisible({
    timeout: 15_000,
  });
  await again.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(again.getByTestId('qr').locator('svg')).toBeVisible({ timeout: 5_000 });
  own.server.resume();
});

test('logging out removes the checkout keys from the phone and revokes them', async ({ own }) => {
  const { dir, server, page } = own;
  await signInAsDemo(page);
  await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  const code = await scanCode(page, path.join(dir, 'before-logout.png'));
  await expect.poll(() => kept(page, 'keys')).toBe(1);
  await expect.poll(() => kept(page, 'answers')).toBeGreaterThan(0);
  expect(await page.evaluate(() => Object.keys(localStorage).sort())).toEqual([
    'tessera.codes.last',
    'tessera.session',
  ]);
  await expect
    .poll(() => page.evaluate(() => Object.keys(sessionStorage)))
    .toEqual([expect.stringMatching(/^tessera\.code\./)]);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // Nothing of the customer's is left on the phone: nothing in localStorage (the token goes once
  // the server has heard of the log-out: at once, here), no keys or kept answers in IndexedDB,
  // and the service worker's caches hold the app only, never an API answer.
  await expect.poll(() => page.evaluate(() => Object.keys(localStorage))).toEqual([]);
  // (Nor the codes the cards home handed over to the code page in this tab.)
  await expect.poll(() => page.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
  await expect.poll(() => kept(page, 'keys')).toBe(0);
  await expect.poll(() => kept(page, 'answers')).toBe(0);
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  expect(cached.filter((url) => url.startsWith('/api/'))).toEqual([]);

  // The secret behind the code died with the session.
  const till = await tillSession(server);
  const identify = await till.post('/api/v1/till/identify', { data: { code } });
  expect(identify.status()).toBe(422);
  expect((await identify.json()).error).toBe('code_invalid');
  await till.dispose();
});

test('a log-out made with the server stopped ends the session there once it is back', async ({ own }) => {
  const { dir, page } = own;
  await signInAsDemo(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('tessera.session') ?? '{}').token as string);
  await serviceWorkerReady(page);
  await own.server.stop();

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Log out' }).click();
  // Forgotten on the phone at once, though nobody answered.
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await page.evaluate(() => localStorage.getItem('tessera.session'))).toBeNull();

  // The server is back; the wallet, opened again, tells it.
  own.server = await startServer(dir, own.server.port, { fresh: false });
  await page.reload();
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('tessera.session.ended')))
    .toBeNull();
  const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(401);
});

test('on a plain-HTTP address, which has no WebCrypto, the code is made in the wasm and the till takes it', async ({ browser }) => {
  const host = lanAddress();
  test.skip(!host, 'this machine has no address but loopback');
  const dir = workDir('code-plain-http');
  const server = await startServer(dir, undefined, { host });
  const { context, page } = await phone(browser, server);
  try {
    await signInAsDemo(page);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    // The secret itself is kept (README, "Checkout code"): nothing to seal it with here.
    await expect.poll(() => kept(page, 'keys')).toBe(1);
    expect(await keptKeys(page)).toEqual([{ type: 'string', extractable: true }]);
    await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
    const code = await scanCode(page, path.join(dir, 'plain-http-code.png'));
    const till = await tillSession(server);
    await checkout(till, code);
    await till.dispose();
  } finally {
    await context.close();
    await server.stop();
  }
});

test('a code page opened on a browser that never opened the wallet reads nothing early and logs no error', async ({ own }) => {
  // No `tessera` database yet: the page's early reads must find nothing, not throw.
  const { page } = own;
  const problems = watchConsole(page);
  await page.goto('/cards/00000000000000000000000000000000/code');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  expect(problems).toEqual([]);
});
