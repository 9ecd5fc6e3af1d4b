// A closed program end to end, on a server of its own (the demo loaded): the demo customer finds
// the Mziuri Wine Cellar on the home ("By invitation"), applies with its questionnaire and their
// friend's invitation code (the friend holds the cellar's card), the cellar's manager approves
// the application in the console, and the customer holds two cards: the cellar's, whose 5% comes
// off at the cellar's till, and whose own invitation codes they can now share.
// With SCREENSHOTS=1 it writes the screens at 390x844 to docs/screenshots/.
import { test, expect, Page } from '@playwright/test';
import {
  demoCustomer,
  friendsInvitation,
  discountOf,
  lari,
  nowStep,
  phone,
  scannedCode,
  Server,
  shot,
  signInAsDemo,
  signInAtTill,
  startServer,
  watchConsole,
  workDir,
} from './support';

const CELLAR_MANAGER = { email: 'cellar@example.com', password: 'tessera-manager' };

let server: Server;

test.beforeAll(async () => {
  server = await startServer(workDir('programs'));
});

test.afterAll(async () => {
  await server?.stop();
});

test('a customer applies to a closed program, a manager approves, and the second card works at its till', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const { context, page } = await phone(browser, server);
  const problems = watchConsole(page);
  await signInAsDemo(page);

  // The home offers the cellar, by invitation.
  const offers = page.getByTestId('by-invitation');
  await expect(offers).toContainText('Mziuri Wine Cellar');
  await expect(offers).toContainText('Apply to join');
  await shot(page, 'home-by-invitation', true);
  await offers.getByRole('link', { name: /Mziuri Wine Cellar/ }).click();
  await expect(page.getByRole('heading', { name: 'Mziuri Wine Cellar' })).toBeVisible();
  await expect(page.getByText("Members' tastings and 5% off every bottle.")).toBeVisible();

  // The questionnaire and the friend's code (typed in lower case).
  const made = await friendsInvitation(context.request, '/api/v1/programs/cellar/invitations');
  const code: string = made.invitations[0].code;
  await page.getByRole('checkbox', { name: 'Red' }).check();
  await page.getByRole('checkbox', { name: 'Amber' }).check();
  await page.getByRole('group', { name: 'Are you 18 or older?' }).getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('Invitation code').fill(code.toLowerCase());
  await shot(page, 'program-apply', true);
  await page.getByRole('button', { name: 'Send application' }).click();
  await expect(page.getByTestId('program-done')).toHaveText(
    "Application sent. You'll see the answer here.",
  );
  await expect(page.getByTestId('program-state')).toContainText('a manager will decide');
  await page.getByRole('link', { name: 'Your cards' }).click();
  await expect(offers).toContainText('Application sent: waiting for an answer');

  // The cellar's manager approves it in the console.
  const manager = await browser.newPage({ baseURL: server.url, viewport: { width: 390, height: 844 } });
  const managerProblems = watchConsole(manager);
  await signInAtTill(manager, CELLAR_MANAGER);
  await manager.getByRole('button', { name: 'Applications' }).click();
  const application = manager.getByTestId('application');
  await expect(application).toHaveCount(1);
  await expect(application).toContainText('Mziuri Wine Cellar');
  await expect(application).toContainText('Nino Beridze · new to the program');
  await expect(application).toContainText('Red, Amber');
  await expect(application).toContainText("Came with a member's invitation");
  await shot(manager, 'till-program-application', true);
  await application.getByRole('button', { name: 'Approve' }).click();
  await expect(manager.getByTestId('decided')).toHaveText(
    'Nino Beridze is now a member of Mziuri Wine Cellar.',
  );

  // Two cards on the home now; the cellar's offer is to invite friends.
  await page.reload();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
  await expect(page.getByRole('article', { name: 'Mziuri Wine Cellar' })).toBeVisible();
  await expect(offers).toContainText('Invite friends');
  await shot(page, 'home-two-cards', true);
  await offers.getByRole('link', { name: /Mziuri Wine Cellar/ }).click();
  await expect(page.getByTestId('program-state')).toHaveText('You hold this card.');
  await page.getByRole('button', { name: 'New invitation code' }).click();
  await expect(page.getByTestId('invitation-code')).toHaveCount(1);
  await expect(page.getByText('2 left this year')).toBeVisible();
  await shot(page, 'program-member', true);

  // The cellar's 5% at the cellar's till, on the cellar card's code.
  const cellar = await demoCustomer(context.request, 'demo@example.com', 'cellar');
  await manager.getByRole('button', { name: 'Back to the till' }).click();
  await manager.getByRole('tab', { name: 'Type code' }).click();
  await manager.getByLabel('Code').fill(scannedCode(cellar.secret, nowStep()));
  await manager.getByRole('button', { name: 'Find member' }).click();
  await expect(manager.getByTestId('member-name')).toHaveText('Nino Beridze');
  await manager.getByLabel('Bill (GEL)').fill('40.00');
  await manager.getByRole('button', { name: 'Record purchase' }).click();
  await expect(manager.getByRole('heading', { name: 'Purchase recorded' })).toBeVisible();
  await expect(manager.getByText(`Member discount 5%: −${lari(discountOf(4000, 500))}`)).toBeVisible();
  expect((await cellar.card()).program_id).toBe('cellar');

  expect(problems).toEqual([]);
  expect(managerProblems).toEqual([]);
  await manager.close();
  await context.close();
});
