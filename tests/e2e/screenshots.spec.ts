// The README's phone screenshots (390x844, light and dark) of the cards home, the card screen and
// the checkout code, of the cards home and card screen opened with the server stopped, of the
// banner of a new version, of the code once a till took it and of settings' install offer, and
// the cards home, a card, the code, rewards and clubs in Georgian and Serbian (light), written to
// docs/screenshots/. Not part of the test run: `SCREENSHOTS=1 npx playwright test
// screenshots` against a server with the demo loaded (BASE_URL).
import { test, expect, Page } from '@playwright/test';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { phone, signInAsDemo, startServer, workDir } from './support';

const out = (name: string) => path.join(__dirname, '..', '..', 'docs', 'screenshots', name);

test.skip(!process.env.SCREENSHOTS, 'set SCREENSHOTS=1 to write the screenshots');

async function settle(page: Page) {
  // Fonts and the last frame of any transition.
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`cards home and card screen, ${scheme}`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await signInAsDemo(page);
    const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
    await expect(tile.getByTestId('next')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`cards-${scheme}.png`) });

    await tile.click();
    await expect(page.getByTestId('tier-name')).toBeVisible();
    await expect(page.locator('.history__row').first()).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`card-${scheme}.png`) });

    // Further down: the level, the discount and the start of the history.
    await page.locator('#discount-title').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -80));
    await settle(page);
    await page.screenshot({ path: out(`card-history-${scheme}.png`) });

    // The checkout code, one tap from the cards home.
    await page.goto('/');
    await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
    await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`code-${scheme}.png`) });
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`cards home and card screen offline, ${scheme}`, async ({ browser }) => {
    // A server of its own, to stop.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-shots-'));
    let server = await startServer(dir);
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      colorScheme: scheme,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await signInAsDemo(page);
    await page.getByRole('article', { name: 'Mziuri Coffee' }).click();
    await expect(page.getByTestId('tier-name')).toBeVisible();
    const cardPath = new URL(page.url()).pathname;
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active);
    await page.waitForTimeout(500); // the answers reach IndexedDB

    await server.stop();
    const again = await context.newPage();
    await page.close();
    await again.goto('/');
    await expect(again.locator('.offline-line')).toBeVisible();
    await settle(again);
    await again.screenshot({ path: out(`cards-offline-${scheme}.png`) });
    await again.goto(cardPath);
    await expect(again.locator('.offline-line')).toBeVisible();
    await expect(again.getByTestId('tier-name')).toBeVisible();
    await settle(again);
    await again.screenshot({ path: out(`card-offline-${scheme}.png`) });
    await context.close();
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`a new version is ready, ${scheme}`, async ({ browser }) => {
    // A server of its own on a copy of the wallet, whose sw.js changes as a new build's would.
    const dir = workDir(`shots-update-${scheme}`);
    const wallet = path.join(dir, 'wallet');
    fs.cpSync(path.join(__dirname, '..', '..', 'dist'), wallet, { recursive: true });
    const server = await startServer(dir, undefined, { walletDir: wallet });
    const { context, page } = await phone(browser, server);
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAsDemo(page);
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active && !!navigator.serviceWorker.controller);
    fs.appendFileSync(path.join(wallet, 'sw.js'), '\n// the next build\n');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.ready).update();
    });
    await expect(page.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`update-${scheme}.png`) });
    await context.close();
    await server.stop();
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the code once a till took it, and the install offer, ${scheme}`, async ({ page, request }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await signInAsDemo(page);
    await page.getByRole('link', { name: 'Show code for Mziuri Coffee' }).click();
    // The card as the screen opened with it, which the points after the till are compared with.
    await expect(page.locator('.code__balance')).toBeVisible();
    const shown = async () => (await page.getByTestId('typed-code').textContent()) ?? '';

    // A till takes the code (typed, as a cashier would read it) and records a purchase.
    const login = await request.post('/api/v1/till/auth/login', {
      data: { email: 'till@example.com', password: 'tessera-till' },
    });
    const headers = { Authorization: `Bearer ${(await login.json()).token}` };
    let identify = await request.post('/api/v1/till/identify', { data: { code: await shown() }, headers });
    if (identify.status() === 409) {
      // The other scheme's run took this step's code of the card (a card's step is taken once):
      // the next one.
      const used = await shown();
      await expect.poll(shown, { timeout: 35_000 }).not.toBe(used);
      identify = await request.post('/api/v1/till/identify', { data: { code: await shown() }, headers });
    }
    const member = await identify.json();
    await request.post('/api/v1/till/purchases', {
      data: { ticket: member.ticket, amount_minor: 2500 },
      headers: { ...headers, 'Idempotency-Key': `shots-${scheme}-${Date.now()}` },
    });
    await expect(page.getByTestId('scanned')).toHaveText(/^Scanned · \+\d+ points pending$/, { timeout: 15_000 });
    await settle(page);
    await page.screenshot({ path: out(`code-scanned-${scheme}.png`) });

    // The browser offers to install the app (Chromium's event, dispatched as it would be).
    await page.goto('/settings');
    await expect(page.getByTestId('email')).toBeVisible();
    await page.evaluate(() => {
      const offer = new Event('beforeinstallprompt', { cancelable: true });
      Object.assign(offer, { prompt: () => Promise.resolve() });
      window.dispatchEvent(offer);
    });
    await expect(page.getByRole('button', { name: 'Install app' })).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`settings-install-${scheme}.png`) });
  });
}

for (const language of ['ka', 'sr-Latn'] as const) {
  test(`the cards home, a card, the code, rewards and clubs in ${language}`, async ({ page }) => {
    const tag = language === 'ka' ? 'ka' : 'sr';
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await signInAsDemo(page);
    // The device's choice: the next page load paints in it.
    await page.evaluate((l) => localStorage.setItem('tessera.language', l), language);
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
    await expect(tile.getByTestId('next')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`cards-${tag}-light.png`) });
    const card = await tile.getAttribute('data-card-id');

    await page.goto(`/cards/${card}`);
    await expect(page.getByTestId('tier-name')).toBeVisible();
    await expect(page.locator('.history__row').first()).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`card-${tag}-light.png`) });

    await page.goto(`/cards/${card}/code`);
    await expect(page.getByTestId('qr').locator('svg')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`code-${tag}-light.png`) });

    await page.goto(`/cards/${card}/rewards`);
    await expect(page.locator('[data-reward="croissant"]')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`rewards-${tag}-light.png`) });

    await page.goto(`/cards/${card}/clubs`);
    await expect(page.locator('[data-club="tasters"]')).toBeVisible();
    await settle(page);
    await page.screenshot({ path: out(`clubs-${tag}-light.png`) });
  });
}
