// Tessera service worker. Generated at build time by scripts/sw-assets.sh from
// public/sw.template.js: the two placeholders below are replaced with this build's values.
"use strict";

const VERSION = "__TESSERA_CACHE_VERSION__";
const CACHE = "tessera-shell-" + VERSION;
// The app shell and this build's hashed assets (learned from trunk's staging dir).
const PRECACHE = __TESSERA_PRECACHE__;
const SHELL = "/index.html";
// The wallet's other apps, each with its own page (the server answers the same paths with the
// same pages, server/src/wallet_files.rs): the checkout code screen at /cards/{id}/code and at
// /code (the card used last: the home-screen shortcut), and sign-in, join and the published
// texts (terms, privacy).
const APP_SHELLS = [
  [/^\/(cards\/[^/]+\/)?code$/, "/code/index.html"],
  [/^\/(sign-in|join|forgot|reset|lost-phone|terms|privacy)$/, "/welcome/index.html"],
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      // An older build controls the pages: tell them this one is ready (they offer "Reload").
      .then(() => self.registration.active && tellPages("update-ready")),
  );
  // No skipWaiting here: a new build waits until the wallet's "Reload" (or every tab closed),
  // so it never swaps under a customer mid-checkout. The first install activates at once anyway.
});

// Every window of the origin: the pages an older build controls too.
function tellPages(message) {
  return self.clients
    .matchAll({ type: "window", includeUncontrolled: true })
    .then((pages) => pages.forEach((page) => page.postMessage(message)));
}

// The wallet talks to the build that controls it: "update?" when it starts (is a new build
// waiting?), and "take-over" on "Reload", passed on as "skip-waiting" to the new build, which
// then takes over.
self.addEventListener("message", (event) => {
  const { waiting, installing } = self.registration;
  if (event.data === "update?" && waiting && event.source) event.source.postMessage("update-ready");
  // The new build may still be finishing its install (it says "ready" just before).
  if (event.data === "take-over") (waiting || installing)?.postMessage("skip-waiting");
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("tessera-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

const HASHED = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/; // trunk: unpadded 64-bit hex

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is never cached nor answered here: it always goes to the network.
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return;
  // The cashier console (/till) is another app with its own build: never the wallet's shell.
  if (url.pathname === "/till" || url.pathname.startsWith("/till/")) return;

  if (request.mode === "navigate") {
    // Cache first: the shell of the build this worker installed shows at once, whatever the
    // network does (a weak signal must not hold the app up); a new build comes through the
    // update flow. The network only when the shell is not cached.
    const shell = APP_SHELLS.find(([path]) => path.test(url.pathname))?.[1] ?? SHELL;
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match(shell))
        .then((page) => page || fetch(request)),
    );
    return;
  }

  if (HASHED.test(url.pathname) || PRECACHE.includes(url.pathname)) {
    // Content-addressed or precached: cache first. A miss goes to the network, and a missing
    // asset stays a 404 (never the shell).
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            // Only keep the real thing: never an HTML fallback page under an asset's name.
            const type = response.headers.get("content-type") || "";
            if (response.ok && HASHED.test(url.pathname) && !type.startsWith("text/html")) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
  // Anything else: the browser's default (network).
});
