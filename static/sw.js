/* GridReach service worker for the check-in pages under /c/: keeps them usable without signal.
 * Pages: the network first; when it fails (or is very slow) the copy kept from an earlier visit,
 * else the offline shell, which checks in by the link's token alone. Styles and scripts: the kept
 * copy at once, refreshed in the background. POSTs pass untouched: the page's outbox owns retries.
 * Installing keeps only the shell; the page then names the styles and scripts it loaded (their
 * versioned URLs, ?v=hash), which the worker keeps from the browser's HTTP cache: nothing is
 * downloaded twice on a phone's first visit. */
"use strict";
var CACHE = "gridreach-c-5";
var SHELL = "/c/offline";
var ASSETS = ["/static/css/app.css", "/static/css/checkin.css", "/static/vendor/idb-keyval/idb-keyval.js",
  "/static/js/outbox.js", "/static/js/photo.js", "/static/js/checkin.js", "/static/js/logout.js"];
var SLOW_MS = 6000, MAX_PAGES = 40;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([SHELL]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE && k.indexOf("gridreach-c-") === 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The page asks to keep itself after its first visit (which came before this worker ran), and the
// styles and scripts it loaded (those of ASSETS, at the versions the page named).
self.addEventListener("message", function (event) {
  var path = event.data && event.data.keep;
  var assets = (event.data && Array.isArray(event.data.assets)) ? event.data.assets : [];
  var kept = assets.map(function (href) {
    var url;
    try { url = new URL(href, self.location.origin); } catch (e) { return null; }
    if (url.origin !== self.location.origin || ASSETS.indexOf(url.pathname) === -1) return null;
    return caches.match(url.href, { cacheName: CACHE }).then(function (hit) {
      return hit || fetch(url.href).then(function (response) { return response.ok && putAsset(url.href, response); });
    }).catch(function () {});
  });
  // The page last: once it is kept, so are the files it needs.
  event.waitUntil(Promise.all(kept).then(function () {
    if (typeof path === "string" && path.indexOf("/c/") === 0) {
      return fetch(path, { credentials: "same-origin" }).then(keep(path));
    }
  }).catch(function () {}));
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

// Keeps one version of each style and script: the one just fetched.
function putAsset(url, response) {
  var path = new URL(url).pathname;
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.filter(function (r) { return r.url !== url && new URL(r.url).pathname === path; })
        .map(function (r) { return cache.delete(r); }));
    }).then(function () { return cache.put(url, response); });
  });
}

function asset(request, event) {
  var fresh = fetch(request).then(function (response) {
    if (!response.ok) return response;
    return putAsset(request.url, response.clone()).then(function () { return response; });
  });
  event.waitUntil(fresh.catch(function () {}));
  return caches.match(request, { cacheName: CACHE }).then(function (hit) {
    // Without signal, a page kept before a release asks for an older version: the kept one serves.
    return hit || fresh.catch(function () {
      return caches.match(request, { cacheName: CACHE, ignoreSearch: true }).then(function (old) {
        return old || Response.error();
      });
    });
  });
}
