// Accessibility of every screen against the real server and the demo: axe-core finds no WCAG 2.2
// A or AA violation on any screen or state (loading, empty, error, offline) in English light and
// dark and in Georgian light; at 360 px wide no screen scrolls sideways or clips its words in any
// of the five languages, nor in English with text at 200 %; the main flows work by keyboard alone
// with the focus visible at every step; motion stops for those who ask; and the checkout code
// and the progress bars have names a screen reader reads. The console's screens after a member
// is found are checked by axe too.
import { test, expect, Browser, BrowserContext, Locator, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  demoCustomer,
  joinThroughApi,
  nowStep,
  scannedCode,
  signInAsDemo,
  signInAtTill,
  startServer,
  workDir,
  Server,
} from './support';

const LANGUAGES = ['en', 'ka', 'bg', 'lv', 'sr-Latn'] as const;
type Language = (typeof LANGUAGES)[number];
const STAFF = { email: 'till@example.com', password: 'tessera-till' };

/** A screen: who sees it and its address (`card` is the demo's Mziuri Coffee card). */
type Screen = { name: string; who: 'visitor' | 'customer' | 'cashier'; path: (card: string) => string };

const SCREENS: Screen[] = [
  { name: 'sign-in', who: 'visitor', path: () => '/sign-in' },
  { name: 'join', who: 'visitor', path: () => '/join' },
  { name: 'forgotten password', who: 'visitor', path: () => '/forgot' },
  { name: 'lost phone', who: 'visitor', path: () => '/lost-phone' },
  { name: 'terms', who: 'visitor', path: () => '/terms' },
  { name: 'privacy', who: 'visitor', path: () => '/privacy' },
  { name: "till's sign-in", who: 'visitor', path: () => '/till/sign-in' },
  { name: 'cards home', who: 'customer', path: () => '/' },
  { name: 'card', who: 'customer', path: (card) => `/cards/${card}` },
  { name: 'checkout code', who: 'customer', path: (card) => `/cards/${card}/code` },
  { name: 'rewards', who: 'customer', path: (card) => `/cards/${card}/rewards` },
  { name: 'a reward', who: 'customer', path: (card) => `/cards/${card}/rewards/coffee` },
  { name: 'clubs', who: 'customer', path: (card) => `/cards/${card}/clubs` },
  { name: 'a paid club', who: 'customer', path: (card) => `/cards/${card}/clubs/beans` },
  { name: 'a closed club', who: 'customer', path: (card) => `/cards/${card}/clubs/tasters` },
  { name: 'a club application', who: 'customer', path: (card) => `/cards/${card}/clubs/tasters/apply` },
  { name: "a program's terms", who: 'customer', path: (card) => `/cards/${card}/terms` },
  { name: 'a closed program', who: 'customer', path: () => '/programs/cellar' },
  { name: 'vouchers', who: 'customer', path: () => '/vouchers' },
  { name: 'settings', who: 'customer', path: () => '/settings' },
  { name: 'details', who: 'customer', path: () => '/settings/details' },
  { name: 'password', who: 'customer', path: () => '/settings/password' },
  { name: 'sessions', who: 'customer', path: () => '/settings/sessions' },
  { name: 'your data', who: 'customer', path: () => '/settings/data' },
  { name: 'console', who: 'cashier', path: () => '/till' },
];

/** Waits until the screen has painted its title and nothing on it is still loading. */
async function settled(page: Page) {
  await expect(page.locator('h1').first()).toBeVisible();
  await page.waitForFunction(
    () => !document.getElementById('boot') && !document.querySelector('[aria-busy="true"]'),
  );
  await page.evaluate(() => document.fonts.ready);
}

