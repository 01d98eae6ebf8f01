/* The door-to-door sheet (/visits/...): one tap records a household's outcome with the latest GPS fix,
 * posted through the outbox (kept on the phone when there is no signal, sent exactly once later).
 * Texts come translated from the server in #visits-config. */
(function (window, document) {
  "use strict";
  var FRESH_MS = 60000, WAIT_MS = 15000;
  var RANK = { todo: 0, not_home: 1, refused: 2, reached: 3 };
  var cfg = JSON.parse(document.getElementById("visits-config").textContent);
  var M = cfg.messages, S = cfg.states;
  var list = document.getElementById("households"), gps = document.getElementById("gps-status");
  var counter = document.getElementById("outbox-count"), syncButton = document.getElementById("sync-btn");
  var search = document.getElementById("hh-search"), progress = document.getElementById("progress");
  var fix = null;
  var previous = {};  // client_id -> the row's state before the tap, to undo a refused visit

  window.Outbox.configure({ csrfUrl: cfg.csrf_url });

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  }
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }
  function rows() { return list.querySelectorAll("li.hh"); }
  function rowFor(householdId) { return document.getElementById("hh-" + householdId); }

  // ---- GPS: watched from the start, so that a tap finds a recent fix at once ----
  function showGps(state, text) {
    gps.setAttribute("data-state", state);
    gps.textContent = text;
  }
  function remember(pos) {
    fix = pos;
    showGps("ok", fill(M.gps_ok, { accuracy: Math.round(pos.coords.accuracy || 0) }));
  }
  function watch() {
    if (!navigator.geolocation) { showGps("no_fix", M.no_fix); return; }
    navigator.geolocation.watchPosition(remember, function (error) {
      if (error.code === 1) showGps("denied", M.denied);
    }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 60000 });
  }
  function position() {
    if (fix && Math.abs(Date.now() - fix.timestamp) < FRESH_MS) return Promise.resolve(fix);
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject("no_fix"); return; }
      navigator.geolocation.getCurrentPosition(function (pos) { remember(pos); resolve(pos); }, function (error) {
        reject(error.code === 1 ? "denied" : "no_fix");
      }, { enableHighAccuracy: true, maximumAge: FRESH_MS, timeout: WAIT_MS });
    });
  }

  // ---- a row: its state, its message, its buttons ----
  function setState(row, state) {
    row.setAttribute("data-state", state);
    row.querySelector(".hh-state").textContent = S[state];
    countProgress();
  }
  function say(row, state, text) {
    var box = row.querySelector(".hh-msg");
    box.hidden = !text;
    box.setAttribute("data-state", state);
    box.textContent = text || "";
  }
  function busy(row, on) {
    each(row.querySelectorAll("button.outcome"), function (b) { b.disabled = on; });
  }
  function countProgress() {
    var visited = 0, reached = 0, all = rows();
    each(all, function (row) {
      if (row.dataset.state !== "todo") visited += 1;
      if (row.dataset.state === "reached") reached += 1;
    });
    progress.setAttribute("data-visited", visited);
    progress.textContent = fill(M.progress, { visited: visited, total: all.length, reached: reached });
  }
  function whole(input) {
    if (!input || input.value === "") return undefined;
    var n = Number(input.value);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  }

  function body(row, outcome, pos) {
    var c = pos.coords, data = {
      household_id: Number(row.dataset.id), outcome: outcome, lat: c.latitude, lng: c.longitude,
      accuracy_m: c.accuracy == null ? null : Math.round(c.accuracy * 10) / 10,
      client_id: window.Outbox.uuid(), captured_at: window.Outbox.isoTime(),
      app_installed: row.querySelector(".hh-app").checked
    };
    var materials = whole(row.querySelector(".hh-materials"));
    if (materials !== undefined) data.materials_count = materials;
    if (cfg.task_id) data.task_id = cfg.task_id;
    return data;
  }

  // ---- the doorway photo (static/js/photo.js): it follows the row's visit, never holds it back ----
  var lastVisit = {}, pendingPhotos = {};  // by household id: this page's last visit, photos waiting for one
  function addPhotos(row, visitClientId, photos) {
    say(row, "queued", M.photo_queued);
    return window.EvidencePhoto.addTo(cfg.photos_api, cfg.api + "/{record}", visitClientId, photos);
  }
  function pickPhoto(row, input) {
    var file = input.files && input.files[0];
    if (!file) return;
    window.EvidencePhoto.shrink(file).then(function (dataUrl) {
      input.value = "";
      var photo = window.EvidencePhoto.item(dataUrl), id = row.dataset.id;
      if (lastVisit[id]) return addPhotos(row, lastVisit[id], [photo]);
      (pendingPhotos[id] = pendingPhotos[id] || []).push(photo);
      say(row, "waiting", M.photo_waiting);
      return null;
    }).catch(function () { say(row, "error", M.photo_unreadable); });
  }
  each(rows(), function (row) {
    var input = row.querySelector(".hh-photo");
    if (input) input.addEventListener("change", function () { pickPhoto(row, input); });
  });

  // One tap: a fix, then the outbox. Sent and refused answers arrive as outbox events (below).
  function record(row, outcome) {
    busy(row, true);
    say(row, "locating", M.locating);
    position().then(function (pos) {
      var data = body(row, outcome, pos), before = row.dataset.state;
      previous[data.client_id] = before;
      setState(row, RANK[outcome] > RANK[before] ? outcome : before);
      return window.Outbox.send(cfg.api, data).then(function (result) {
        var id = row.dataset.id, photos = pendingPhotos[id] || [];
        if (result.state !== "refused" && (result.state !== "queued" || result.saved)) {
          lastVisit[id] = data.client_id;
          delete pendingPhotos[id];
          if (photos.length) addPhotos(row, data.client_id, photos);
        }
        if (result.state !== "queued") return;
        row.setAttribute("data-sync", "queued");
        say(row, "queued", result.why === "login" ? M.login : M.queued);
      });
    }, function (code) {
      say(row, "error", M[code] || M.no_fix);
    }).then(function () { busy(row, false); }, function () { busy(row, false); });
  }

  function mine(detail) { return detail.item && detail.item.url === cfg.api && rowFor(detail.item.body.household_id); }

  window.addEventListener("outbox:sent", function (event) {
    var row = mine(event.detail), visit = event.detail.data || {};
    if (event.detail.item.method === "PATCH") {
      var photoRow = rowFor(visit.household_id);
      if (photoRow) { photoRow.setAttribute("data-photo", "sent"); say(photoRow, "sent", M.photo_sent); }
      return;
    }
    if (!row) return;
    row.setAttribute("data-sync", "sent");
    say(row, visit.flag_reason ? "flagged" : "sent", visit.flag_reason ? M.flagged : M.sent);
  });
  window.addEventListener("outbox:refused", function (event) {
    var row = mine(event.detail), answer = event.detail.data || {};
    if (!row) return;
    var before = previous[event.detail.item.id];
    if (before) setState(row, before);
    row.setAttribute("data-sync", "refused");
    say(row, "refused", M.refused + " " + (answer.message || event.detail.status));
  });
  window.addEventListener("outbox:change", function (event) {
    var n = event.detail.waiting;
    counter.setAttribute("data-count", n);
    counter.textContent = n ? fill(M.waiting, { count: n }) : "";
  });
  window.addEventListener("outbox:login", function () { counter.textContent = M.login; });

  // ---- finding a building: filters as one types; the form still works without this script ----
  function filter() {
    var wanted = (search.value || "").normalize("NFKC").trim();
    each(rows(), function (row) {
      row.hidden = !!wanted && row.dataset.label.indexOf(wanted) !== 0 && row.dataset.building !== wanted;
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button.outcome");
    if (button && !button.disabled) record(button.closest("li.hh"), button.dataset.outcome);
  });
  search.addEventListener("input", filter);
  search.form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
  syncButton.addEventListener("click", function () { window.Outbox.flush(); });
  // Handlers are bound: taps from now on are heard (tests and slow phones wait for this).
  document.documentElement.setAttribute("data-ready", "visits");
  watch();
  window.Outbox.count();
})(window, document);
