/* The check-in page (/c/TOKEN): one tap finds the best GPS fix in a few seconds, posts the
 * check-in through the outbox (kept on the phone when there is no signal) and says what happened.
 * Texts come translated from the server in #checkin-config. */
(function (window, document) {
  "use strict";
  var GOOD_ENOUGH_M = 20, WATCH_MS = 5000, GIVE_UP_MS = 30000;
  var cfg = JSON.parse(document.getElementById("checkin-config").textContent);
  var M = cfg.messages, R = cfg.reasons;
  var button = document.getElementById("checkin-btn"), box = document.getElementById("checkin-result");
  var counter = document.getElementById("outbox-count"), syncButton = document.getElementById("sync-btn");
  var token = cfg.token || decodeURIComponent(window.location.pathname.split("/")[2] || "");
  var mine = {};  // client_ids queued from this page: their later delivery is reported here
  var busy = false;
  var photoInput = document.getElementById("photo-input"), photoStatus = document.getElementById("photo-status");
  var detailsButton = document.getElementById("details-btn");
  var conditionButtons = [].slice.call(document.querySelectorAll("#condition [data-condition]"));
  var condition = null, photos = [];  // chosen before 签到: they follow the check-in
  var lastCheckin = null;  // this page's last check-in (its client_id): details chosen later go to it

  window.Outbox.configure({ csrfUrl: cfg.csrf_url });

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  }
  function show(state, title, lines, extra) {
    box.hidden = false;
    box.setAttribute("data-state", state);
    box.removeAttribute("data-distance");
    box.removeAttribute("data-status");
    Object.keys(extra || {}).forEach(function (k) { box.setAttribute("data-" + k, extra[k]); });
    box.textContent = "";
    var head = document.createElement("strong");
    head.textContent = title;
    box.appendChild(head);
    (lines || []).forEach(function (line) {
      if (!line) return;
      var p = document.createElement("p");
      if (line.nodeType) p.appendChild(line); else p.textContent = line;
      box.appendChild(p);
    });
  }
  function loginLink() {
    var a = document.createElement("a");
    a.href = "/login?next=" + encodeURIComponent(window.location.pathname);
    a.textContent = M.login;
    return a;
  }

  // ---- position: watch for a few seconds, keep the most accurate reading ----
  function locate() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject({ code: "no_geolocation" }); return; }
      var best = null, finished = false, settle = null, watch = null, giveUp = null;
      function finish(error) {
        if (finished) return;
        finished = true;
        if (watch !== null) navigator.geolocation.clearWatch(watch);
        clearTimeout(settle);
        clearTimeout(giveUp);
        if (best && !(error && error.code === "denied")) resolve(best);
        else reject(error || { code: "timeout" });
      }
      function accuracy(pos) { return pos.coords.accuracy == null ? Infinity : pos.coords.accuracy; }
      watch = navigator.geolocation.watchPosition(function (pos) {
        if (!best || accuracy(pos) < accuracy(best)) best = pos;
        if (accuracy(best) <= GOOD_ENOUGH_M) finish();
        else if (!settle) settle = setTimeout(finish, WATCH_MS);
      }, function (error) {
        var codes = { 1: "denied", 2: "unavailable", 3: "timeout" };
        finish({ code: codes[error.code] || "unavailable" });
      }, { enableHighAccuracy: true, maximumAge: 0, timeout: GIVE_UP_MS - 5000 });
      giveUp = setTimeout(function () { finish({ code: "timeout" }); }, GIVE_UP_MS);
    });
  }

  function whole(id) {
    var el = document.getElementById(id);
    if (!el || el.value === "") return undefined;
    var n = Number(el.value);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  }
  function body(pos) {
    var c = pos.coords, taken = new Date(pos.timestamp || Date.now());
    if (Math.abs(taken.getTime() - Date.now()) > 86400000) taken = new Date();  // a phone with a broken fix clock
    var data = {
      token: token, lat: Math.round(c.latitude * 1e7) / 1e7, lng: Math.round(c.longitude * 1e7) / 1e7,
      client_id: window.Outbox.uuid(), captured_at: window.Outbox.isoTime(taken)
    };
    if (c.accuracy != null) data.accuracy_m = Math.round(c.accuracy * 10) / 10;
    var task = document.querySelector('input[name="task_id"]:checked');
    if (task) data.task_id = Number(task.value);
    var people = whole("people_reached"), leaflets = whole("materials_count");
    var note = document.getElementById("note");
    if (people !== undefined) data.people_reached = people;
    if (leaflets !== undefined) data.materials_count = leaflets;
    if (note && note.value.trim()) data.note = note.value.trim();
    if (condition) data.site_condition = condition;
    return data;
  }
  function details() {
    var data = {}, people = whole("people_reached"), leaflets = whole("materials_count");
    var note = document.getElementById("note");
    if (people !== undefined) data.people_reached = people;
    if (leaflets !== undefined) data.materials_count = leaflets;
    if (note && note.value.trim()) data.note = note.value.trim();
    return data;
  }

  // ---- photos (static/js/photo.js) and details that follow the check-in ----
  function photoSays(state, text) {
    photoStatus.setAttribute("data-state", state);
    photoStatus.textContent = text;
  }
  function addTo(record, list, extra) {
    return window.EvidencePhoto.addTo(cfg.photos_api, cfg.api + "/{record}", record, list, extra);
  }
  function pickPhoto() {
    var file = photoInput.files && photoInput.files[0];
    if (!file) return;
    photoSays("shrinking", M.photo_shrinking);
    window.EvidencePhoto.shrink(file).then(function (dataUrl) {
      photoInput.value = "";
      var photo = window.EvidencePhoto.item(dataUrl);
      if (lastCheckin) {
        photoSays("queued", M.photo_queued);
        return addTo(lastCheckin, [photo]);
      }
      photos.push(photo);
      photoSays("waiting", fill(M.photo_waiting, { count: photos.length }));
      return null;
    }).catch(function () { photoSays("error", M.photo_unreadable); });
  }
  function pickCondition(button) {
    condition = button.getAttribute("data-condition");
    conditionButtons.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
    if (lastCheckin) {
      photoSays("queued", M.details_queued);
      addTo(lastCheckin, [], { site_condition: condition });
    }
  }
  function addDetails() {
    var changes = details();
    if (!lastCheckin) { photoSays("error", M.no_checkin_yet); return; }
    if (!Object.keys(changes).length) return;
    clearExtras();
    photoSays("queued", M.details_queued);
    addTo(lastCheckin, [], changes);
  }
  function clearExtras() {
    ["people_reached", "materials_count", "note"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.value = "";
    });
  }

  // ---- what the server said ----
  function verdict(data, title) {
    var lines = [], extra = { status: data.status };
    if (typeof data.distance_m === "number") {
      extra.distance = Math.round(data.distance_m);
      lines.push(fill(M.distance, { distance: extra.distance }));
    }
    String(data.reason || "").split(",").forEach(function (code) { if (code) lines.push(R[code] || code); });
    if (data.status === "rejected" && data.site && data.site.radius_m) {
      lines.push(fill(M.radius, { radius: data.site.radius_m }));
    }
    return { title: title || M[data.status] || data.status, lines: lines, extra: extra };
  }
  function refusal(detail) {
    var data = detail.data || {}, lines = [data.message || String(detail.status)];
    var errors = (data.errors && data.errors.json) || {};
    // The field messages say what is wrong in words; the field names are codes nobody reads.
    Object.keys(errors).forEach(function (field) {
      [].concat(errors[field]).forEach(function (text) {
        if (typeof text === "string" && lines.indexOf(text) < 0) lines.push(text);
      });
    });
    return lines;
  }
  function report(result) {
    if (result.state === "sent") {
      var v = verdict(result.data);
      show(result.data.status || "sent", v.title, v.lines, v.extra);
      clearExtras();
    } else if (result.state === "refused") {
      show("refused", M.rejected, refusal(result));
    } else if (!result.saved) {
      show("error", M.not_saved, []);
    } else {
      mine[result.item.id] = true;
      clearExtras();
      var offline = result.why === "offline" || result.why === "network";
      show("queued", M.queued, [offline ? M.queued_offline : M.queued_server, result.why === "login" ? loginLink() : null]);
    }
  }
  function geoFailure(error) {
    var code = error && error.code, lines = [];
    if (code === "denied") lines.push(M.denied_why, M.denied_help);
    show("error", M[code] || M.unavailable, lines, { problem: code || "unavailable" });
  }

  function checkIn() {
    if (busy) return;
    busy = true;
    button.disabled = true;
    show("locating", M.locating, []);
    locate().then(function (pos) {
      show("sending", M.sending, []);
      var data = body(pos), chosen = photos;
      return window.Outbox.send(cfg.api, data).then(function (result) {
        report(result);
        if (result.state === "refused" || (result.state === "queued" && !result.saved)) return null;
        // The check-in is on its way: what was chosen for it follows, and what comes next joins it.
        lastCheckin = data.client_id;
        photos = [];
        condition = null;
        conditionButtons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        if (!chosen.length) return null;
        photoSays("queued", M.photo_queued);
        return addTo(lastCheckin, chosen);
      });
    }, geoFailure).then(function () {
      busy = false;
      button.disabled = false;
    });
  }

  // ---- the outbox's news ----
  window.addEventListener("outbox:change", function (event) {
    var n = event.detail.waiting;
    counter.setAttribute("data-count", n);
    counter.textContent = n > 0 ? fill(M.waiting, { count: n }) : "";
  });
  window.addEventListener("outbox:sent", function (event) {
    var detail = event.detail, v = verdict(detail.data);
    if (detail.item.method === "PATCH") { photoSays("sent", M.photo_sent); return; }
    if (detail.item.url !== cfg.api) return;  // a photo: its PATCH reports it
    if (busy) return;
    v.extra.status = detail.data.status;
    v.lines.unshift(M[detail.data.status] || detail.data.status);
    show("sent", mine[detail.item.id] ? M.sent : M.sent_later, v.lines, v.extra);
    delete mine[detail.item.id];
  });
  window.addEventListener("outbox:refused", function (event) {
    if (event.detail.item.url !== cfg.api) {
      photoSays("refused", [M.details_refused].concat(refusal(event.detail)).join(" "));
      return;
    }
    if (!busy) show("refused", M.refused, refusal(event.detail));
  });
  window.addEventListener("outbox:login", function () {
    if (!busy) show("error", M.login, [loginLink()]);
  });

  button.addEventListener("click", checkIn);
  photoInput.addEventListener("change", pickPhoto);
  detailsButton.addEventListener("click", addDetails);
  conditionButtons.forEach(function (b) {
    b.addEventListener("click", function () { pickCondition(b); });
  });
  syncButton.addEventListener("click", function () {
    syncButton.disabled = true;
    window.Outbox.flush().then(function () { syncButton.disabled = false; }, function () { syncButton.disabled = false; });
  });
  window.Outbox.count();
  // Handlers are bound: taps from now on are heard (tests and slow phones wait for this).
  document.documentElement.setAttribute("data-ready", "checkin");

  if ("serviceWorker" in navigator && window.isSecureContext !== false) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/c/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        // The first visit came before the worker: keep this page for the next time without signal,
        // and the styles and scripts it loaded (already in the browser's cache: not fetched again).
        var assets = Array.prototype.map.call(document.querySelectorAll("script[src], link[rel=stylesheet]"),
          function (node) { return node.src || node.href; });
        if (registration.active) {
          registration.active.postMessage({ keep: cfg.token ? window.location.pathname : null, assets: assets });
        }
      }).catch(function () {});
    });
  }
})(window, document);
