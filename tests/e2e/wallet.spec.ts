// The first-run journey on a phone: join, see the card, stay signed in across a reload, log out,
// sign back in, and run offline-capable under the service worker, with no console errors (the
// Content-Security-Policy must admit everything the wallet does).
import { test, expect, Page } from '@playwright/test';
import { signInAsDemo, watchConsole } from './support';

/** The Mziuri card on the cards home with `balance` (a new customer's: none). */
async function expectCard(page: Page, balance: string | RegExp = '0') {
  const card = page.getByRole('article').filter({ hasText: 'Mziuri Coffee' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('balance')).toHaveText(balance);
  await expect(card).toContainText('points');
}

test('a new customer joins, stays signed in, logs out and signs back in', async ({ page }) => {
  const problems = watchConsole(page);
  const email = `e2e-${Date.now()}@example.com`;
  const password = 'a long enough password';

  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole('link', { name: /join/i }).first().click();
  await expect(page).toHaveURL(/\/join$/);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Name').fill('Eka Tester');
  // Consent is required: without it the form shows an error and stays.
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page).toHaveURL(/\/join$/);
  await page.getByLabel(/I accept the terms/).check();
  await page.getByRole('button', { name: 'Join' }).dblclick();

  await expect(page).toHaveURL(/\/$/);
  await expectCard(page);

  await page.reload();
  await expectCard(page);

  await page.goto('/settings');
  await expect(page.getByText(email)).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expectCard(page);

  // The service worker installs, and controls the page after a reload.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await expectCard(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // A failed sign-in answers 401, which Chromium logs as a failed resource load; nothing else may.
  const unexpected = problems.filter((p) => !/status of 401/.test(p));
  expect(unexpected).toEqual([]);
});

test('the demo customer signs in and sees the demo card', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsDemo(page);
  // The demo's history leaves points on the card, grouped as the page's Intl writes them.
  await expectCard(page, /^[1-9]\d{0,2}(,\d{3})*$/);
  expect(problems).toEqual([]);
});

test('the app shell paints before the wallet code arrives', async ({ page }) => {
  // Hold back the wasm: the branded shell from index.html must already be on screen.
  await page.route(/\.wasm$/, () => {});
  await page.goto('/sign-in', { waitUntil: 'domcontentloaded' });
  await expect(page.getByText('Tessera').first()).toBeVisible();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).not.toBe('rgba(0, 0, 0, 0)');
});
