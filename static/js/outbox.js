/* GridReach outbox: POSTs made on a weak or no signal are kept on the phone and sent later.
 *
 * Generic: any page may call Outbox.send(url, body). The body carries a `client_id` (a UUID made
 * here when missing) and a `captured_at`, so that a retry never makes a second record on the server.
 * Outbox.send(url, body, {form: true}) posts multipart (a photo: body.file a data: URL, body.client_id);
 * Outbox.send(url, body, {method: "PATCH", needs: {record: CLIENT_ID, photos: [CLIENT_IDS]}}) waits
 * until those items were taken, then fills `{record}` in the url with the record's id and adds the
 * photos' ids to body.photo_ids (a refused record drops it; refused photos are left out). So details
 * and photos never hold back the record itself.
 * Items live in IndexedDB (vendored idb-keyval; localStorage when IndexedDB is unusable, as in some
 * in-app browsers) until the server answers 2xx or a definitive 4xx. Sending is retried on `online`,
 * on page load, when the page becomes visible, every 30 s while items wait, and by Outbox.flush()
 * (the page's "同步" button). Background Sync is never relied on: WeChat's and iOS's browsers lack it.
 *
 * Events on window, each with `detail`:
 *   outbox:change  {waiting}                 the number of items kept on the phone
 *   outbox:queued  {item, why, saved}        send() could not deliver now (why: offline, network, server, login, csrf)
 *   outbox:sent    {item, status, data}      the server took an item (data: its JSON answer)
 *   outbox:refused {item, status, data}      the server refused an item for good; it is dropped
 *   outbox:login   {item}                    the session is gone (401): items wait for a new login
 */
