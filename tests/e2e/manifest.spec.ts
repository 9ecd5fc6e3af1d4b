// The web app manifest an installing browser reads: every icon, shortcut icon and screenshot it
// names is served with the size it declares, there is a maskable icon, and the shortcut opens the
// checkout code of the card used last.
import { test, expect, APIRequestContext } from '@playwright/test';

type Image = { src: string; sizes: string; type: string; purpose?: string };

/** The width and height in a PNG's header (IHDR, big-endian, bytes 16 to 24). */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

async function servedAsDeclared(request: APIRequestContext, image: Image) {
  const response = await request.get(image.src);
  expect(response.status(), image.src).toBe(200);
  expect(response.headers()['content-type'], image.src).toContain(image.type);
  if (image.type === 'image/png') expect(pngSize(await response.body()), image.src).toBe(image.sizes);
}

test('the manifest names only images served at their declared sizes, and a shortcut to the code', async ({ request }) => {
  const response = await request.get('/manifest.webmanifest');
  expect(response.status()).toBe(200);
  const manifest = await response.json();
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBe('/');

  const icons: Image[] = manifest.icons;
  expect(icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
  expect(icons.some((icon) => icon.sizes === '512x512')).toBe(true);
  for (const icon of icons) await servedAsDeclared(request, icon);

  const [shortcut] = manifest.shortcuts;
  expect(shortcut.url).toBe('/code');
  for (const icon of shortcut.icons) await servedAsDeclared(request, icon);

  // The richer install dialog: phone-sized screenshots, each with what it shows.
  const screenshots: (Image & { form_factor: string; label: string })[] = manifest.screenshots;
  expect(screenshots.length).toBeGreaterThanOrEqual(1);
  for (const screenshot of screenshots) {
    expect(screenshot.form_factor).toBe('narrow');
    expect(screenshot.label.length).toBeGreaterThan(10);
    await servedAsDeclared(request, screenshot);
  }
});
