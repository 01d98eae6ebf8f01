/* The coverage map: sites coloured by whether they were visited, areas by coverage (Leaflet).
   Coordinates arrive already in the tiles' datum; with no tile URL the points and boundaries still
   draw, named, over a scale bar (basemap.js). */
(function () {
  "use strict";
  var box = document.getElementById("coverage-map");
  if (!box || typeof L === "undefined" || !window.BaseMap) { return; }
  var labels = JSON.parse((document.getElementById("map-labels") || {}).textContent || "{}");
  var base = window.BaseMap.create(box);
  var map = base.map;

  function coverageColour(rate) {
    if (rate >= 0.8) { return "#1a7f37"; }
    return rate >= 0.5 ? "#d4a72c" : "#cf222e";
  }

  function percent(rate) { return (Math.round(rate * 1000) / 10) + "%"; }

  function popup(lines, link) {
    var node = document.createElement("div");  // textContent: names are never parsed as HTML
    lines.forEach(function (line, i) {
      var p = document.createElement(i ? "div" : "strong");
      p.textContent = line;
      node.appendChild(p);
    });
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = labels.open || "›";
      node.appendChild(a);
    }
    return node;
  }

  function drillUrl(area) {
    var url = new URL(box.getAttribute("data-drill"), window.location.href);
    url.searchParams.set("area_id", area.area_id);
    return url.pathname + url.search;
  }

  function drawAreas(areas, layer) {
    areas.forEach(function (area) {
      var lines = [area.name, (labels.site_coverage || "") + " " + percent(area.site_coverage),
                   (labels.household_coverage || "") + " " + percent(area.household_coverage)];
      if (area.card) { lines.push(labels[area.card] || area.card); }
      var edge = area.card === "red" ? "#a40e26" : area.card === "yellow" ? "#bf8700" : "#57606a";
      var style = { color: edge, weight: area.card ? 4 : 1, fillColor: coverageColour(area.site_coverage), fillOpacity: 0.25 };
      var shape = null;
      if (area.boundary) {
        shape = L.geoJSON(area.boundary, { style: function () { return style; } });
      } else if (area.center) {
        shape = L.circleMarker(area.center, { radius: 14, color: edge, weight: style.weight,
                                              fillColor: style.fillColor, fillOpacity: 0.4 });
      }
      if (shape) {
        shape.bindPopup(popup(lines, area.level === "grid" ? null : drillUrl(area)));
        base.label(shape, area.name);
        layer.addLayer(shape);
      }
    });
  }

  function drawSites(sites, layer) {
    sites.forEach(function (s) {  // [id, name, lat, lng, visited]
      var marker = L.circleMarker([s[2], s[3]], {
        radius: 5, weight: 1, color: "#fff", fillColor: s[4] ? "#1a7f37" : "#cf222e", fillOpacity: 0.9
      });
      marker.bindPopup(popup([s[1], s[4] ? labels.visited : labels.not_visited]));
      layer.addLayer(marker);
    });
  }

  fetch(box.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("map: HTTP " + response.status); }
      return response.json();
    })
    .then(function (data) {
      var layer = L.featureGroup().addTo(map);
      drawAreas(data.areas, layer);
      drawSites(data.sites, layer);
      var count = document.getElementById("map-count");
      if (count) { count.textContent = (labels.sites || "{n}").replace("{n}", data.sites.length); }
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
      } else {
        map.setView([30.0, 120.0], 10);
      }
      box.setAttribute("data-ready", "1");
      box.setAttribute("data-sites", String(data.sites.length));
      box.setAttribute("data-areas", String(data.areas.length));
    })
    .catch(function (error) {
      map.setView([30.0, 120.0], 10);
      box.setAttribute("data-ready", "error");
      if (window.console) { console.warn(error.message); }
    });
})();