(function (window) {
  "use strict";
  var DB_NAME = "gridreach", STORE_NAME = "outbox", LOCAL_KEY = "gridreach-outbox";
  // What the server answered per client_id ({id} or {refused: true}), for the items that need it.
  var DONE_KEY = "gridreach-outbox-done", DONE_KEEP = 300;
  var TIMEOUT_MS = 20000, RETRY_MS = 30000;
  var settings = { csrfUrl: "/csrf-token" };
  var csrfToken = null, useIdb = !!(window.idbKeyval && window.indexedDB), idbStore = null;
  var inflight = {}, flushing = null, waiting = 0, lastCreated = 0;

  // ---- storage: IndexedDB first, localStorage as the fallback ----
  function idb() {
    if (!idbStore) idbStore = window.idbKeyval.createStore(DB_NAME, STORE_NAME);
    return idbStore;
  }
  function localAll() {
    try { return JSON.parse(window.localStorage.getItem(LOCAL_KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function localWrite(map) { window.localStorage.setItem(LOCAL_KEY, JSON.stringify(map)); }
  function localPut(item) { var map = localAll(); map[item.id] = item; localWrite(map); }
  function localDel(id) {
    var map = localAll();
    if (map[id]) { delete map[id]; localWrite(map); }
  }
  function values(map) { return Object.keys(map).map(function (k) { return map[k]; }); }

  function put(item) {
    if (!useIdb) return Promise.resolve().then(function () { localPut(item); });
    return window.idbKeyval.set(item.id, item, idb()).catch(function () {
      useIdb = false;
      localPut(item);
    });
  }
  function del(id) {
    var local = Promise.resolve().then(function () { localDel(id); }).catch(function () {});
    if (!useIdb) return local;
    return Promise.all([local, window.idbKeyval.del(id, idb()).catch(function () {})]);
  }
  function list() {
    var local = values(localAll());
    if (!useIdb) return Promise.resolve(local);
    return window.idbKeyval.values(idb()).then(function (items) {
      return items.concat(local);
    }, function () { return local; });
  }

  // ---- helpers ----
  function uuid() {
    var c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16);
    c.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /** ISO 8601 in the phone's local time with its offset, e.g. 2026-05-01T09:30:00+08:00. */
  function isoTime(date) {
    var d = date || new Date(), offset = -d.getTimezoneOffset(), a = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) +
      ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + (offset < 0 ? "-" : "+") +
      pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }
  function emit(type, detail) {
    window.dispatchEvent(new CustomEvent("outbox:" + type, { detail: detail }));
  }
  function emitCount() {
    return list().then(function (items) {
      waiting = items.length;
      emit("change", { waiting: waiting });
      return waiting;
    });
  }
  function currentCsrf() {
    if (csrfToken) return csrfToken;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  // ---- answers remembered for the items that wait on others ----
  function doneAll() {
    try { return JSON.parse(window.localStorage.getItem(DONE_KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function remember(clientId, answer) {
    try {
      var map = doneAll(), keys;
      answer.at = Date.now();
      map[clientId] = answer;
      keys = Object.keys(map).sort(function (a, b) { return map[a].at - map[b].at; });
      keys.slice(0, Math.max(0, keys.length - DONE_KEEP)).forEach(function (k) { delete map[k]; });
      window.localStorage.setItem(DONE_KEY, JSON.stringify(map));
    } catch (e) { /* storage full: the waiting item keeps waiting, nothing is sent twice */ }
  }
  /** The request an item makes now: {url, body}; {wait: true} while what it needs is unsent;
   * {drop: true} when it has nothing left to do. */
  function resolve(item) {
    var needs = item.needs;
    if (!needs) return { url: item.url, body: item.body };
    var done = doneAll(), record = needs.record && done[needs.record];
    if (needs.record && !record) return { wait: true };
    if (record && record.refused) return { drop: true };
    var ids = [], pending = false;
    (needs.photos || []).forEach(function (cid) {
      var photo = done[cid];
      if (!photo) pending = true;
      else if (!photo.refused) ids.push(photo.id);
    });
    if (pending) return { wait: true };
    var body = Object.assign({}, item.body);
    if (needs.photos) {
      if (ids.length) body.photo_ids = (body.photo_ids || []).concat(ids);
      else if (Object.keys(body).length === 0) return { drop: true };
    }
    return { url: record ? item.url.replace("{record}", record.id) : item.url, body: body };
  }
  function fileOf(dataUrl) {
    var parts = String(dataUrl).split(","), type = (parts[0].match(/^data:([^;]+)/) || [])[1] || "image/jpeg";
    var raw = window.atob(parts[1] || ""), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Blob([bytes], { type: type });
  }

  // ---- the network ----
  function post(item, request) {
    request = request || { url: item.url, body: item.body };
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS) : null;
    var headers = { "Accept": "application/json" }, payload;
    if (item.form) {
      payload = new FormData();
      Object.keys(request.body).forEach(function (key) {
        if (key === "file") payload.append("file", fileOf(request.body.file), request.body.name || "photo.jpg");
        else if (key !== "name") payload.append(key, request.body[key]);
      });
    } else {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(request.body);
    }
    // Refusals come back in the page's language, not the browser's.
    if (document.documentElement.lang) headers["Accept-Language"] = document.documentElement.lang;
    var token = currentCsrf();
    if (token) headers["X-CSRFToken"] = token;
    return fetch(request.url, {
      method: item.method || "POST", credentials: "same-origin", headers: headers,
      body: payload, signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        clearTimeout(timer);
        return { status: res.status, data: data, text: text, redirected: res.redirected };
      });
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }
  function refreshCsrf() {
    return fetch(settings.csrfUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.json(); })
      .then(function (data) {
        csrfToken = data.csrf_token;
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) meta.setAttribute("content", csrfToken);
      });
  }
  function isCsrfError(res) { return res.status === 400 && /csrf|referrer/i.test(res.text || ""); }

  // What an answer means for the item: sent, refused (dropped), or kept to try again.
  function judge(item, res, csrfRetried, request) {
    var s = res.status;
    if (s >= 200 && s < 300 && res.data !== null && !res.redirected) {
      remember(item.id, { id: res.data.id });
      return del(item.id).then(function () { return { state: "sent", item: item, status: s, data: res.data }; });
    }
    if (isCsrfError(res) && !csrfRetried) {
      return refreshCsrf().then(function () { return post(item, request); }).then(function (again) {
        return judge(item, again, true, request);
      }, function () { return { state: "queued", item: item, why: "csrf" }; });
    }
    if (s === 401) return { state: "queued", item: item, why: "login" };
    if (isCsrfError(res)) return { state: "queued", item: item, why: "csrf" };
    if (s < 400 || s === 408 || s === 429 || s >= 500) return { state: "queued", item: item, why: "server" };
    remember(item.id, { refused: true });
    return del(item.id).then(function () { return { state: "refused", item: item, status: s, data: res.data }; });
  }

  // One try for one item; a second call for the same item while the first runs shares its result.
  function attempt(item) {
    if (inflight[item.id]) return inflight[item.id];
    if (navigator.onLine === false) return Promise.resolve({ state: "queued", item: item, why: "offline" });
    var request = resolve(item);
    if (request.wait) return Promise.resolve({ state: "queued", item: item, why: "waiting" });
    if (request.drop) return del(item.id).then(function () { return { state: "dropped", item: item }; });
    var result = post(item, request).then(function (res) { return judge(item, res, false, request); }, function () {
      return { state: "queued", item: item, why: "network" };
    });
    inflight[item.id] = result;
    function done() { delete inflight[item.id]; }
    result.then(done, done);
    return result;
  }

  function announce(result) {
    if (result.state === "sent" || result.state === "refused") {
      emit(result.state, { item: result.item, status: result.status, data: result.data });
    } else if (result.why === "login") {
      emit("login", { item: result.item });
    }
  }

  /** Keep `body` on the phone and try to send it now; resolves with {state, item, status?, data?, why?}.
   * `options`: {form: true} for multipart, {method, needs} for an item that waits on others. */
  function send(url, body, options) {
    var opts = options || {}, data = Object.assign({}, body), id = data.client_id || uuid();
    if (!opts.method || opts.method === "POST") {
      data.client_id = id;
      if (!opts.form && !data.captured_at) data.captured_at = isoTime();
    } else {
      delete data.client_id;  // a PATCH names its record in the url; the id only keys the item here
    }
    // Strictly increasing, so that items queued in one tap are sent in the order they were made.
    lastCreated = Math.max(Date.now(), lastCreated + 1);
    var item = { id: id, url: url, body: data, created: lastCreated };
    if (opts.form) item.form = true;
    if (opts.method) item.method = opts.method;
    if (opts.needs) item.needs = opts.needs;
    return put(item).then(function () { return true; }, function () { return false; }).then(function (saved) {
      return attempt(item).then(function (result) {
        result.saved = saved;
        if (result.state === "queued") {
          emit("queued", { item: item, why: result.why, saved: saved });
          if (result.why === "login") emit("login", { item: item });
        } else {
          announce(result);
        }
        emitCount();
        return result;
      });
    });
  }

  /** Try every kept item, oldest first; stops early when the network is gone. Resolves with the results. */
  function flush() {
    if (flushing) return flushing;
    var results = [];
    flushing = list().then(function (items) {
      items.sort(function (a, b) { return a.created - b.created; });
      return items.reduce(function (chain, item) {
        return chain.then(function (stop) {
          if (stop) return true;
          return attempt(item).then(function (result) {
            results.push(result);
            announce(result);
            return result.state === "queued" && result.why !== "server" && result.why !== "waiting";
          });
        });
      }, Promise.resolve(false));
    }).then(function () {
      flushing = null;
      return emitCount().then(function () { return results; });
    }, function (error) {
      flushing = null;
      throw error;
    });
    return flushing;
  }

  function configure(options) { Object.assign(settings, options || {}); }
  function count() { return emitCount(); }
  function items() { return list(); }

  window.addEventListener("online", function () { flush(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  // After the page's own scripts have run, so that they hear the first events.
  if (document.readyState === "complete") setTimeout(flush, 0);
  else window.addEventListener("load", function () { flush(); });
  setInterval(function () {
    if (waiting > 0 && document.visibilityState === "visible" && navigator.onLine !== false) flush();
  }, RETRY_MS);

  window.Outbox = {
    send: send, flush: flush, count: count, items: items, configure: configure, uuid: uuid, isoTime: isoTime
  };
})(window);
