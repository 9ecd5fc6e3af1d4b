// Clubs end to end, on a server of its own (the demo loaded): the demo customer joins the open
// Morning club from the card; shops twice more at the till to meet the Tasters' rules (6
// purchases in 30 days), applies with the questionnaire and their friend's invitation code, the
// manager approves the application in the console, and the Tasters' 8% comes off the next bill;
// then the customer pays the Bean subscription with points (the confirmation shows the balance
// after) and the next purchase earns at Silver's x1.25 times the club's x1.5 with its 10% off.
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
  Secret,
  Server,
  shot,
  signInAsDemo,
  signInAtTill,
  startServer,
  watchConsole,
  workDir,
} from './support';

const CASHIER = { email: 'till@example.com', password: 'tessera-till' };
const MANAGER = { email: 'manager@example.com', password: 'tessera-manager' };

/** `1234` as the page's Intl writes it. */
const points = (page: Page, n: number) =>
  page.evaluate((n) => new Intl.NumberFormat(navigator.language).format(n), n);

let server: Server;

test.beforeAll(async () => {
  server = await startServer(workDir('clubs'));
});

test.afterAll(async () => {
  await server?.stop();
});

/** Codes of the card at steps the server accepts, each later than the last (a till takes a
 * card's code once, and no older one after it). */
function codes(secret: Secret) {
  let last = 0;
  return async () => {
    let step = Math.max(last + 1, nowStep() - 1);
    while (step > nowStep() + 1) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    last = step;
    return scannedCode(secret, step);
  };
}

/** Finds the member at the till by their code, then records purchases of `bills` (GEL, as typed),
 * "Same customer" between them; leaves the till on the last one's receipt. */
async function buy(page: Page, code: string, bills: string[]) {
  await page.getByRole('tab', { name: 'Type code' }).click();
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Find member' }).click();
  await expect(page.getByTestId('member-name')).toHaveText('Nino Beridze');
  for (const [i, bill] of bills.entries()) {
    if (i > 0) await page.getByRole('button', { name: 'Same customer' }).click();
    await page.getByLabel('Bill (GEL)').fill(bill);
    await page.getByRole('button', { name: 'Record purchase' }).click();
    await expect(page.getByRole('heading', { name: 'Purchase recorded' })).toBeVisible();
  }
}

