// What the end-to-end specs share.
import { expect, request, APIRequestContext, Browser, Page, ConsoleMessage } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** How every spec launches Chromium: Debian's own (Playwright's browser download does not work on
 * these machines), with nothing running in the background. */
export const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

/** Collects console errors and uncaught exceptions (the CSP must admit everything the wallet does). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** Signs in as the demo customer and waits for the demo card on the cards home. */
export async function signInAsDemo(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('demo@example.com');
  await page.getByLabel('Password').fill('tessera-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('article', { name: 'Mziuri Coffee' })).toBeVisible();
}

/** A release server a spec runs itself (to stop and restart it), on its own database in `dir`. */
export type Server = {
  url: string;
  port: number;
  stop: () => Promise<void>;
  /** Freezes the process (SIGSTOP): connections are accepted by the kernel and never answered,
   * as on a weak signal; `resume` (SIGCONT) thaws it. */
  pause: () => void;
  resume: () => void;
};

const ROOT = path.resolve(__dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** This machine's first IPv4 address that is not loopback: a page there is served over plain
 * HTTP without being a secure context (no service worker, no WebCrypto). */
export function lanAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

/**
 * Starts `target/release/tessera-server` with the demo on `dir/e2e.db` (a new one unless `fresh`
 * is false) and the built wallet (`walletDir`, `dist` by default), on `host` (127.0.0.1 by
 * default) and `port` (a free one by default), configured by `config` (the demo's unless
 * given); resolves once it is healthy.
 */
export async function startServer(
  dir: string,
  port?: number,
  {
    fresh = true,
    walletDir = 'dist',
    host = '127.0.0.1',
    config = 'config/demo.toml',
    smtp,
  }: { fresh?: boolean; walletDir?: string; host?: string; config?: string; smtp?: MailSink } = {},
): Promise<Server> {
  port ??= await freePort();
  const db = path.join(dir, 'e2e.db');
  if (fresh) for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const mail = smtp
    ? ['--smtp-url', smtp.url, '--mail-from', 'Tessera <no-reply@tessera.example>',
      '--public-url', `http://${host}:${port}`]
    : [];
  const child: ChildProcess = spawn(
    path.join(ROOT, 'target/release/tessera-server'),
    ['--listen', `${host}:${port}`, '--database', `sqlite://${db}`, '--config', config,
      '--wallet-dir', walletDir, '--demo', ...mail],
    { cwd: ROOT, stdio: ['ignore', log, log] },
  );
  const url = `http://${host}:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited at start; see ${dir}/server.log`);
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not answer /api/v1/health within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      await exited;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

/** An SMTP server for a spec's server to send its e-mails to, keeping each message's text. */
export type MailSink = { url: string; messages: string[]; stop: () => Promise<void> };

/** Starts a [`MailSink`] on a free local port: the few commands of RFC 5321 a client sends. */
export async function startMailSink(): Promise<MailSink> {
  const messages: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let data: string | null = null;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === '.') {
            messages.push(data);
            data = null;
            socket.write('250 kept\r\n');
          } else {
            data += line + '\n';
          }
          continue;
        }
        const command = line.toUpperCase();
        if (command.startsWith('DATA')) {
          data = '';
          socket.write('354 go on\r\n');
        } else if (command.startsWith('QUIT')) {
          socket.end('221 bye\r\n');
        } else {
          socket.write(command.startsWith('EHLO') || command.startsWith('HELO') ? '250 sink\r\n' : '250 ok\r\n');
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A phone (390x844, touch) on `server`, with service workers allowed. */
export async function phone(browser: Browser, server: Server, options: { locale?: string } = {}) {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'allow',
    locale: options.locale,
  });
  return { context, page: await context.newPage() };
}

