/* GridReach service worker for the check-in pages under /c/: keeps them usable without signal.
 * Pages: the network first; when it fails (or is very slow) the copy kept from an earlier visit,
 * else the offline shell, which checks in by the link's token alone. Styles and scripts: the kept
 * copy at once, refreshed in the background. POSTs pass untouched: the page's outbox owns retries. */
"use strict";
var CACHE = "gridreach-c-4";
var SHELL = "/c/offline";
var ASSETS = ["/static/css/app.css", "/static/css/checkin.css", "/static/vendor/idb-keyval/idb-keyval.js",
  "/static/js/outbox.js", "/static/js/photo.js", "/static/js/checkin.js", "/static/js/logout.js"];
var SLOW_MS = 6000, MAX_PAGES = 40;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([SHELL].concat(ASSETS));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE && k.indexOf("gridreach-c-") === 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page asks to keep itself after its first visit (which came before this worker ran).
self.addEventListener("message", function (event) {
  var path = event.data && event.data.keep;
  if (typeof path === "string" && path.indexOf("/c/") === 0) {
    event.waitUntil(fetch(path, { credentials: "same-origin" }).then(keep(path)).catch(function () {}));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf("/c/") === 0) {
    event.respondWith(page(request));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(asset(request, event));
  }
});

function keep(key) {
  return function (response) {
    // The public page (a code opened without an account) is no one's to keep offline.
    if (response.ok && !response.redirected && response.type === "basic" && !response.headers.get("X-Public-Page")) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) {
        return cache.put(key, copy).then(function () { return cache.keys(); }).then(function (keys) {
          var pages = keys.filter(function (r) { return new URL(r.url).pathname.indexOf("/c/") === 0; });
          return Promise.all(pages.slice(0, Math.max(0, pages.length - MAX_PAGES)).map(function (r) {
            return new URL(r.url).pathname === SHELL ? null : cache.delete(r);
          }));
        });
      });
    }
    return response;
  };
}

function page(request) {
  var network = fetch(request).then(keep(request.url));
  var kept = caches.match(request.url, { cacheName: CACHE });
  return new Promise(function (resolve) {
    var done = false;
    function use(response) { if (!done && response) { done = true; resolve(response); } }
    var slow = setTimeout(function () { kept.then(use); }, SLOW_MS);
    network.then(function (response) { clearTimeout(slow); use(response); }, function () {
      clearTimeout(slow);
      kept.then(function (hit) {
        return hit || caches.match(SHELL, { cacheName: CACHE });
      }).then(function (hit) { use(hit || Response.error()); });
    });
  });
}

function asset(request, event) {
  var fresh = fetch(request).then(function (response) {
    if (!response.ok) return response;
    var copy = response.clone();
    return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); })
      .then(function () { return response; });
  });
  event.waitUntil(fresh.catch(function () {}));
  return caches.match(request, { cacheName: CACHE }).then(function (hit) { return hit || fresh; });
}
