// The card screen against the real server and the demo customer: every number it shows is the
// API's (fetched here with the wallet's own session), formatted the way the browser's Intl
// formats it for the page's locale; the history pages on as it scrolls; an unknown card has its
// own state. The demo data may change, so nothing below hard-codes it.
import { test, expect, Page } from '@playwright/test';
import { signInAsDemo, watchConsole } from './support';

type PointsOn = { at: number; date: string; points: number };
type Goal = { name: string; threshold: number; remaining: number; by: string | null };
type Card = {
  id: string;
  program_name: string;
  point_name: string;
  currency: string;
  balance: number;
  pending: PointsOn[];
  expiring: PointsOn[];
  tier: {
    name: string;
    qualifying: number;
    qualify_by: string;
    multiplier_percent: number;
    next: Goal | null;
    keep: Goal | null;
  } | null;
  discount: { kind: string; rate_bp: number };
};
type HistoryPage = { entries: { seq: number }[]; next_cursor: string | null };

/** GET an API path with the session the wallet stored (src/session.rs). */
async function api<T>(page: Page, path: string): Promise<T> {
  const token = await page.evaluate(
    () => JSON.parse(localStorage.getItem('tessera.session') ?? '{}').token as string,
  );
  const response = await page.request.get(`/api/v1${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as T;
}

/** Formats like the wallet (src/format.rs), with the browser's Intl and the page's language. */
async function formats(page: Page, card: Card) {
  return page.evaluate((card) => {
    const tag = navigator.languages.find((l) => l.split('-')[0] === 'en') ?? 'en';
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency: card.currency })
      .resolvedOptions().maximumFractionDigits ?? 2;
    const points = (n: number) => new Intl.NumberFormat(tag).format(n);
    const money = (minor: number) =>
      new Intl.NumberFormat(tag, {
        style: 'currency',
        currency: card.currency,
        currencyDisplay: 'narrowSymbol',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(minor / 10 ** digits);
    const percent = (bp: number) =>
      new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
    // Day and month only: the wallet adds the year when it is needed, which these contain.
    const day = (iso: string) =>
      new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
        new Date(`${iso}T00:00:00Z`),
      );
    return {
      balance: points(card.balance),
      pending: card.pending.map((p) => [points(p.points), day(p.date)]),
      expiring: card.expiring.map((p) => [points(p.points), day(p.date)]),
      next: card.tier?.next
        ? {
            remaining:
              card.tier.qualify_by === 'points'
                ? points(card.tier.next.remaining)
                : money(card.tier.next.remaining),
            by: card.tier.next.by ? day(card.tier.next.by) : null,
          }
        : null,
      discount: percent(card.discount.rate_bp),
    };
  }, card);
}

test('the card screen shows the numbers of the API', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsDemo(page);
  const wallet = await api<{ cards: Card[] }>(page, '/wallet');
  const card = wallet.cards.find((c) => c.program_name === 'Mziuri Coffee')!;
  expect(card, 'the demo customer has a Mziuri Coffee card').toBeTruthy();
  const f = await formats(page, card);

  // The cards home: the one line that matters next comes first from expiring points.
  const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(tile.getByTestId('balance')).toHaveText(f.balance);
  if (f.expiring.length > 0) {
    const [points, day] = f.expiring[0];
    await expect(tile.getByTestId('next')).toContainText(`${points} ${card.point_name} expire on`);
    await expect(tile.getByTestId('next')).toContainText(day);
  }
  if (card.tier) await expect(tile).toContainText(card.tier.name);

  // The whole tile opens the card.
  await tile.click();
  await expect(page).toHaveURL(new RegExp(`/cards/${card.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: card.program_name })).toBeAttached();
  await expect(page.getByTestId('balance')).toHaveText(f.balance);

  const pending = page.getByTestId('pending');
  await expect(pending).toHaveCount(f.pending.length);
  for (const [i, [points, day]] of f.pending.entries()) {
    await expect(pending.nth(i)).toContainText(`${points} ${card.point_name} available from`);
    await expect(pending.nth(i)).toContainText(day);
  }
  const expiring = page.getByTestId('expiring');
  await expect(expiring).toHaveCount(f.expiring.length);
  for (const [i, [points, day]] of f.expiring.entries()) {
    await expect(expiring.nth(i)).toContainText(`${points} ${card.point_name} expire on`);
    await expect(expiring.nth(i)).toContainText(day);
  }

  if (card.tier) {
    await expect(page.getByTestId('tier-name')).toHaveText(card.tier.name);
    const next = card.tier.next;
    if (next && f.next) {
      const goal = page.getByTestId('tier-next');
      await expect(goal).toContainText(f.next.remaining);
      await expect(goal).toContainText(`to reach ${next.name}`);
      if (f.next.by) await expect(goal).toContainText(f.next.by);
      const progress = page.getByRole('progressbar', { name: `Progress to ${next.name}` });
      await expect(progress).toHaveAttribute('max', String(next.threshold));
      await expect(progress).toHaveAttribute(
        'value',
        String(Math.min(card.tier.qualifying, next.threshold)),
      );
    }
    if (card.tier.multiplier_percent !== 100) {
      await expect(page.getByTestId('benefit').first()).toContainText('on every purchase');
    }
  }
  if (card.discount.kind !== 'none') {
    await expect(page.getByTestId('discount-rate')).toHaveText(f.discount);
  }
  expect(problems).toEqual([]);
});

test('the history loads its next page as it scrolls', async ({ page }) => {
  const problems = watchConsole(page);
  await signInAsDemo(page);
  const wallet = await api<{ cards: Card[] }>(page, '/wallet');
  const card = wallet.cards.find((c) => c.program_name === 'Mziuri Coffee')!;
  const first = await api<HistoryPage>(page, `/cards/${card.id}/history`);
  test.skip(first.next_cursor === null, 'the demo card has 20 entries or fewer');

  const asked: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('/history')) asked.push(url.search);
  });
  await page.goto(`/cards/${card.id}`);
  const rows = page.locator('.history__row');
  await expect(rows).toHaveCount(first.entries.length);

  // Nothing clicked: bringing the end of the list near the viewport asks for the next page.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect.poll(() => rows.count()).toBeGreaterThan(first.entries.length);
  expect(asked[0]).toBe('');
  expect(asked[1]).toBe(`?cursor=${encodeURIComponent(first.next_cursor!)}`);

  // On to the end: every entry once, each page asked for once.
  let total = first.entries.length;
  for (let cursor = first.next_cursor; cursor; ) {
    const page_ = await api<HistoryPage>(page, `/cards/${card.id}/history?cursor=${cursor}`);
    total += page_.entries.length;
    cursor = page_.next_cursor;
  }
  await expect
    .poll(async () => {
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      return rows.count();
    })
    .toBe(total);
  await expect(page.getByText("That's everything.")).toBeVisible();
  expect(new Set(asked).size).toBe(asked.length);
  expect(problems).toEqual([]);
});

test('an unknown card has its own state and a way back', async ({ page }) => {
  await signInAsDemo(page);
  await page.goto('/cards/no-such-card');
  await expect(page.getByRole('heading', { name: 'Card not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Your cards' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
});