/** axe-core's WCAG 2.2 A and AA violations on the page, one line each, with the elements. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  // Axe looked at something (rules that passed), so no violations means none.
  expect(result.passes.length).toBeGreaterThan(10);
  return result.violations.map(
    (v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** What overflows at the page's width: the page scrolling sideways, an element past the screen's
 * edge, or one whose words are cut off by its box (overflow hidden or clipped). */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const width = document.documentElement.clientWidth;
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}` +
      ` "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    if (document.documentElement.scrollWidth > width + 1)
      found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      if (el.closest('.sr-only, [aria-hidden="true"], svg')) continue;
      const box = el.getBoundingClientRect();
      // Visually hidden (the screen reader's only, like the till's wordmark on a phone).
      if (box.width <= 1 || box.height <= 1) continue;
      if (box.right > width + 1 || box.left < -1) found.push(`${describe(el)} goes past the edge`);
      const clips = (o: string) => o === 'hidden' || o === 'clip';
      const words = Array.from(el.childNodes).some(
        (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '',
      );
      if (!words) continue;
      if (clips(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
        found.push(`${describe(el)} cuts off its words`);
      if (clips(style.overflowY) && el.scrollHeight > el.clientHeight + 1)
        found.push(`${describe(el)} cuts off its lines`);
    }
    // Words past the edge of a box that does not clip them (a long e-mail address).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (!(node.textContent ?? '').trim() || parent.closest('.sr-only, [aria-hidden="true"], svg')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      if (box.width > 1 && box.right > width + 1) found.push(`${describe(parent)}: its words go past the edge`);
    }
    return found;
  });
}

/** Signs the page's context in as `who` (English forms) and gives the demo card's id. */
async function signIn(page: Page, who: Screen['who']): Promise<string> {
  if (who === 'cashier') {
    await signInAtTill(page, STAFF);
    return '';
  }
  await signInAsDemo(page);
  const card = await page
    .getByRole('article', { name: 'Mziuri Coffee' })
    .getAttribute('data-card-id');
  return card!;
}

/** Makes `language` this device's choice (the next page load paints in it). */
async function speak(page: Page, language: Language) {
  await page.evaluate((l) => localStorage.setItem('tessera.language', l), language);
}

/** A phone context of `width` px with `scheme`, signed in as `who` (nobody for visitors). */
async function device(
  browser: Browser,
  server: Server,
  who: Screen['who'],
  {
    width = 390,
    scheme = 'light' as 'light' | 'dark',
    bypassCSP = false,
    motion = 'reduce' as 'reduce' | 'no-preference',
  } = {},
): Promise<{ context: BrowserContext; page: Page; card: string }> {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    colorScheme: scheme,
    reducedMotion: motion,
    locale: 'en-US',
    bypassCSP,
  });
  const page = await context.newPage();
  const card = who === 'visitor' ? '' : await signIn(page, who);
  if (who === 'visitor') await page.goto('/sign-in');
  return { context, page, card };
}

let server: Server;
test.beforeAll(async () => {
  server = await startServer(workDir('accessibility'));
});
test.afterAll(async () => {
  await server?.stop();
});

const VARIANTS: { language: Language; scheme: 'light' | 'dark' }[] = [
  { language: 'en', scheme: 'light' },
  { language: 'en', scheme: 'dark' },
  { language: 'ka', scheme: 'light' },
];

for (const { language, scheme } of VARIANTS) {
  test(`axe finds nothing on any screen, ${language} ${scheme}`, async ({ browser }) => {
    test.setTimeout(240_000);
    const found: string[] = [];
    for (const who of ['visitor', 'customer', 'cashier'] as const) {
      const { context, page, card } = await device(browser, server, who, { scheme });
      await speak(page, language);
      for (const screen of SCREENS.filter((s) => s.who === who)) {
        await page.goto(screen.path(card));
        await settled(page);
        for (const v of await violations(page)) found.push(`${screen.name}: ${v}`);
      }
      await context.close();
    }
    expect(found).toEqual([]);
  });
}

/** The customers whose cards the console's screens show, one a variant (a code works once a
 * step, so none of them shares a card with another variant or with the keyboard test's demo). */
const TILL_CUSTOMERS = ['till-en@example.com', 'friend@example.com', 'till-ka@example.com'];

