/* Draw check-ins as coloured points on the shared base map (basemap.js); points arrive in the tiles' datum. */
(function () {
  "use strict";
  var box = document.getElementById("checkin-map");
  var data = document.getElementById("checkin-points");
  if (!box || !data || typeof L === "undefined" || !window.BaseMap) { return; }
  var points = JSON.parse(data.textContent || "[]");
  var colours = { accepted: "#1a7f37", flagged: "#9a6700", rejected: "#cf222e" };
  var map = window.BaseMap.create(box).map;
  var layer = L.featureGroup().addTo(map);
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: 6, weight: 1, color: "#fff", fillColor: colours[p.status] || "#555", fillOpacity: 0.9
    });
    var text = document.createElement("div");  // textContent: names are never parsed as HTML
    text.textContent = p.site + " · " + p.user + " · " + p.at.slice(0, 16).replace("T", " ") + " · " + p.distance + " m";
    marker.bindPopup(text);
    layer.addLayer(marker);
  });
  if (points.length) {
    map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
  } else {
    map.setView([30.0, 120.0], 10);
  }
})();
