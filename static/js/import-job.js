/* A large import runs in the background: poll GET /api/v1/jobs/ID, show its progress, then its
 * report (the first 1000 problems and their count). Texts come translated in #import-job-config. */
(function (document) {
  "use strict";
  var cfg = JSON.parse(document.getElementById("import-job-config").textContent);
  var M = cfg.messages;
  var box = document.getElementById("import-job"), bar = document.getElementById("import-job-progress");
  var status = document.getElementById("import-job-status"), list = document.getElementById("import-errors");
  var more = document.getElementById("import-job-more");
  var delay = 1000, failures = 0;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  }
  function number(n) { return Number(n).toLocaleString(); }

  function showReport(report) {
    bar.value = bar.max;
    if (!report.errors || report.errors.length === 0) {
      status.textContent = fill(M.created, { created: number(report.created) });
      return;
    }
    status.textContent = M.nothing;
    report.errors.forEach(function (e) {
      var item = document.createElement("li");
      item.setAttribute("data-row", e.row);
      item.textContent = fill(M.row, { row: e.row, message: e.message });
      list.appendChild(item);
    });
    list.hidden = false;
    if (report.error_count > report.errors.length) {
      more.textContent = fill(M.more, { count: number(report.error_count) });
      more.hidden = false;
    }
  }

  function show(job) {
    box.setAttribute("data-status", job.status);
    if (job.status === "done") { showReport(job.report); return true; }
    if (job.status === "failed") {
      status.textContent = fill(M.failed, { message: (job.report && job.report.message) || "" });
      return true;
    }
    bar.max = job.total || 1;
    bar.value = job.done;
    status.textContent = job.status === "queued" ? M.queued
      : fill(M.running, { done: number(job.done), total: number(job.total) });
    return false;
  }

  function poll() {
    fetch(cfg.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        if (!show(job)) { delay = Math.min(delay * 1.5, 5000); window.setTimeout(poll, delay); }
      })
      .catch(function () {
        failures += 1;
        if (failures > 5) { status.textContent = M.lost; return; }
        window.setTimeout(poll, 3000);
      });
  }
  poll();
}(document));