for (const [i, { language, scheme }] of VARIANTS.entries()) {
  test(`axe finds nothing on the console's member, bill and done screens, ${language} ${scheme}`, async ({
    browser,
  }) => {
    const email = TILL_CUSTOMERS[i];
    if (email !== 'friend@example.com')
      await joinThroughApi(server, { email, password: 'tessera-demo', display_name: 'Eka' });
    const api = await browser.newContext({ baseURL: server.url });
    const customer = await demoCustomer(api.request, email);
    await api.close();
    const { context, page } = await device(browser, server, 'cashier', { scheme });
    await speak(page, language);
    await page.goto('/till');
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    const found: string[] = [];
    const look = async (screen: string) => {
      await page.evaluate(() => document.fonts.ready);
      for (const v of await violations(page)) found.push(`${screen}: ${v}`);
    };
    // The tabs and fields by position and id: their names are the language's.
    await page.getByRole('tab').nth(1).click();
    await page.locator('#code').fill(scannedCode(customer.secret, nowStep()));
    await page.locator('#code').press('Enter');
    await expect(page.getByTestId('member-name')).toBeVisible();
    await look('member');
    await page.locator('#amount').fill('12.50');
    await expect(page.getByTestId('to-pay')).toBeVisible();
    await look('bill');
    await page.locator('#amount').press('Enter');
    await expect(page.locator('#done-title')).toBeVisible();
    await look('done');
    expect(found).toEqual([]);
    await context.close();
  });
}

test('no screen overflows or clips its words at 360 px in any language', async ({ browser }) => {
  test.setTimeout(420_000);
  const found: string[] = [];
  for (const who of ['visitor', 'customer', 'cashier'] as const) {
    const { context, page, card } = await device(browser, server, who, { width: 360 });
    for (const language of LANGUAGES) {
      await speak(page, language);
      for (const screen of SCREENS.filter((s) => s.who === who)) {
        await page.goto(screen.path(card));
        await settled(page);
        for (const o of await overflows(page)) found.push(`${language} ${screen.name}: ${o}`);
      }
    }
    await context.close();
  }
  expect(found).toEqual([]);
});

test('text at 200 % neither overflows nor clips at 360 px', async ({ browser }) => {
  test.setTimeout(240_000);
  const found: string[] = [];
  for (const who of ['visitor', 'customer', 'cashier'] as const) {
    // The root font size doubled by a style the CSP would refuse: this test only.
    const { context, page, card } = await device(browser, server, who, {
      width: 360,
      bypassCSP: true,
    });
    for (const screen of SCREENS.filter((s) => s.who === who)) {
      await page.goto(screen.path(card));
      await page.addStyleTag({ content: 'html { font-size: 200% !important; }' });
      await settled(page);
      const root = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
      expect(parseFloat(root)).toBeGreaterThanOrEqual(32);
      for (const o of await overflows(page)) found.push(`${screen.name}: ${o}`);
    }
    await context.close();
  }
  expect(found).toEqual([]);
});

test('the loading, empty, error and offline states have nothing for axe to find', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // Empty: a new customer, without vouchers, history or clubs.
  await joinThroughApi(server, {
    email: 'empty@example.com',
    password: 'a long enough password',
    display_name: 'Eka',
    preferred_language: 'en',
  });
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    const { context, page } = await device(browser, server, 'visitor', { scheme });
    await page.getByLabel('Email').fill('empty@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
    await expect(tile).toBeVisible();
    const card = (await tile.getAttribute('data-card-id'))!;
    // Loading (a screen never opened, so nothing kept): the answers held back until axe has looked.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/v1/**', async (route) => {
      await held;
      await route.continue().catch(() => {}); // the page may have moved on
    });
    await page.goto('/vouchers');
    await expect(page.locator('[aria-busy="true"]').first()).toBeAttached();
    for (const v of await violations(page)) found.push(`loading /vouchers ${scheme}: ${v}`);
    release();
    await page.unrouteAll({ behavior: 'wait' });

    for (const path of ['/vouchers', `/cards/${card}`, `/cards/${card}/clubs`]) {
      await page.goto(path);
      await settled(page);
      for (const v of await violations(page)) found.push(`empty ${path} ${scheme}: ${v}`);
    }

    // Not found: a card that is not there.
    await page.goto('/cards/00000000000000000000000000000000');
    await expect(page.locator('.state--missing')).toBeVisible();
    for (const v of await violations(page)) found.push(`not found ${scheme}: ${v}`);

    // An error: no answer for a screen the device has nothing kept of.
    await page.route('**/api/v1/me/sessions', (route) => route.abort('internetdisconnected'));
    await page.goto('/settings/sessions');
    await expect(page.getByRole('alert').first()).toBeVisible();
    for (const v of await violations(page)) found.push(`error ${scheme}: ${v}`);
    await page.unrouteAll();

    // Offline: the kept answers, with the line that says since when.
    await page.goto(`/cards/${card}`);
    await settled(page);
    await page.waitForTimeout(300); // the answer reaches IndexedDB
    await context.setOffline(true);
    await page.goto(`/cards/${card}`).catch(() => {});
    await expect(page.locator('.offline-line')).toBeVisible();
    for (const v of await violations(page)) found.push(`offline ${scheme}: ${v}`);
    await context.setOffline(false);
    await context.close();
  }
  expect(found).toEqual([]);
});

