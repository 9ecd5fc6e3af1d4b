// Rewards end to end, on a server of its own (the demo loaded): the demo customer opens the
// catalog from the card, redeems the bakery's croissant with a double tap after a confirmation
// that shows the balance after, and gets one voucher whose QR code (read off a screenshot by
// zbarimg) carries its typed code; offline, the voucher still shows;
// the bakery's cashier signs in, finds the member by their
// checkout code, applies the voucher to the bill after the member's discount and records the
// purchase; the wallet then lists the voucher as used, and the card's history and balance show
// the purchase. With SCREENSHOTS=1 it writes the screens at 390x844 to docs/screenshots/.
import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import {
  demoCustomer,
  discountOf,
  lari,
  nowStep,
  phone,
  scannedCode,
  Server,
  serviceWorkerReady,
  shot,
  signInAsDemo,
  startServer,
  watchConsole,
  workDir,
} from './support';

const BAKERY = { email: 'bakery@example.com', password: 'tessera-bakery' };
const CROISSANT = { title: 'A butter croissant', cost: 120, value: 450 };

/** `1234` as the page's Intl writes it. */
const points = (page: Page, n: number) =>
  page.evaluate((n) => new Intl.NumberFormat(navigator.language).format(n), n);

let server: Server;
let dir: string;

test.beforeAll(async () => {
  dir = workDir('rewards');
  server = await startServer(dir);
});

test.afterAll(async () => {
  await server?.stop();
});

