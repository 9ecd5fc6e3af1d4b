// What the end-to-end specs share.
import { expect, Page, ConsoleMessage } from '@playwright/test';

/** Collects console errors and uncaught exceptions (the CSP must admit everything the wallet does). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** Signs in as the demo customer and waits for the demo card on the cards home. */
export async function signInAsDemo(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('demo@example.com');
  await page.getByLabel('Password').fill('tessera-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
}
