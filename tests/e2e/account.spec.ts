// The customer's own account, end to end on a server of its own: a customer who joined with
// offers by email changes their details, stops the offers and reads both in what they agreed
// to; a new password signs their other phone out (its next screen falls back to sign-in) and is
// the one that signs in from then on. With SCREENSHOTS=1 it writes the screens at 390x844 to
// docs/screenshots/.
import { test, expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import { joinThroughApi, phone, Server, shot, startServer, watchConsole, workDir } from './support';

let server: Server;

test.beforeAll(async () => {
  server = await startServer(workDir('account'));
});

test.afterAll(async () => {
  await server?.stop();
});

const PASSWORD = 'correct horse battery';

/** A new customer who said yes to offers by email, joined through the API. */
async function join(email: string) {
  await joinThroughApi(server, {
    email,
    password: PASSWORD,
    display_name: 'Mariam',
    phone: '+995 555 00 11 22',
    marketing_opt_in: true,
  });
}

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
}

test('a customer changes their details and stops offers by email, and the history says so', async ({
  browser,
}) => {
  await join('mariam@example.com');
  const { context, page } = await phone(browser, server);
  const problems = watchConsole(page);
  await signIn(page, 'mariam@example.com');

  await page.goto('/settings');
  await expect(page.getByTestId('email')).toHaveText('mariam@example.com');
  await shot(page, 'settings', true);
  await page.getByRole('link', { name: 'Your details and consents' }).click();
  await expect(page).toHaveURL(/\/settings\/details$/);
  await expect(page.getByRole('heading', { name: 'Your details' })).toBeVisible();
  const history = page.getByTestId('consent');
  await expect(history.filter({ hasText: 'Agreed to offers by email' })).toHaveCount(1);
  await expect(history.filter({ hasText: "Accepted Mziuri Coffee's terms" })).toHaveCount(1);

  await page.getByLabel('Name').fill('Mariam K.');
  await page.getByLabel('Phone (optional)').fill('+371 2000 0000');
  // The language this page speaks: kept on the account, no reload (languages.spec changes it).
  await page.getByLabel('Language').selectOption('en');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('details-saved')).toHaveText('Saved.');

  await expect(page.getByTestId('marketing')).toContainText('You get offers by email');
  await page.getByRole('button', { name: 'Stop offers by email' }).click();
  await expect(page.getByTestId('marketing')).toHaveText("You don't get offers by email.");
  await expect(history.first()).toContainText('Declined offers by email');
  await shot(page, 'details', true);

  // Settings and, read again from the server, the details screen show the new details.
  await page.goto('/settings');
  await expect(page.getByTestId('name')).toHaveText('Mariam K.');
  await page.getByRole('link', { name: 'Your details and consents' }).click();
  await expect(page.getByLabel('Phone (optional)')).toHaveValue('+37120000000');
  await expect(page.getByLabel('Language')).toHaveValue('en');
  await expect(page.getByTestId('marketing')).toHaveText("You don't get offers by email.");

  expect(problems).toEqual([]);
  await context.close();
});

test('a new password signs the other phone out and is the one that signs in', async ({ browser }) => {
  await join('giorgi@example.com');
  const first = await phone(browser, server);
  const second = await phone(browser, server);
  await signIn(first.page, 'giorgi@example.com');
  await signIn(second.page, 'giorgi@example.com');

  await second.page.goto('/settings');
  await second.page.getByRole('link', { name: 'Change password' }).click();
  await expect(second.page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await second.page.getByLabel('Current password').fill('not my password');
  await second.page.getByLabel('New password').fill('a much newer passphrase');
  await second.page.getByRole('button', { name: 'Change password' }).click();
  await expect(second.page.getByRole('alert')).toContainText('The current password is wrong.');

  await second.page.getByLabel('Current password').fill(PASSWORD);
  await second.page.getByRole('button', { name: 'Change password' }).click();
  await expect(second.page.getByTestId('password-changed')).toHaveText(
    'Password changed. Your other devices are signed out.',
  );
  await expect(second.page.getByLabel('Current password')).toHaveValue('');
  await shot(second.page, 'password');

  await first.page.goto('/settings');
  await expect(first.page).toHaveURL(/\/sign-in/);
  await signIn(first.page, 'giorgi@example.com', 'a much newer passphrase');

  await first.context.close();
  await second.context.close();
});

test('a customer downloads their data, then deletes the account, which can join again', async ({
  browser,
}) => {
  await join('tamar@example.com');
  const { context, page } = await phone(browser, server);
  const problems = watchConsole(page);
  await signIn(page, 'tamar@example.com');

  await page.goto('/settings');
  await page.getByRole('link', { name: 'Your data' }).click();
  await expect(page.getByRole('heading', { name: 'Your data' })).toBeVisible();
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  expect(json.suggestedFilename()).toBe('tessera-export.json');
  const exported = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  expect(exported.profile.email).toBe('tamar@example.com');
  expect(exported.cards.length).toBeGreaterThan(0);
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download points history (CSV)' }).click(),
  ]);
  expect(fs.readFileSync(await csv.path(), 'utf8').split('\n')[0]).toBe(
    'program,card,seq,time_utc,kind,points,reason,place,spend_minor',
  );

  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const confirm = page.getByTestId('delete-confirm');
  await expect(confirm.getByTestId('loss').first()).toContainText('on Mziuri Coffee');
  await shot(page, 'delete-account', true);
  // (From here on the wrong password and the deleted account's sign-in are refused, 401s the
  // browser reports.)
  expect(problems).toEqual([]);
  await confirm.getByLabel('Your password').fill('not it');
  await confirm.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(confirm.getByRole('alert')).toContainText('The password is wrong.');
  await confirm.getByLabel('Your password').fill(PASSWORD);
  await confirm.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // Gone: the address no longer signs in, and can join again as someone new.
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('tamar@example.com');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText("don't match");
  await join('tamar@example.com');
  await context.close();
});

test('the terms and the privacy notice are read without signing in', async ({ browser }) => {
  const { context, page } = await phone(browser, server);
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Privacy' }).click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expect(page.getByRole('heading', { name: 'Privacy notice' })).toBeVisible();
  await expect(page.getByTestId('published-stamp')).toContainText('Version 2026-11-15');
  await expect(page.getByText('Backups are kept for 30 days')).toBeVisible();
  await page.goto('/terms');
  await expect(page.getByRole('heading', { name: 'Terms of use' })).toBeVisible();
  await expect(page.getByText('Tessera keeps your loyalty cards', { exact: false })).toBeVisible();
  await shot(page, 'terms');
  await context.close();
});
