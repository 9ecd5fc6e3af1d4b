// Where the customer is signed in, end to end on a server of its own (the demo loaded): the demo's
// friend signs in on two phones; on the second, settings lists both sessions with this one
// marked, "Sign out everywhere else" signs the first out (its next screen falls back to sign-in),
// and "I lost my phone" after its confirmation says the other devices' codes are stopped.
// With SCREENSHOTS=1 it writes the screen at 390x844 to docs/screenshots/.
import { test, expect, Page } from '@playwright/test';
import { phone, Server, shot, startServer, watchConsole, workDir } from './support';

let server: Server;

test.beforeAll(async () => {
  server = await startServer(workDir('sessions'));
});

test.afterAll(async () => {
  await server?.stop();
});

async function signInAsFriend(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('friend@example.com');
  await page.getByLabel('Password').fill('tessera-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
}

test('a customer sees where they are signed in and signs the other devices out', async ({ browser }) => {
  const first = await phone(browser, server);
  const second = await phone(browser, server);
  const problems = watchConsole(second.page);
  await signInAsFriend(first.page);
  await signInAsFriend(second.page);

  await second.page.goto('/settings');
  await second.page.getByRole('link', { name: "Where you're signed in" }).click();
  await expect(second.page).toHaveURL(/\/settings\/sessions$/);
  await expect(second.page.getByRole('heading', { name: "Where you're signed in" })).toBeVisible();
  const sessions = second.page.getByTestId('session');
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(sessions.first()).toContainText(/Chrome on Android|A browser|Chrome on Linux/);
  await shot(second.page, 'sessions', true);

  await second.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(second.page.getByTestId('sessions-done')).toHaveText(
    'Every other device is signed out.',
  );
  await expect(sessions).toHaveCount(1);
  // The first phone's next screen finds its session ended and goes to sign-in.
  await first.page.goto('/settings');
  await expect(first.page).toHaveURL(/\/sign-in/);

  // Signed in there again, then reported lost from here.
  await signInAsFriend(first.page);
  await second.page.reload();
  await expect(sessions).toHaveCount(2);
  await second.page.getByRole('button', { name: 'Stop my other devices' }).click();
  await expect(second.page.getByText('Every other device will be signed out')).toBeVisible();
  await second.page.getByRole('button', { name: 'Stop my other devices' }).last().click();
  await expect(second.page.getByTestId('sessions-done')).toHaveText(
    'Done: your other devices are signed out and their codes no longer work.',
  );
  await expect(sessions).toHaveCount(1);
  await first.page.goto('/vouchers');
  await expect(first.page).toHaveURL(/\/sign-in/);

  expect(problems).toEqual([]);
  await first.context.close();
  await second.context.close();
});
