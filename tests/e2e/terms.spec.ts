// A program's new terms, end to end on a server of its own: a member joins, the operator then
// changes the program's terms_version (and terms_updated) in the configuration and restarts;
// the home asks the member to accept them, the terms screen says when they changed, and
// accepting them ends the asking. With SCREENSHOTS=1 it writes the screen at 390x844.
import { test, expect, request as api } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { phone, shot, startServer, workDir } from './support';

test('a member is asked to accept a program’s new terms and accepts them', async ({ browser }) => {
  const dir = workDir('terms');
  let server = await startServer(dir);
  const context = await api.newContext({ baseURL: server.url });
  const terms = await (await context.get('/api/v1/terms')).json();
  const joined = await context.post('/api/v1/auth/register', {
    data: {
      email: 'levan@example.com',
      password: 'correct horse battery',
      display_name: 'Levan',
      accepted_terms_version: terms.version,
    },
  });
  expect(joined.status()).toBe(201);
  await context.dispose();
  await server.stop();

  // The operator publishes new terms for Mziuri Coffee.
  const demo = fs.readFileSync(path.resolve(__dirname, '../../config/demo.toml'), 'utf8');
  const changed = demo.replace(
    'terms_version = "2026-11-01"\n# When the program\'s terms last changed',
    'terms_version = "2026-12-01"\n# When the program\'s terms last changed',
  ).replace('terms_updated = "2026-11-01"', 'terms_updated = "2026-12-01"');
  expect(changed).not.toBe(demo);
  const config = path.join(dir, 'changed.toml');
  fs.writeFileSync(config, changed);
  server = await startServer(dir, undefined, { fresh: false, config });
  try {
    const { context: phoneContext, page } = await phone(browser, server);
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('levan@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const notice = page.getByTestId('new-terms');
    await expect(notice).toHaveText(/Mziuri Coffee changed its terms/);
    await notice.click();
    await expect(page.getByRole('heading', { name: 'New terms' })).toBeVisible();
    await expect(page.getByTestId('terms-lead')).toContainText('Mziuri Coffee changed its terms on');
    await expect(page.getByText('Version 2026-12-01')).toBeVisible();
    await shot(page, 'new-terms', true);
    await page.getByRole('button', { name: 'Accept the new terms' }).click();
    await expect(page.getByTestId('terms-state')).toHaveText(
      'Accepted. You can spend points and redeem again.',
    );
    await page.goto('/');
    await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
    await expect(notice).toHaveCount(0);
    await phoneContext.close();
  } finally {
    await server.stop();
  }
});
