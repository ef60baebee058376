/* The inspector's phone pages offline (issue 14): a hand-written Service Worker, served by the platform itself at
 * {{ sw_url }} with the scope {{ scope }} (no CDN, no library).
 *
 * Network first, always: online the inspector gets the live page (a record submitted elsewhere shows as such); only
 * when the network fails does the copy saved on this phone answer, so that reloading the record form offline still
 * opens it and the draft (kept in IndexedDB by phone.js) can be finished and sent later. Only GETs of 我的检查 pages
 * and of the platform's static files are kept; nothing is ever sent from here (phone.js sends, with its
 * Idempotency-Key, so a draft still arrives once).
 */
"use strict";
var VERSION = "{{ version }}";
var PAGES = "ssj-phone-pages";
var ASSETS = "ssj-phone-assets-" + VERSION;
var STATIC = "{{ static_url }}";
var PAGES_UNDER = "{{ pages }}";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  // Static files of an older release are dropped; the pages cache is cleared at sign-out (see forget.js).
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("ssj-phone-assets-") === 0 && n !== ASSETS;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function offline() {
  return new Response(
    "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>当前无网络</title><p style='font:18px sans-serif;padding:16px'>当前无网络，本页尚未保存在本机。" +
    "请联网后打开本页；已填写的草稿仍保存在本机。</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

// The page asks for its own copy once it is controlled (its first load came before this worker): the page itself and
// the static files it uses; the answer tells it that reloading offline will work.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (typeof data.cache !== "string" || data.cache.indexOf(PAGES_UNDER) !== 0) return;
  var assets = (data.assets || []).filter(function (a) { return typeof a === "string" && a.indexOf(STATIC) === 0; });
  event.waitUntil(
    Promise.all([
      caches.open(PAGES).then(function (c) { return c.add(new Request(data.cache, { credentials: "same-origin" })); }),
      caches.open(ASSETS).then(function (c) { return c.addAll(assets); }),
    ]).then(function () {
      if (event.source) event.source.postMessage({ cached: data.cache });
    }, function () { /* online again later: the next load keeps its copy */ })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && url.pathname.indexOf(PAGES_UNDER) === 0;
  var asset = url.pathname.indexOf(STATIC) === 0;
  if (!page && !asset) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // A redirect (the sign-in page after the session expired) or an error page is never kept as the form.
      if (response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        caches.open(page ? PAGES : ASSETS).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.match(request, { ignoreSearch: page }).then(function (hit) {
        return hit || (page ? offline() : Response.error());
      });
    })
  );
});
