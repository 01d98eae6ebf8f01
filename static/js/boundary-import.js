/* Import boundaries: read the chosen GeoJSON file, ask the API for a dry run (matched areas in
   WGS-84, problems per feature), draw what matched on the map, and save the same text on request. */
(function () {
  "use strict";
  var form = document.getElementById("boundary-form");
  var box = document.getElementById("boundary-map");
  if (!form || !box || typeof L === "undefined" || !window.BaseMap) { return; }
  var labels = JSON.parse(document.getElementById("boundary-labels").textContent || "{}");
  var base = window.BaseMap.create(box);
  var layer = L.featureGroup().addTo(base.map);
  var status = document.getElementById("boundary-status");
  var list = document.getElementById("boundary-errors");
  var save = document.getElementById("boundary-save");
  var text = null;
  base.map.setView([30.0, 120.0], 10);

  function say(template, values) {
    var out = template || "";
    Object.keys(values || {}).forEach(function (k) { out = out.replace("{" + k + "}", values[k]); });
    status.textContent = out;
  }

  function send(dryRun) {
    var url = new URL(form.getAttribute("data-api"), window.location.href);
    url.searchParams.set("coord_system", document.getElementById("boundary-datum").value);
    if (dryRun) { url.searchParams.set("dry_run", "1"); }
    var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
    return fetch(url.toString(), {
      method: "POST", credentials: "same-origin", body: text,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  function showErrors(body) {
    list.textContent = "";
    var errors = body.errors || [];
    if (!Array.isArray(errors)) {  // the request itself was wrong: {"json": {field: [messages]}}
      errors = [];
      var fields = (body.errors && body.errors.json) || {};
      Object.keys(fields).forEach(function (k) { errors.push({ message: k + ": " + [].concat(fields[k]).join(" ") }); });
      if (!errors.length && body.message) { errors.push({ message: body.message }); }
    }
    errors.forEach(function (e) {
      var li = document.createElement("li");  // textContent: names in a file are never parsed as HTML
      li.textContent = (e.feature ? (labels.feature || "{n}").replace("{n}", e.feature) + ": " : "") + e.message;
      list.appendChild(li);
    });
  }

  function draw(preview) {
    layer.clearLayers();
    preview.forEach(function (p) {
      var shape = L.geoJSON(base.geometryToTiles(p.boundary), {
        style: function () { return { color: "#0969da", weight: 2, fillOpacity: 0.15 }; }
      });
      base.label(shape, p.name);
      layer.addLayer(shape);
    });
    if (layer.getBounds().isValid()) { base.map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 }); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("boundary-file").files[0];
    if (!file) { return; }
    save.disabled = true;
    file.text().then(function (content) {
      text = content;
      return send(true);
    }).then(function (answer) {
      showErrors(answer.body);
      draw(answer.body.preview || []);
      if (answer.status === 200) {
        say(labels.previewed, { n: (answer.body.preview || []).length });
        save.disabled = false;
      } else if (answer.body.error_count) {
        say(labels.problems, { n: answer.body.error_count });
      } else {
        say(labels.failed, { status: answer.status });
      }
      box.setAttribute("data-ready", "preview");
    }).catch(function () { say(labels.unreadable); });
  });

  save.addEventListener("click", function () {
    save.disabled = true;
    send(false).then(function (answer) {
      showErrors(answer.body);
      if (answer.status === 200) {
        say(labels.saved, { n: answer.body.updated });
      } else {
        say(answer.body.error_count ? labels.problems : labels.failed,
            { n: answer.body.error_count, status: answer.status });
      }
      box.setAttribute("data-ready", "saved");
    }).catch(function () { say(labels.unreadable); });
  });
})();