/** Presses Tab until `target` has the focus (at most 40 times) and checks the focus is drawn. */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const ring = await target.evaluate((el) => {
        const s = getComputedStyle(el);
        return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, shadow: s.boxShadow !== 'none' };
      });
      expect(ring.outline || ring.shadow, `the focus on ${target} is visible`).toBe(true);
      return;
    }
  }
  throw new Error(`Tab never reached ${target}`);
}

test('a customer signs in, opens the code and redeems a reward by keyboard alone', async ({
  browser,
}) => {
  const { context, page } = await device(browser, server, 'visitor');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type('demo@example.com');
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type('tessera-demo');
  await page.keyboard.press('Enter');
  const tile = page.getByRole('article', { name: 'Mziuri Coffee' });
  await expect(tile).toBeVisible();

  await tabTo(page, page.getByRole('link', { name: 'Show code for Mziuri Coffee' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('img', { name: /Checkout code for Mziuri Coffee/ })).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Close the code' }));
  await page.keyboard.press('Enter');
  await expect(tile).toBeVisible();

  await tabTo(page, page.locator('a.card-link').first());
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('tier-name')).toBeVisible();
  await tabTo(page, page.getByRole('link', { name: 'Rewards' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.locator('a[data-reward="croissant"]'));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Redeem for 120 points' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Redeem', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: "It's yours" })).toBeVisible();
  await context.close();
});

test('a cashier finds a member and records a purchase by keyboard alone', async ({ browser }) => {
  const customer = await demoCustomer((await browser.newContext({ baseURL: server.url })).request);
  const { context, page } = await device(browser, server, 'visitor');
  await page.goto('/till');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(STAFF.email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(STAFF.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Next customer' })).toBeVisible();
  await tabTo(page, page.getByRole('tab', { name: 'Type code' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByLabel('Code'));
  await page.keyboard.type(scannedCode(customer.secret, nowStep()));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('member-name')).toHaveText('Nino Beridze');
  await tabTo(page, page.getByLabel('Bill (GEL)'));
  await page.keyboard.type('12.50');
  await tabTo(page, page.getByRole('button', { name: 'Record purchase' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Purchase recorded' })).toBeVisible();
  await context.close();
});

test('motion stops when the system asks for less', async ({ browser }) => {
  /** The running animations of a loading placeholder (the shimmer every skeleton has). */
  const moving = async (motion: 'reduce' | 'no-preference') => {
    const { context, page } = await device(browser, server, 'visitor', { motion });
    await page.goto('/join');
    await expect(page.locator('h1').first()).toBeVisible();
    const running = await page.evaluate(async () => {
      const skeleton = document.createElement('span');
      skeleton.className = 'skeleton';
      document.body.append(skeleton);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return skeleton.getAnimations().filter((a) => a.playState === 'running').length;
    });
    await context.close();
    return running;
  };
  expect(await moving('no-preference')).toBeGreaterThan(0);
  expect(await moving('reduce')).toBe(0);
});

test('the code and the progress bars have names a screen reader reads', async ({
  browser,
}) => {
  const { context, page, card } = await device(browser, server, 'customer');
  await page.goto(`/cards/${card}/code`);
  await expect(
    page.getByRole('img', {
      name: 'Checkout code for Mziuri Coffee. Show it to the cashier to scan. It changes every 30 seconds.',
    }),
  ).toBeVisible();
  await page.goto(`/cards/${card}`);
  await settled(page);
  // Each bar is named ("Progress to Gold") and its value read out with it.
  const bars = page.getByRole('progressbar');
  expect(await bars.count()).toBeGreaterThan(0);
  for (const bar of await bars.all()) {
    expect(await bar.getAttribute('aria-label')).toMatch(/\S/);
    const [value, max] = await bar.evaluate((el: HTMLProgressElement) => [el.value, el.max]);
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(max);
  }
  await context.close();
});
