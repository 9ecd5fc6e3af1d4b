// Run by `cargo xtask test`, which builds the wallet and the release server, starts the server on a
// free port with a fresh database and the demo loaded, and passes its URL as BASE_URL.
import { defineConfig } from '@playwright/test';
import { chromium } from './support';

export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:8080',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: chromium,
  },
});
