/* Draw or edit an area's boundary on its page: the stored boundary (WGS-84) is shown in the tiles'
   datum and made editable; new shapes come from the drawing tools; saving sends every shape as one
   feature to the boundary import, which checks it as it checks a file and stores it as WGS-84. */
(function () {
  "use strict";
  var box = document.getElementById("area-map");
  if (!box || typeof L === "undefined" || !window.BaseMap || !L.PM) { return; }
  var labels = JSON.parse(document.getElementById("area-boundary-labels").textContent || "{}");
  var stored = JSON.parse(document.getElementById("area-boundary").textContent || "null");
  var status = document.getElementById("area-boundary-status");
  var list = document.getElementById("area-boundary-errors");
  var save = document.getElementById("area-boundary-save");
  var base = window.BaseMap.create(box);
  var map = base.map;
  var style = { color: "#0969da", weight: 2, fillOpacity: 0.15 };
  map.setView([30.0, 120.0], 10);
  if (labels.lang) { map.pm.setLang(labels.lang); }
  map.pm.addControls({
    position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
    drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
    drawPolygon: true, drawRectangle: true, editMode: true, dragMode: true, removalMode: true
  });
  map.pm.setPathOptions(style);
  if (stored) {
    var shown = L.geoJSON(base.geometryToTiles(stored), { style: function () { return style; } });
    shown.eachLayer(function (layer) { layer.addTo(map); });  // each polygon on its own: editable
    map.fitBounds(shown.getBounds(), { padding: [24, 24], maxZoom: 17 });
  }
  box.setAttribute("data-ready", "1");

  function polygons() {  // [[ring, ...], ...] of every polygon on the map, in the tiles' datum
    var out = [];
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.Polygon) || layer._pmTempLayer) { return; }
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === "Polygon") { out.push(geometry.coordinates); }
      else if (geometry.type === "MultiPolygon") { out = out.concat(geometry.coordinates); }
    });
    return out;
  }

  function say(text) { status.textContent = text || ""; }

  function showErrors(body) {
    list.textContent = "";
    var errors = Array.isArray(body.errors) ? body.errors : [];
    if (!errors.length && body.message) { errors = [{ message: body.message }]; }
    errors.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e.message;
      list.appendChild(li);
    });
  }

  save.addEventListener("click", function () {
    var shapes = polygons();
    list.textContent = "";
    if (!shapes.length) { say(labels.empty); box.setAttribute("data-ready", "empty"); return; }
    var geometry = shapes.length === 1 ? { type: "Polygon", coordinates: shapes[0] }
      : { type: "MultiPolygon", coordinates: shapes };
    var body = JSON.stringify({ type: "FeatureCollection", features: [{
      type: "Feature", properties: { area_id: Number(box.getAttribute("data-area-id")) }, geometry: geometry
    }] });
    var url = new URL(box.getAttribute("data-api"), window.location.href);
    url.searchParams.set("coord_system", base.datum);
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    save.disabled = true;
    fetch(url.toString(), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        showErrors(answer);
        say(response.status === 200 ? labels.saved : (labels.failed || "").replace("{status}", response.status));
        box.setAttribute("data-ready", response.status === 200 ? "saved" : "refused");
      });
    }).catch(function () {
      say((labels.failed || "").replace("{status}", "-"));
    }).then(function () { save.disabled = false; });
  });
})();
