// A new build of the wallet: its service worker installs in the background and waits, the wallet
// offers "A new version is ready · Reload", and only that reload switches builds. The test runs
// its own server on a copy of the built wallet, whose sw.js it changes to stand for a new build.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { phone, signInAsDemo, startServer, workDir } from './support';

test('a new build waits for the customer to reload, then takes over', async ({ browser }) => {
  const dir = workDir('update');
  const wallet = path.join(dir, 'wallet');
  fs.cpSync(path.resolve(__dirname, '../../dist'), wallet, { recursive: true });
  const server = await startServer(dir, undefined, { walletDir: wallet });
  const { context, page } = await phone(browser, server);
  try {
    await signInAsDemo(page);
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.ready).active && !!navigator.serviceWorker.controller);
    const banner = page.getByRole('status').filter({ hasText: 'A new version is ready' });
    await expect(banner).toHaveCount(0);
    // The build that controls the page now, to tell it from the next.
    await page.evaluate(() => {
      (window as unknown as { oldBuild: unknown }).oldBuild = navigator.serviceWorker.controller;
    });
    /** Where the builds stand: the old one still in control, and the new one's state. */
    const builds = () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        const old = navigator.serviceWorker.controller === (window as unknown as { oldBuild: unknown }).oldBuild;
        const next = registration?.waiting ?? registration?.installing;
        return `${old ? 'old in control' : 'new in control'}, next ${next?.state ?? 'none'}`;
      });

    // A new build is deployed; the browser finds it.
    fs.appendFileSync(path.join(wallet, 'sw.js'), '\n// the next build\n');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.ready).update();
    });
    await expect(banner).toBeVisible();
    // It waits: the page is still the old build's until the customer says so. (The new worker
    // tells the pages from its install step, so it may still be finishing installing when the
    // banner shows, longer on a busy machine: "Reload" takes it over either way.)
    await expect.poll(builds, { timeout: 30_000 }).toBe('old in control, next installed');

    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
    await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
    await expect(banner).toHaveCount(0);
    expect(await page.evaluate(async () => !(await navigator.serviceWorker.getRegistration())?.waiting)).toBe(true);
  } finally {
    await context.close();
    await server.stop();
  }
});
