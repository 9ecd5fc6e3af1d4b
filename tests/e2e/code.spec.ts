// The checkout code end to end: the wallet shows the code, an independent decoder (zbarimg) reads
// the QR off a screenshot, a till sends the decoded text to the till API and records a purchase and
// a payment with points, and the wallet shows the new balance. Then the same with the server
// stopped while the code is shown: the code screen reloads from the service worker and the phone,
// and the till accepts the code once the server is back.
//
// Each test runs its own release server (a fresh database, the demo loaded) so that it can stop and
// restart it, and so its codes cannot collide with other specs' codes for the demo card.
import { test as base, expect, Page, APIRequestContext, request as apiRequest } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { phone, signInAsDemo, startServer, Server, watchConsole, workDir } from './support';

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

/** Identifies the member by `code`, records a purchase and pays 100 points of another bill. */
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

  const pay = await till.post('/api/v1/till/pay-with-points', {
    data: { ticket: member.ticket, bill_minor: 1000, points: 100 },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(pay.status(), await pay.text()).toBe(201);
  const paid = await pay.json();
  expect(paid.points).toBe(100);

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

/** How many answers the wallet keeps on the phone (IndexedDB `tessera`, store `answers`). */
async function keptAnswers(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('tessera');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('answers')) return resolve(0);
          const count = db.transaction('answers').objectStore('answers').count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

/** Waits until the page's service worker controls it (it has the wallet for offline use). */
async function serviceWorkerReady(page: Page) {
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state === 'activated' && !!navigator.serviceWorker.controller;
  });
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

test('with the server stopped, the code still shows after a reload and the till accepts it later', async ({ own }) => {
  const { dir, page } = own;
  await signInAsDemo(page);
  // The service worker has the wallet and the code screen before the network goes.
  await serviceWorkerReady(page);
  await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  const codePath = new URL(page.url()).pathname;

  // The server goes away (a service worker's requests ignore Playwright's offline switch).
  await own.server.stop();
  await page.reload();
  await expect(page.getByText('Offline: this code still works at the till.')).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(codePath);
  const code = await scanCode(page, path.join(dir, 'offline-code.png'));

  // The home-screen shortcut opens the code of the card shown last, offline too.
  await page.goto('/code');
  await expect(page.getByRole('heading', { name: 'Mziuri Coffee' })).toBeVisible();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/code');

  // Back online (same database, same address): the till takes the code made offline.
  own.server = await startServer(dir, own.server.port, { fresh: false });
  const till = await tillSession(own.server);
  const { before, after } = await checkout(till, code);
  expect(after).toBeLessThan(before);
  await till.dispose();
});

test('with the server stopped, the app opened anew shows the kept cards with their balance and since when', async ({ own }) => {
  const { page } = own;
  await signInAsDemo(page);
  const balance = await shownBalance(page);
  await serviceWorkerReady(page);
  await expect.poll(() => keptAnswers(page)).toBeGreaterThan(0);

  // The server goes away; the customer closes the app and opens it again.
  await own.server.stop();
  const again = await page.context().newPage();
  await page.close();
  await again.goto('/');
  const tile = again.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(tile.getByTestId('balance')).toHaveText(balance);
  await expect(again.getByRole('status').filter({ hasText: /^Offline · as of \d/ })).toBeVisible();
});

test('with the server hanging, the app opens from the phone at once and shows the cards and the code', async ({ own }) => {
  const { page } = own;
  await signInAsDemo(page);
  const balance = await shownBalance(page);
  await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
  await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
  await serviceWorkerReady(page);
  await expect.poll(() => keptAnswers(page)).toBeGreaterThan(0);

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
  expect(await page.evaluate(() => localStorage.getItem('tessera.codes'))).toContain('secret');
  await expect.poll(() => keptAnswers(page)).toBeGreaterThan(0);

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await page.evaluate(() => localStorage.getItem('tessera.codes'))).toBeNull();
  // Nothing of the customer's is left on the phone: no session, keys or kept answers, and the
  // service worker's caches hold the app only, never an API answer.
  // (The token goes once the server has heard of the log-out: at once, here.)
  await expect
    .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tessera.'))))
    .toEqual([]);
  await expect.poll(() => keptAnswers(page)).toBe(0);
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
