// A forgotten password, end to end on a server of its own that sends its e-mail to a sink this
// spec runs: "Forgot your password?" from sign-in, the link from the e-mail, a new password,
// and signing in with it. With SCREENSHOTS=1 it writes the screens at 390x844.
import { test, expect, request as api } from '@playwright/test';
import { MailSink, phone, Server, shot, startMailSink, startServer, workDir } from './support';

let sink: MailSink;
let server: Server;

test.beforeAll(async () => {
  sink = await startMailSink();
  server = await startServer(workDir('reset'), undefined, { smtp: sink });
});

test.afterAll(async () => {
  await server?.stop();
  await sink?.stop();
});

test('a customer who forgot their password sets a new one through the e-mailed link', async ({
  browser,
}) => {
  const context = await api.newContext({ baseURL: server.url });
  const terms = await (await context.get('/api/v1/terms')).json();
  const joined = await context.post('/api/v1/auth/register', {
    data: {
      email: 'eka@example.com',
      password: 'my old passphrase',
      display_name: 'Eka',
      accepted_terms_version: terms.version,
    },
  });
  expect(joined.status()).toBe(201);
  await context.dispose();

  const { context: phoneContext, page } = await phone(browser, server);
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await page.getByLabel('Email').fill('eka@example.com');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText('eka@example.com');
  await shot(page, 'forgot', true);

  // The e-mail's link (quoted-printable: soft line breaks, `=3D` for `=`).
  await expect.poll(() => sink.messages.filter((m) => m.includes('To: eka@example.com')).length).toBe(1);
  const message = sink.messages.find((m) => m.includes('To: eka@example.com'))!;
  const link = message.replace(/=\n/g, '').replace(/=3D/g, '=').match(/http:\/\/\S+\/reset#token=\S+/)![0];
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  // The token is out of the address once read.
  expect(page.url()).not.toContain('token');
  await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByTestId('reset-done')).toHaveText('Your password is set. Sign in with it.');

  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill('eka@example.com');
  await page.getByLabel('Password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();

  // The link works once.
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('yet another passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('alert')).toContainText('used already or has expired');
  await phoneContext.close();
});
