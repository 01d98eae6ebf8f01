/* The review queue: a small map per check-in with the fix, its accuracy circle, and the site's pin
   and radius (Leaflet); tiles only when the page names a tile URL. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  Array.prototype.forEach.call(document.querySelectorAll(".review-map"), function (box) {
    function num(name) { return Number(box.getAttribute("data-" + name)); }
    var fix = [num("lat"), num("lng")], site = [num("site-lat"), num("site-lng")];
    var map = L.map(box, { zoomControl: false, attributionControl: false, preferCanvas: true });
    var tiles = box.getAttribute("data-tile-url");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    var accuracy = Math.max(num("accuracy"), 1);
    // Bounds from the points (a circle knows its own only once the map has a view).
    map.fitBounds(L.latLng(site).toBounds(num("radius") * 2).extend(L.latLng(fix).toBounds(accuracy * 2)),
      { padding: [8, 8], maxZoom: 18 });
    L.circle(site, { radius: num("radius"), color: "#1f6feb", weight: 1, dashArray: "4 4", fill: false }).addTo(map);
    L.circleMarker(site, { radius: 4, color: "#1f6feb", fillOpacity: 1 }).addTo(map);
    L.circle(fix, { radius: accuracy, color: "#9a6700", weight: 1, fillOpacity: 0.15 }).addTo(map);
    L.circleMarker(fix, { radius: 5, color: "#fff", weight: 1, fillColor: "#9a6700", fillOpacity: 1 }).addTo(map);
    box.setAttribute("data-drawn", "1");
  });
})();
