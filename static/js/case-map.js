/* The case map (发案地图): communities coloured by cases per 10,000 residents, each named with its
   count, cards outlined, drawn by ECharts from the boundaries (WGS-84, no tiles) so that the whole
   map, title included, exports to one PNG a leader pastes into a report. */
(function () {
  "use strict";
  var box = document.getElementById("case-map");
  if (!box || typeof echarts === "undefined") { return; }
  var labels = JSON.parse(document.getElementById("case-map-labels").textContent || "{}");
  var chart = echarts.init(box, null, { renderer: "canvas", locale: labels.lang === "zh" ? "ZH" : "EN" });
  var EDGE = { red: "#a40e26", yellow: "#bf8700" };

  function cell(row, text, cls) {
    var td = document.createElement("td");
    var holder = td;
    if (cls) { holder = document.createElement("span"); holder.className = cls; td.appendChild(holder); }
    holder.textContent = text;  // textContent: names are never parsed as HTML
    row.appendChild(td);
  }

  function fillTable(rows) {
    var body = document.querySelector("#case-map-table tbody");
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-name", r.name);
      cell(tr, r.name + (r.boundary ? "" : " (" + labels.no_boundary + ")"));
      cell(tr, String(r.cases));
      cell(tr, r.loss.toFixed(2));
      cell(tr, r.rate_per_10k === null ? "—" : r.rate_per_10k.toFixed(2));
      cell(tr, r.card ? labels[r.card] : "—", r.card ? "card-badge " + r.card : "muted");
      body.appendChild(tr);
    });
  }

  function draw(data) {
    var mapped = data.communities.filter(function (r) { return r.boundary; });
    var geo = {
      type: "FeatureCollection",
      features: mapped.map(function (r) {
        return { type: "Feature", properties: { name: r.name }, geometry: r.boundary };
      })
    };
    echarts.registerMap("case-map", geo);
    var middles = mapped.filter(function (r) { return r.center; }).map(function (r) { return r.center[0]; });
    var midLat = middles.length ? middles.reduce(function (a, b) { return a + b; }, 0) / middles.length : 30;
    var top = Math.max.apply(null, [1].concat(data.communities.map(function (r) { return r.rate_per_10k || 0; })));
    chart.setOption({
      backgroundColor: "#ffffff",
      animation: false,
      title: { text: labels.title, subtext: labels.subtitle, left: "center" },
      tooltip: { trigger: "item", renderMode: "richText" },
      visualMap: { min: 0, max: top, text: ["", labels.rate], calculable: false, orient: "horizontal",
                   left: "center", bottom: 4, itemHeight: 120,
                   inRange: { color: ["#fff7bc", "#fec44f", "#d95f0e", "#993404"] } },
      series: [{
        // All four margins: the map keeps its aspect inside the box, on a phone too.
        type: "map", map: "case-map", roam: true, selectedMode: false, top: 64, bottom: 56, left: 8, right: 8,
        aspectScale: Math.cos(midLat * Math.PI / 180),  // a kilometre as long east-west as north-south
        label: { show: true, fontSize: 11, color: "#24292f", textBorderColor: "#ffffff", textBorderWidth: 2,
                 formatter: function (p) { return p.name + "\n" + ((p.data && p.data.cases) || 0); } },
        emphasis: { label: { show: true } },
        data: mapped.map(function (r) {
          return {
            name: r.name, value: r.rate_per_10k || 0, cases: r.cases,
            itemStyle: r.card ? { borderColor: EDGE[r.card], borderWidth: 4 } : { borderColor: "#57606a", borderWidth: 1 }
          };
        })
      }]
    });
    fillTable(data.communities);
    box.setAttribute("data-communities", String(data.communities.length));
    box.setAttribute("data-drawn", String(mapped.length));
    box.setAttribute("data-cases", String(data.cases));
    box.setAttribute("data-ready", "1");
  }

  document.getElementById("case-map-export").addEventListener("click", function () {
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    link.download = box.getAttribute("data-file") || "case-map.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  window.addEventListener("resize", function () { chart.resize(); });
  fetch(box.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("case map: HTTP " + response.status); }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      box.setAttribute("data-ready", "error");
      if (window.console) { console.warn(error.message); }
    });
})();
