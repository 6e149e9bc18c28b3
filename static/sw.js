// Listening Post service worker: the app opens with no network after the first visit.
// Pages: network first, then the copy cached when last opened, then /offline.
// Static files: served from the cache and refreshed in the background.
// Never touches non-GET requests or the API: notes travel through the page's outbox.
// The shell cache is versioned; the pages cache is not, so an update never loses the pages a
// person opened for offline use (it is cleared on sign-out instead).
const VERSION = 'lp-shell-v3';
const PAGES = 'lp-pages';
const SHELL = [
  '/offline',
  '/static/css/app.css',
  '/static/js/app.js',
  '/static/js/outbox.js',
  '/static/js/capture.js',
  '/static/manifest.webmanifest',
  '/static/icons/icon-192.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(VERSION)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n !== VERSION && n !== PAGES).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const pages = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) pages.put(request, response.clone());
    return response;
  } catch (error) {
    return (await pages.match(request)) || (await caches.match('/offline'));
  }
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request);
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  }).catch(() => cached);
  return cached || refresh;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.endsWith('.ics') || url.pathname.endsWith('.csv')) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(staleWhileRevalidate(event.request));
  } else if (event.request.mode === 'navigate') {
    event.respondWith(networkFirst(event.request));
  }
});

// The page sends the notes; the worker only reminds open pages to try (Chromium's Background Sync).
self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') {
    event.waitUntil(self.clients.matchAll().then((clients) => clients.forEach((c) => c.postMessage('flush'))));
  }
});

// The page names the pages a person needs in the field, so they open offline before first use.
async function warm(urls) {
  const pages = await caches.open(PAGES);
  await Promise.all(urls.map(async (url) => {
    try {
      // The header tells the server not to use up messages meant for the page opened next.
      const response = await fetch(url, { credentials: 'same-origin', headers: { 'X-Page-Warm': '1' } });
      if (response.ok && !response.redirected) await pages.put(url, response);
    } catch (error) {
      // offline or signed out: what is cached stays
    }
  }));
}

self.addEventListener('message', (event) => {
  if (event.data === 'clear-pages') {
    event.waitUntil(caches.delete(PAGES));
  } else if (event.data && Array.isArray(event.data.warm)) {
    event.waitUntil(warm(event.data.warm.filter((url) => url.startsWith('/'))));
  }
});
