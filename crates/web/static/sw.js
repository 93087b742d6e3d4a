// The service worker: it keeps the app shell (the stylesheet, the script,
// the icons and the manifest) so the app opens fast
// and can be installed to a phone's home screen.
//
// SECURITY (SECURITY.md R22): it never stores a page. Every page holds
// someone's words, and a cache would keep them on the device after sign-out
// for anyone holding the phone. So page loads are left to the browser and
// the network, and nothing but the fixed list below is ever put in the
// cache. Sign-out and quick exit clear the
// site's storage (Clear-Site-Data), which removes this worker and its cache.
"use strict";

var CACHE = "shell-v2";
var SHELL = [
  "/static/app.css",
  "/static/app.js",
  "/static/icon.svg",
  "/static/icon-192.png",
  "/static/icon-512.png",
  "/manifest.webmanifest"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k !== CACHE; })
          .map(function (k) { return caches.delete(k); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }

  // A page is never touched: the browser loads it from the network itself,
  // exactly as without a worker (its redirects, its history, its errors).
  // Answering navigations here would follow redirects inside the worker and
  // could one day put a page in reach of a cache; neither is worth an
  // offline page.
  if (request.mode === "navigate") { return; }

  if (SHELL.indexOf(url.pathname) === -1) { return; }
  // The shell: from the cache at once, refreshed from the network for the
  // next time, so a new version of the app arrives one load later.
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(url.pathname).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(url.pathname, response.clone()); }
        return response;
      });
      if (hit) {
        event.waitUntil(fresh.catch(function () { /* offline: keep the copy */ }));
        return hit;
      }
      return fresh;
    });
  }));
});
