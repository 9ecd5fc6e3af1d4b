// The wallet in five languages, end to end on a server of its own: a Georgian phone opens it in
// Georgian (nothing English painted first), switches to Latvian on the sign-in screen and keeps
// it; an account that joined in Serbian brings Serbian to another phone at sign-in; the catalog's
// configured texts come in the reader's language; and a language's texts work offline (its table
// is precached). With SCREENSHOTS=1 it writes the Georgian sign-in to docs/screenshots/.
import { test, expect, Browser } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { joinThroughApi, phone, Server, serviceWorkerReady, shot, startServer, watchConsole, workDir } from './support';

let server: Server;

test.beforeAll(async () => {
  server = await startServer(workDir('languages'));
});

test.afterAll(async () => {
  await server?.stop();
});

const PASSWORD = 'correct horse battery';

/** `locales/<tag>.json`, the texts the reader should see. */
function texts(tag: string) {
  const file = path.resolve(__dirname, '../../locales', `${tag}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A phone whose browser prefers `locale`. */
const phoneIn = (browser: Browser, locale: string) => phone(browser, server, { locale });

async function join(email: string, language: string) {
  await joinThroughApi(server, {
    email,
    password: PASSWORD,
    display_name: 'Jelena',
    preferred_language: language,
  });
}

test('a Georgian phone opens in Georgian, and a language chosen on sign-in stays', async ({
  browser,
}) => {
  const ka = texts('ka');
  const lv = texts('lv');
  const { context, page } = await phoneIn(browser, 'ka-GE');
  const problems = watchConsole(page);
  // Whatever the page paints, from the first frame, is not English.
  const painted: string[] = [];
  await page.exposeFunction('tesseraPainted', (text: string) => painted.push(text));
  await page.addInitScript(() => {
    new MutationObserver(() => {
      const text = document.body?.innerText ?? '';
      if (text.trim()) (window as any).tesseraPainted(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });

  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: ka.sign_in.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ka');
  await expect(page.getByRole('button', { name: ka.sign_in.submit })).toBeVisible();
  expect(painted.filter((t) => t.includes('Welcome back') || t.includes('Sign in'))).toEqual([]);
  await shot(page, 'sign-in-ka');

  await page.getByLabel(ka.details.language).selectOption('lv');
  await expect(page.getByRole('heading', { name: lv.sign_in.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'lv');
  await page.reload();
  await expect(page.getByRole('heading', { name: lv.sign_in.title })).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});

test('an account that joined in Serbian brings Serbian to the phone it signs in on', async ({
  browser,
}) => {
  const sr = texts('sr-Latn');
  await join('jelena@example.com', 'sr-Latn');
  const { context, page } = await phoneIn(browser, 'en-GB');
  const problems = watchConsole(page);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('jelena@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { name: sr.cards.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'sr-Latn');
  const card = page.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(card).toBeVisible();
  // Dates through Intl in Serbian, Latin script: no Cyrillic anywhere on the screen.
  expect(await page.locator('body').innerText()).not.toMatch(/[\u0400-\u04FF]/);

  // A plural message in the form Serbian's rules give the balance (one, few or other).
  await card.click();
  await page.getByRole('link', { name: sr.rewards.title }).click();
  const balance = page.getByTestId('rewards-balance');
  await expect(balance).toBeVisible();
  const points = Number((await balance.innerText()).replace(/\D/g, ''));
  const form = sr.rewards.balance[new Intl.PluralRules('sr-Latn').select(points)];
  await expect(balance).toHaveText(
    form.replace('{points}', String(points)).replace('{unit}', 'points'),
  );

  // Settings' details keep another language on the account, and the page starts again in it.
  const lv = texts('lv');
  await page.goto('/settings/details');
  await page.getByLabel(sr.details.language).selectOption('lv');
  await page.getByRole('button', { name: sr.details.save }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'lv');
  await expect(page.getByRole('heading', { name: lv.details.title })).toBeVisible();
  await expect(page.getByLabel(lv.details.language)).toHaveValue('lv');
  expect(problems).toEqual([]);
  await context.close();
});

test("the catalog's configured texts come in Georgian, and Georgian works offline", async ({
  browser,
}) => {
  const ka = texts('ka');
  await join('nino@example.com', 'ka');
  const { context, page } = await phoneIn(browser, 'ka-GE');
  const problems = watchConsole(page);
  await page.goto('/sign-in');
  await page.getByLabel(ka.fields.email).fill('nino@example.com');
  await page.getByLabel(ka.fields.password).fill(PASSWORD);
  await page.getByRole('button', { name: ka.sign_in.submit }).click();
  await expect(page.getByRole('heading', { name: ka.cards.title })).toBeVisible();
  await serviceWorkerReady(page);

  await page.getByRole('article', { name: 'Mziuri Coffee' }).click();
  await page.getByRole('link', { name: ka.rewards.title }).click();
  await expect(page.getByRole('heading', { name: ka.rewards.title })).toBeVisible();
  // From the configuration's `ka` variant (demo.toml), asked for by the page's language.
  await expect(page.locator('[data-reward="croissant"]')).toContainText('კარაქის კრუასანი');
  expect(problems).toEqual([]);

  // Offline (the requests to the server fail, as they should): the page and its table come
  // from the service worker.
  await context.setOffline(true);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: ka.cards.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ka');
  await context.setOffline(false);
  await context.close();
});