/** A fresh working directory `name` for a test (its database, logs, screenshots). */
export function workDir(name: string): string {
  const dir = path.join(process.env.E2E_WORK_DIR ?? path.resolve('../../target/e2e'), name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A card's checkout secret as `POST /cards/{id}/checkout-secret` answers it. */
export type Secret = { card_id: string; card_number: string; program_id: string; secret: string };

const STEP_MS = 30_000;

/** With SCREENSHOTS=1: the screen as `name`-light.png and, when `dark`, `name`-dark.png. */
export const shot = async (page: Page, name: string, dark = false) => {
  if (!process.env.SCREENSHOTS) return;
  const file = (scheme: string) =>
    path.join(ROOT, 'docs', 'screenshots', `${name}-${scheme}.png`);
  for (const scheme of dark ? (['dark', 'light'] as const) : (['light'] as const)) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(300);
    await page.screenshot({ path: file(scheme) });
  }
};

/** RFC 4648 base32 without padding. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The scanned form of the card's code at `step`: `TSR1.<card number>.<step>.<MAC>`. */
export function scannedCode(s: Secret, step: number): string {
  const mac = createHmac('sha256', Buffer.from(s.secret, 'hex'))
    .update(`TSR1|${s.program_id}|${s.card_number}|${step}`)
    .digest()
    .subarray(0, 10);
  return `TSR1.${s.card_number}.${step}.${base32(mac)}`;
}

export const nowStep = () => Math.floor(Date.now() / STEP_MS);

/** A card as the API answers it (the fields the specs read). */
export type Card = {
  id: string;
  program_id: string;
  balance: number;
  point_name: string;
  discount: { rate_bp: number };
  /** The highest discount of the card's clubs now. */
  club_discount_bp: number | null;
};

/** A history entry as the API answers it. */
export type Entry = { seq: number; kind: string; points: number; spend_minor: number | null };

/** The demo customer's session, card of `program` (Mziuri Coffee's unless said) and its
 * checkout secret, through the API. */
export async function demoCustomer(
  request: APIRequestContext,
  email = 'demo@example.com',
  program = 'mziuri',
) {
  const login = await request.post('/api/v1/auth/login', {
    data: { email, password: 'tessera-demo' },
  });
  expect(login.status()).toBe(200);
  const auth = { Authorization: `Bearer ${(await login.json()).token}` };
  const get = async <T>(p: string): Promise<T> => {
    const r = await request.get(`/api/v1${p}`, { headers: auth });
    expect(r.status()).toBe(200);
    return (await r.json()) as T;
  };
  const wallet = await get<{ cards: Card[] }>('/wallet');
  const card = wallet.cards.find((c) => c.program_id === program)!;
  const secret = await request.post(`/api/v1/cards/${card.id}/checkout-secret`, { headers: auth });
  expect(secret.ok()).toBe(true);
  return {
    secret: (await secret.json()) as Secret,
    card: () => get<Card>(`/cards/${card.id}`),
    history: async () => (await get<{ entries: Entry[] }>(`/cards/${card.id}/history`)).entries,
  };
}

/** The member's discount off `minor` at `rate_bp`, rounded half up (core/src/bill.rs). */
export const discountOf = (minor: number, rateBp: number) =>
  Math.floor((minor * rateBp + 5000) / 10000);

/** Minor units of GEL as the console writes them: `₾12.50`. */
export const lari = (minor: number) => `₾${(minor / 100).toFixed(2)}`;

/** Waits until the page's service worker controls it (it has the wallet for offline use). */
export async function serviceWorkerReady(page: Page) {
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state === 'activated' && !!navigator.serviceWorker.controller;
  });
}

/** The console at `/till`, signed in as `who`. */
export async function signInAtTill(page: Page, who: { email: string; password: string }) {
  await page.goto('/till');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Next customer' })).toBeVisible();
}

/** A new invitation code made by the demo's friend (a member of the clubs and programs that
 * take them) through the API: the answer of `POST path`, for the caller to pick the code. */
export async function friendsInvitation(request: APIRequestContext, path: string) {
  const login = await request.post('/api/v1/auth/login', {
    data: { email: 'friend@example.com', password: 'tessera-demo' },
  });
  expect(login.status()).toBe(200);
  const made = await request.post(path, {
    headers: { Authorization: `Bearer ${(await login.json()).token}` },
  });
  expect(made.status()).toBe(201);
  return await made.json();
}

/** A new customer joined through the API with `details` (e-mail, password, name, ...) and the
 * server's current terms accepted. */
export async function joinThroughApi(server: Server, details: Record<string, unknown>) {
  const context = await request.newContext({ baseURL: server.url });
  const terms = await (await context.get('/api/v1/terms')).json();
  const joined = await context.post('/api/v1/auth/register', {
    data: { ...details, accepted_terms_version: terms.version },
  });
  expect(joined.status()).toBe(201);
  await context.dispose();
}
