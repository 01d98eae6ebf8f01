/* The task page's activity report (#report-form): with this script the report goes through the
 * phone's outbox (static/js/outbox.js) as JSON to POST /api/v1/tasks/ID/report, so a report made
 * without signal is kept on the phone and sent once later; without it the form posts as a page.
 * One client_id per filled form: tapping again (or editing and tapping again) before it was taken
 * replaces the same kept report, never adds a second. Texts come translated in the form's data-msg-*. */
(function (window, document) {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.Outbox) return;
  var box = document.getElementById("report-result"), api = form.dataset.api;
  var NUMBERS = ["count", "site_id", "audience", "materials"], TEXTS = ["address", "note"];
  var clientId = null;

  function msg(key) { return form.getAttribute("data-msg-" + key) || ""; }
  function input(name) { return form.elements.namedItem(name); }
  function say(state, text) {
    box.hidden = !text;
    box.setAttribute("data-state", state);
    box.className = "flash" + (state === "sent" ? " ok" : state === "refused" ? " error" : "");
    box.textContent = text || "";
  }
  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".errors"), function (p) { p.remove(); });
  }
  function words(value) {
    if (Array.isArray(value)) return value.map(words).join(" ");
    if (value && typeof value === "object") return Object.keys(value).map(function (k) { return words(value[k]); }).join(" ");
    return String(value);
  }
  /** The refusal's field errors next to their fields; the others in the result box. */
  function showErrors(answer, status) {
    var fields = (answer && answer.errors && answer.errors.json) || {}, rest = [];
    clearErrors();
    Object.keys(fields).forEach(function (name) {
      var field = input(name);
      if (!field || !field.parentNode) { rest.push(words(fields[name])); return; }
      var p = document.createElement("p");
      p.className = "errors";
      p.setAttribute("data-field", name);
      p.textContent = words(fields[name]);
      field.parentNode.appendChild(p);
    });
    if (!Object.keys(fields).length) rest.push((answer && answer.message) || String(status));
    say("refused", msg("refused") + " " + rest.join(" "));
  }

  // The API's body, with its names and types: numbers as numbers, held_at with the phone's offset.
  function body() {
    var data = {};
    NUMBERS.forEach(function (name) {
      var field = input(name), raw = field ? String(field.value).trim() : "";
      if (raw === "") return;
      data[name] = /^-?[0-9]+$/.test(raw) ? Number(raw) : raw;  // the API names a wrong one
    });
    TEXTS.forEach(function (name) {
      var field = input(name), text = field ? String(field.value).trim() : "";
      if (text) data[name] = text;
    });
    var held = input("held_at"), when = held && held.value ? new Date(held.value) : null;
    if (when && !isNaN(when.getTime())) data.held_at = window.Outbox.isoTime(when);
    else if (held && held.value) data.held_at = held.value;
    if (!clientId) clientId = window.Outbox.uuid();
    data.client_id = clientId;
    data.captured_at = window.Outbox.isoTime();
    return data;
  }

  function fresh() {
    form.reset();
    clientId = null;
    clearErrors();
  }
  function showProgress(task) {
    var p = task && task.progress, bar = document.querySelector("#progress progress");
    var text = document.querySelector("#progress .muted");
    if (!p || !bar || !text) return;
    var pct = p.target ? Math.round(100 * p.done / p.target) : (p.done ? 100 : 0);
    bar.value = Math.min(pct, 100);
    bar.textContent = text.textContent = p.done + " / " + p.target;
    bar.title = text.textContent;
  }
  function mine(detail) { return detail && detail.item && detail.item.url === api; }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    window.Outbox.send(api, body()).then(function (result) {
      if (result.state !== "queued") return;  // sent and refused: the events below
      if (!result.saved) { say("error", msg("unsaved")); return; }
      fresh();  // kept on the phone: the next report is a new one
      say("queued", result.why === "login" ? msg("login") : msg("queued"));
    }, function () {
      say("error", msg("unsaved"));
    }).then(function () { button.disabled = false; });
  });

  window.addEventListener("outbox:sent", function (event) {
    if (!mine(event.detail)) return;
    if (event.detail.item.body.client_id === clientId) fresh();
    showProgress(event.detail.data);
    say("sent", msg("sent"));
  });
  window.addEventListener("outbox:refused", function (event) {
    if (!mine(event.detail)) return;
    showErrors(event.detail.data, event.detail.status);
  });
  window.addEventListener("outbox:login", function (event) {
    if (mine(event.detail)) say("queued", msg("login"));
  });
  window.Outbox.configure({ csrfUrl: "/csrf-token" });
  document.documentElement.setAttribute("data-ready", "report");
})(window, document);
