/* The leaders' dashboard: a sortable ranking table, a per-day trend chart and a coverage chart (ECharts). */
(function () {
  "use strict";
  var dataNode = document.getElementById("dashboard-data");
  var data = dataNode ? JSON.parse(dataNode.textContent || "{}") : {};
  var labels = data.labels || {};
  var charts = [];

  /* Rank numbers by the measure, largest first, whatever the display order: equal values share a
     rank and the next one skips (1, 2, 2, 4); a row without the measure has none (—). */
  function rerank(rows, key) {
    var values = rows.map(function (row) { var v = row.getAttribute("data-" + key); return v === "" ? null : parseFloat(v); });
    rows.forEach(function (row, i) {
      var cell = row.querySelector("td.rank");
      if (!cell) { return; }
      if (values[i] === null) { cell.textContent = "—"; return; }
      cell.textContent = String(1 + values.filter(function (v) { return v !== null && v > values[i]; }).length);
    });
  }

  function sortable(table) {
    var body = table.tBodies[0];
    table.querySelectorAll("thead button[data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-sort");
        var text = button.getAttribute("data-type") === "text";
        var th = button.parentNode;
        var descending = th.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
          if (!text && (x === "" || y === "")) { return (x === "") - (y === ""); }  // no value: last
          var order = text ? x.localeCompare(y, data.lang === "zh" ? "zh-CN" : "en") : parseFloat(x) - parseFloat(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        if (!text) { rerank(rows, key); }
        table.querySelectorAll("thead th").forEach(function (other) { other.classList.remove("ranked-by"); });
        if (!text) { th.classList.add("ranked-by"); }
      });
    });
  }

  function chart(node) {
    if (typeof echarts === "undefined" || !node) { return null; }
    var instance = echarts.init(node, null, { renderer: "canvas", locale: data.lang === "zh" ? "ZH" : "EN" });
    charts.push(instance);
    return instance;
  }

  function percent(value) { return Math.round(value * 1000) / 10; }

  // Tooltips drawn on the canvas: the HTML ones are built with style="..." attributes, which the
  // Content-Security-Policy (no inline style) refuses.
  function tooltip(extra) {
    var options = { trigger: "axis", renderMode: "richText" };
    Object.keys(extra || {}).forEach(function (key) { options[key] = extra[key]; });
    return options;
  }

  function trend(node) {
    var instance = chart(node);
    if (!instance) { return; }
    fetch(node.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("trend: HTTP " + response.status); }
        return response.json();
      })
      .then(function (t) {
        var names = ["checkins", "visits", "households_reached"];
        instance.setOption({
          tooltip: tooltip(),
          legend: { top: 0, data: names.map(function (n) { return labels[n]; }) },
          grid: { left: 40, right: 16, top: 40, bottom: 30 },
          xAxis: { type: "category", data: t.days.map(function (d) { return d.slice(5); }) },
          yAxis: { type: "value", minInterval: 1 },
          series: names.map(function (n) { return { name: labels[n], type: "line", smooth: true, data: t[n] }; })
        });
        node.setAttribute("data-ready", "1");
      })
      .catch(function (error) {
        node.textContent = labels.no_data || "";
        node.setAttribute("data-ready", "error");
        if (window.console) { console.warn(error.message); }
      });
  }

  function coverage(node) {
    var instance = chart(node);
    if (!instance || !data.rows) { return; }
    instance.setOption({
      tooltip: tooltip({ valueFormatter: function (v) { return v + "%"; } }),
      legend: { top: 0, data: [labels.site_coverage, labels.household_coverage] },
      grid: { left: 40, right: 16, top: 40, bottom: 60 },
      xAxis: { type: "category", data: data.rows, axisLabel: { interval: 0, rotate: data.rows.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: labels.site_coverage, type: "bar", data: data.site.map(percent) },
        { name: labels.household_coverage, type: "bar", data: data.household.map(percent) }
      ]
    });
    node.setAttribute("data-ready", "1");
  }

  var table = document.getElementById("ranking");
  if (table) { sortable(table); }
  trend(document.getElementById("trend-chart"));
  coverage(document.getElementById("coverage-chart"));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
