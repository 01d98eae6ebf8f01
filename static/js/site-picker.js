/* Place a site: a click on the map (in the tiles' datum), the phone's position (WGS-84), or
   coordinates pasted from AMap (GCJ-02) or Baidu (BD-09) fill the form's lat, lng and coord_system;
   the server converts them to WGS-84 on saving. The pin and the grid's boundary show where it is. */
(function () {
  "use strict";
  var box = document.getElementById("site-picker");
  var lat = document.getElementById("lat"), lng = document.getElementById("lng");
  var datum = document.getElementById("coord_system");
  if (!box || !lat || !lng || !datum || typeof L === "undefined" || !window.BaseMap) { return; }
  var labels = JSON.parse(document.getElementById("site-picker-labels").textContent || "{}");
  var status = document.getElementById("site-picker-status");
  var base = window.BaseMap.create(box);
  var marker = null;

  function say(text, values) {
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    status.textContent = text;
  }

  function pin(wgsLat, wgsLng) {
    var at = base.toTiles(wgsLat, wgsLng);
    if (marker) { marker.setLatLng(at); } else {
      marker = L.circleMarker(at, { radius: 8, weight: 3, color: "#fff", fillColor: "#cf222e", fillOpacity: 1, interactive: false }).addTo(base.map);
    }
    return at;
  }

  function place(pointLat, pointLng, pointDatum) {
    lat.value = pointLat.toFixed(6);
    lng.value = pointLng.toFixed(6);
    datum.value = pointDatum;
    var wgs = window.BaseMap.toWgs(pointLat, pointLng, pointDatum);
    pin(wgs[0], wgs[1]);
    say(labels.placed || "", { lat: lat.value, lng: lng.value, datum: datum.options[datum.selectedIndex].text });
    box.setAttribute("data-placed", pointDatum);
  }

  // The view first: the canvas renderer cannot draw on a map that has none yet.
  var outline = JSON.parse(box.getAttribute("data-boundary") || "null");
  var shape = outline ? L.geoJSON(base.geometryToTiles(outline), {
    interactive: false,  // a click inside the grid places the site
    style: function () { return { color: "#0969da", weight: 2, fillOpacity: 0.05 }; }
  }) : null;
  var start = parseFloat(lat.value), startLng = parseFloat(lng.value), here = null;
  if (isFinite(start) && isFinite(startLng)) {
    var wgs = window.BaseMap.toWgs(start, startLng, datum.value || "wgs84");
    here = base.toTiles(wgs[0], wgs[1]);
  }
  if (shape) {
    var bounds = shape.getBounds();
    if (here) { bounds.extend(L.latLng(here[0], here[1])); }
    base.map.fitBounds(bounds, { padding: [32, 32], maxZoom: 17 });
  } else {
    base.map.setView(here || [30.0, 120.0], here ? 16 : 11);
  }
  if (shape) { shape.addTo(base.map); }
  if (here) { var first = window.BaseMap.toWgs(start, startLng, datum.value || "wgs84"); pin(first[0], first[1]); }

  base.map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, base.datum); });

  document.getElementById("site-use-position").addEventListener("click", function () {
    if (!navigator.geolocation) { say(labels.no_position || ""); return; }
    navigator.geolocation.getCurrentPosition(
      function (fix) {
        place(fix.coords.latitude, fix.coords.longitude, "wgs84");
        base.map.setView(base.toTiles(fix.coords.latitude, fix.coords.longitude), 17);
      },
      function () { say(labels.no_position || ""); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
    );
  });

  document.getElementById("site-paste-apply").addEventListener("click", function () {
    var numbers = (document.getElementById("site-paste").value || "").match(/-?\d+(?:\.\d+)?/g) || [];
    var x = parseFloat(numbers[0]), y = parseFloat(numbers[1]);
    if (numbers.length !== 2 || !(Math.abs(x) <= 180) || !(Math.abs(y) <= 90)) { say(labels.bad_paste || ""); return; }
    place(y, x, document.getElementById("site-paste-datum").value);
    if (marker) { base.map.setView(marker.getLatLng(), 17); }
  });
  box.setAttribute("data-ready", "1");
})();