test('a customer joins an open, a closed and a paid club and gets their benefits at the till', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const { context, page } = await phone(browser, server);
  const problems = watchConsole(page);
  const customer = await demoCustomer(context.request);
  const nextCode = codes(customer.secret);
  const cashier = await browser.newPage({ baseURL: server.url, viewport: { width: 390, height: 844 } });
  const tillProblems = watchConsole(cashier);
  await signInAtTill(cashier, CASHIER);

  // The clubs, from the card.
  await signInAsDemo(page);
  await page.getByRole('article', { name: 'Mziuri Coffee' }).click();
  await page.getByRole('link', { name: 'Clubs' }).click();
  await expect(page.getByRole('heading', { name: 'Clubs' })).toBeVisible();
  const tasters = page.locator('[data-club="tasters"]');
  await expect(tasters).toContainText(/[45] of 6 purchases in the last 30 days/);
  await expect(page.locator('[data-club="beans"]')).toContainText('10% off every purchase');
  await shot(page, 'clubs', true);

  // The open club: one tap.
  await page.locator('[data-club="morning"]').click();
  await expect(page.getByRole('heading', { name: 'Morning club' })).toBeVisible();
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByTestId('club-done')).toHaveText('Welcome to the club!');
  await expect(page.getByTestId('club-state')).toHaveText("You're a member");
  await page.getByRole('link', { name: 'Clubs' }).click();

  // Two more purchases make six in 30 days: the Tasters' rules hold.
  await buy(cashier, await nextCode(), ['6.00', '7.00']);
  await page.reload();
  await expect(tasters).toContainText('You can join');

  // The application: the questionnaire and the friend's invitation code.
  const made = await friendsInvitation(context.request, '/api/v1/programs/mziuri/clubs/tasters/invitations');
  const code: string = made.club.invitations[0].code;
  await tasters.click();
  await expect(page.getByRole('heading', { name: 'Tasters' })).toBeVisible();
  await expect(page.getByText(/^[67] of 6 purchases in the last 30 days$/)).toBeVisible();
  // The form is a screen of its own.
  await page.getByRole('link', { name: 'Apply' }).click();
  await expect(page.getByRole('heading', { name: 'Tasters' })).toBeVisible();
  // Without the required answer, the question says so.
  await page.getByLabel('Invitation code').fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Send application' }).click();
  await expect(page.getByRole('group', { name: 'Your favourite roast?' })).toContainText(
    'This field is required.',
  );
  await page.getByRole('radio', { name: 'Dark' }).check();
  await page.getByLabel('Why would you like to join? (optional)').fill('For the single origins');
  await shot(page, 'club-apply', true);
  await page.getByRole('button', { name: 'Send application' }).click();
  await expect(page.getByTestId('club-done')).toHaveText(
    "Application sent. You'll see the answer here.",
  );
  await page.getByRole('link', { name: 'The club' }).last().click();
  await expect(page.getByTestId('club-state')).toContainText('waiting for an answer');

  // The manager approves it in the console.
  const manager = await browser.newPage({ baseURL: server.url, viewport: { width: 390, height: 844 } });
  await signInAtTill(manager, MANAGER);
  await manager.getByRole('button', { name: 'Applications' }).click();
  const application = manager.getByTestId('application');
  await expect(application).toHaveCount(1);
  await expect(application).toContainText('Nino Beridze');
  await expect(application).toContainText('Dark');
  await expect(application).toContainText('For the single origins');
  await expect(application).toContainText("Came with a member's invitation");
  await shot(manager, 'till-applications', true);
  await application.getByRole('button', { name: 'Approve' }).click();
  await expect(manager.getByTestId('decided')).toHaveText(
    'Nino Beridze is now a member of Tasters.',
  );
  await expect(manager.getByTestId('no-applications')).toBeVisible();

  // The wallet says so at the next open.
  await page.goto(`${page.url().replace(/\/tasters$/, '')}`);
  await expect(page.getByTestId('club-notice')).toHaveText(
    /Welcome! Your application to Tasters was approved\./,
  );
  await page.getByTestId('club-notice').getByRole('button', { name: 'OK' }).click();
  await expect(page.getByTestId('club-notice')).toHaveCount(0);
  await expect(tasters).toContainText("You're a member");

  // The Tasters' 8% beats Silver's 5% at the till.
  await cashier.getByRole('button', { name: 'Next customer' }).click();
  await buy(cashier, await nextCode(), ['10.00']);
  await expect(cashier.getByText(`Member discount 8%: −${lari(discountOf(1000, 800))}`)).toBeVisible();

  // The paid club, with points: the confirmation shows the balance after.
  const before = await customer.card();
  await page.locator('[data-club="beans"]').click();
  await expect(page.getByRole('heading', { name: 'Bean subscription' })).toBeVisible();
  await expect(page.getByText('To join: 500 points or ₾25.00')).toBeVisible();
  await page.getByRole('button', { name: 'Pay 500 points' }).click();
  await expect(page.getByTestId('balance-after')).toHaveText(
    `Your balance after: ${await points(page, before.balance - 500)} points`,
  );
  await shot(page, 'club-pay', true);
  await page.getByRole('button', { name: 'Pay and join' }).click();
  await expect(page.getByTestId('club-done')).toHaveText('Welcome to the club!');
  await expect(page.getByTestId('club-state')).toHaveText(/^Member until /);
  expect((await customer.card()).balance).toBe(before.balance - 500);
  await shot(page, 'club-member', true);

  // Its 10% off and x1.5 on the next purchase: Silver's x1.25 times x1.5, rounded down once.
  await cashier.getByRole('button', { name: 'Next customer' }).click();
  await buy(cashier, await nextCode(), ['20.00']);
  const paid = 2000 - discountOf(2000, 1000);
  await expect(cashier.getByText(`Member discount 10%: −${lari(2000 - paid)}`)).toBeVisible();
  const earned = Math.floor((paid * 125 * 150) / (100 * 100 * 100));
  await expect(cashier.getByText(`+${earned} points earned`)).toBeVisible();

  // The application sent without its required answer was refused, as it should be.
  expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
  expect(tillProblems).toEqual([]);
  await manager.close();
  await cashier.close();
  await context.close();
});

test('the cashier takes a club fee in money, and the member is a member until a month on', async ({
  browser,
}) => {
  // The demo's friend, not yet in the Bean subscription.
  const page = await browser.newPage({ baseURL: server.url, viewport: { width: 390, height: 844 } });
  const problems = watchConsole(page);
  const friend = await demoCustomer(page.request, 'friend@example.com');
  await signInAtTill(page, CASHIER);
  await page.getByRole('tab', { name: 'Type code' }).click();
  await page.getByLabel('Code').fill(scannedCode(friend.secret, nowStep()));
  await page.getByRole('button', { name: 'Find member' }).click();
  await expect(page.getByTestId('member-name')).toHaveText('Tamar Kapanadze');
  // The club parts come with the console's club module, once it is loaded.
  const fee = page.locator('.club-fee[data-club="beans"]');
  await expect(fee).toContainText('Join Bean subscription');
  await shot(page, 'till-club-fee', true);
  await fee.getByRole('button', { name: 'Take ₾25.00' }).click();
  await expect(fee.getByTestId('club-fee-taken')).toHaveText(/^₾25\.00 taken\. Member until /);
  // The card has the club's 10% now.
  expect((await friend.card()).club_discount_bp).toBe(1000);
  expect(problems).toEqual([]);
  await page.close();
});
