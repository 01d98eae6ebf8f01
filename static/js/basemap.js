/* The base map every map page shares (Leaflet): the configured tiles, a scale bar, area names, and
   the WGS-84 → GCJ-02 shift for points the browser itself knows (a GPS fix, a previewed file).
   The box carries data-tile-url, data-tile-datum, data-tile-subdomains, data-tile-attribution
   (app/kit/maps.py). Without tiles the map stays readable: names on the areas, a scale bar. */
(function () {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323;

  function outOfChina(lat, lng) { return !(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55); }

  function gcjOffset(lat, lng) {  // the published GCJ-02 polynomial, as app/geo.py
    var x = lng - 105.0, y = lat - 35.0, pi = Math.PI, s = Math.sin;
    var wave = 20.0 * s(6.0 * x * pi) + 20.0 * s(2.0 * x * pi);
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + wave * 2.0 / 3.0;
    dlat += (20.0 * s(y * pi) + 40.0 * s(y / 3.0 * pi)) * 2.0 / 3.0;
    dlat += (160.0 * s(y / 12.0 * pi) + 320.0 * s(y * pi / 30.0)) * 2.0 / 3.0;
    var dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + wave * 2.0 / 3.0;
    dlng += (20.0 * s(x * pi) + 40.0 * s(x / 3.0 * pi)) * 2.0 / 3.0;
    dlng += (150.0 * s(x / 12.0 * pi) + 300.0 * s(x / 30.0 * pi)) * 2.0 / 3.0;
    var rad = lat / 180.0 * pi, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    return [(dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * pi), (dlng * 180.0) / (A / sq * Math.cos(rad) * pi)];
  }

  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) { return [lat, lng]; }
    var d = gcjOffset(lat, lng);
    return [lat + d[0], lng + d[1]];
  }

  function bdToGcj(lat, lng) {  // Baidu's published inverse (a few centimetres off: fine for a pin)
    var xPi = Math.PI * 3000.0 / 180.0, x = lng - 0.0065, y = lat - 0.006;
    var z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * xPi);
    var theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * xPi);
    return [z * Math.sin(theta), z * Math.cos(theta)];
  }

  function gcjToWgs(lat, lng) {  // iterate the forward shift, as app/geo.py does
    var guess = [lat, lng];
    for (var i = 0; i < 10; i++) {
      var fwd = wgsToGcj(guess[0], guess[1]);
      guess = [guess[0] - (fwd[0] - lat), guess[1] - (fwd[1] - lng)];
    }
    return guess;
  }

  /* A point given in `datum` (wgs84, gcj02, bd09) as WGS-84. */
  function toWgs(lat, lng, datum) {
    if (datum === "bd09") { var g = bdToGcj(lat, lng); return gcjToWgs(g[0], g[1]); }
    return datum === "gcj02" ? gcjToWgs(lat, lng) : [lat, lng];
  }

  function create(box, options) {
    var datum = box.getAttribute("data-tile-datum") || "wgs84";
    var url = box.getAttribute("data-tile-url") || "";
    var map = L.map(box, Object.assign({ preferCanvas: true }, options || {}));
    if (url) {
      L.tileLayer(url, {
        maxZoom: 19,
        subdomains: box.getAttribute("data-tile-subdomains") || "abc",
        attribution: box.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
    }
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    box.classList.toggle("no-tiles", !url);
    return {
      map: map,
      datum: datum,
      hasTiles: !!url,
      /* A WGS-84 point in the tiles' datum (the server sends its own data already shifted). */
      toTiles: function (lat, lng) { return datum === "gcj02" ? wgsToGcj(lat, lng) : [lat, lng]; },
      /* A GeoJSON geometry in WGS-84 moved into the tiles' datum. */
      geometryToTiles: function (geometry) {
        if (datum !== "gcj02") { return geometry; }
        var move = function (node) {
          if (typeof node[0] === "number") { var p = wgsToGcj(node[1], node[0]); return [p[1], p[0]]; }
          return node.map(move);
        };
        return { type: geometry.type, coordinates: move(geometry.coordinates) };
      },
      /* The area's name written on its shape, so a map without tiles can still be read. */
      label: function (layer, name) {
        layer.bindTooltip(name, { permanent: true, direction: "center", className: "area-label" });
      }
    };
  }

  window.BaseMap = { create: create, wgsToGcj: wgsToGcj, toWgs: toWgs };
})();