test('a reward redeemed in the wallet is applied at the other partner\'s till', async ({ browser }) => {
  const { context, page } = await phone(browser, server);
  const problems = watchConsole(page);
  const customer = await demoCustomer(context.request);
  const before = await customer.card();

  // The catalog, from the card: what the customer can afford first.
  await signInAsDemo(page);
  await page.getByRole('article', { name: 'Mziuri Coffee' }).click();
  await page.getByRole('link', { name: 'Rewards' }).click();
  await expect(page.getByRole('heading', { name: 'Rewards' })).toBeVisible();
  await expect(page.getByTestId('rewards-balance')).toHaveText(
    `You have ${await points(page, before.balance)} points to spend.`,
  );
  await expect(page.getByText('Collect and spend at Mziuri Coffee, Mziuri Bakery.')).toBeVisible();
  const croissant = page.locator('[data-reward="croissant"]');
  await expect(croissant).toContainText('At Mziuri Bakery');
  await expect(page.locator('[data-reward="mug"]')).toContainText('Out of stock');
  await expect(page.locator('[data-reward="tasting"]')).toContainText('For Gold members');
  await shot(page, 'rewards', true);

  // The reward, and the confirmation with the balance after.
  await croissant.click();
  await expect(page.getByRole('heading', { name: CROISSANT.title })).toBeVisible();
  await page.getByRole('button', { name: `Redeem for ${CROISSANT.cost} points` }).click();
  await expect(page.getByTestId('balance-after')).toHaveText(
    `Your balance after: ${await points(page, before.balance - CROISSANT.cost)} points`,
  );
  await shot(page, 'reward-confirm', true);
  // A double tap redeems once (the button is disabled while the request is in flight).
  await page.getByRole('button', { name: 'Redeem', exact: true }).dblclick();
  await expect(page.getByRole('heading', { name: "It's yours" })).toBeVisible();
  await expect(page.getByTestId('redeemed')).toHaveText(
    `Redeemed for ${CROISSANT.cost} points. Your balance is now ${await points(page, before.balance - CROISSANT.cost)} points.`,
  );
  const code = ((await page.getByTestId('voucher-code').textContent()) ?? '').replace('-', '');
  // Crockford's base32: no I, L, O or U to misread.
  expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
  await expect(page.getByText('At Mziuri Bakery')).toBeVisible();

  // The QR code carries the typed code.
  const file = path.join(dir, 'voucher.png');
  await page.locator('.voucher__qr').screenshot({ path: file });
  const scanned = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).trim();
  expect(scanned).toBe(code);
  await shot(page, 'voucher', true);
  expect((await customer.card()).balance).toBe(before.balance - CROISSANT.cost);

  // One voucher, active, in the list.
  await page.getByRole('link', { name: 'My vouchers' }).click();
  await expect(page.getByTestId('vouchers').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('vouchers')).toContainText('Ready to use');

  // Offline, the voucher still shows, QR code and all: the answer the phone kept, the areas
  // module from the service worker.
  await page.getByTestId('vouchers').getByRole('link').click();
  const grouped = `${code.slice(0, 5)}-${code.slice(5)}`;
  await expect(page.getByTestId('voucher-code')).toHaveText(grouped);
  await serviceWorkerReady(page);
  await server.stop();
  await page.reload();
  await expect(page.getByTestId('voucher-code')).toHaveText(grouped);
  await expect(page.locator('.voucher__qr')).toBeVisible();
  await expect(page.locator('.offline-line')).toBeVisible();
  server = await startServer(dir, server.port, { fresh: false });

  // The bakery's cashier: sign-in, the member by their checkout code, then the voucher.
  const till = await browser.newPage({ baseURL: server.url, viewport: { width: 390, height: 844 } });
  const tillProblems = watchConsole(till);
  await till.goto('/till');
  await expect(till.getByRole('heading', { name: 'Till sign-in' })).toBeVisible();
  await till.getByLabel('Email').fill(BAKERY.email);
  await till.getByLabel('Password').fill(BAKERY.password);
  await till.getByRole('button', { name: 'Sign in' }).click();
  await expect(till.getByRole('heading', { name: 'Next customer' })).toBeVisible();
  await till.getByRole('tab', { name: 'Type code' }).click();
  await till.getByLabel('Code').fill(scannedCode(customer.secret, nowStep()));
  await till.getByRole('button', { name: 'Find member' }).click();
  await expect(till.getByTestId('member-name')).toHaveText('Nino Beridze');

  const rate = before.discount.rate_bp;
  const off = discountOf(1000, rate);
  await till.getByLabel('Bill (GEL)').fill('10.00');
  await till.getByLabel('Voucher code (optional)').fill(code.toLowerCase());
  await till.getByRole('button', { name: 'Apply voucher' }).click();
  await expect(till.getByTestId('voucher-applied')).toContainText(CROISSANT.title);
  const toPay = 1000 - off - CROISSANT.value;
  await expect(till.getByTestId('bill')).toContainText(`−${lari(CROISSANT.value)}`);
  await expect(till.getByTestId('to-pay')).toHaveText(lari(toPay));
  await shot(till, 'till-voucher', true);
  await till.getByRole('button', { name: 'Record purchase' }).click();
  await expect(till.getByRole('heading', { name: 'Purchase recorded' })).toBeVisible();
  await expect(till.getByText(`Voucher: −${lari(CROISSANT.value)}`)).toBeVisible();
  await expect(till.getByTestId('to-pay')).toHaveText(`To pay: ${lari(toPay)}`);

  // The wallet: the voucher used, the purchase in the history (the money paid, at the bakery),
  // and the balance.
  await page.goto('/vouchers');
  await expect(page.getByTestId('vouchers')).toContainText('Used');
  await shot(page, 'vouchers', true);
  const after = await customer.card();
  const earned = (await customer.history())[0];
  expect(earned.kind).toBe('earned');
  expect(earned.spend_minor).toBe(toPay);
  await page.goto(`/cards/${after.id}`);
  await expect(page.getByTestId('balance')).toHaveText(await points(page, after.balance));
  const row = page.locator('.history__row').first();
  await expect(row).toContainText(lari(toPay));
  await expect(row).toContainText('Vake Park');
  // The requests made while the server was stopped failed, as they should.
  expect(problems.filter((p) => !/net::ERR_/.test(p))).toEqual([]);
  expect(tillProblems).toEqual([]);
  await till.close();
  await context.close();
});
