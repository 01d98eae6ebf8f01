/* My sites: the list sorted by distance from where I stand (the browser's position, WGS-84 like the
   sites), and the same sites on the shared base map, done in green, to do in red. */
(function () {
  "use strict";
  var list = document.getElementById("my-sites");
  var box = document.getElementById("my-sites-map");
  if (!list) { return; }
  var labels = JSON.parse((document.getElementById("my-sites-labels") || {}).textContent || "{}");
  var items = Array.prototype.slice.call(list.querySelectorAll("li.site"));
  var status = document.getElementById("my-position");
  var base = null, layer = null;

  function metres(lat1, lng1, lat2, lng2) {  // haversine: close enough to order sites
    var rad = Math.PI / 180, dlat = (lat2 - lat1) * rad, dlng = (lng2 - lng1) * rad;
    var a = Math.sin(dlat / 2) * Math.sin(dlat / 2) +
            Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dlng / 2) * Math.sin(dlng / 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  function shown(m) { return m < 1000 ? Math.round(m) + " m" : (m / 1000).toFixed(1) + " km"; }

  function position(li) { return [parseFloat(li.getAttribute("data-lat")), parseFloat(li.getAttribute("data-lng"))]; }

  function drawMap() {
    if (!box || typeof L === "undefined" || !window.BaseMap) { return; }
    base = window.BaseMap.create(box);
    layer = L.featureGroup().addTo(base.map);
    items.forEach(function (li) {
      var p = position(li), done = li.getAttribute("data-done") === "1";
      var marker = L.circleMarker(base.toTiles(p[0], p[1]), {
        radius: 7, weight: 2, color: "#fff", fillColor: done ? "#1a7f37" : "#cf222e", fillOpacity: 0.9
      });
      marker.bindTooltip(li.getAttribute("data-name"), { permanent: true, direction: "top", className: "area-label" });
      layer.addLayer(marker);
    });
    if (layer.getBounds().isValid()) {
      base.map.fitBounds(layer.getBounds(), { padding: [32, 32], maxZoom: 17 });
    } else {
      base.map.setView([30.0, 120.0], 10);
    }
    box.setAttribute("data-ready", "1");
  }

  function sortFrom(lat, lng) {
    items.forEach(function (li) {
      var p = position(li), d = metres(lat, lng, p[0], p[1]);
      li.setAttribute("data-distance", String(Math.round(d)));
      li.querySelector(".distance").textContent = (labels.away || "{d}").replace("{d}", shown(d));
    });
    items.sort(function (a, b) {
      return parseFloat(a.getAttribute("data-distance")) - parseFloat(b.getAttribute("data-distance"));
    });
    items.forEach(function (li) { list.appendChild(li); });
    if (base) {
      var here = base.toTiles(lat, lng);
      layer.addLayer(L.circleMarker(here, { radius: 8, weight: 3, color: "#0969da", fillColor: "#fff", fillOpacity: 1 })
        .bindTooltip(labels.here || "", { direction: "bottom" }));
    }
    status.textContent = labels.located || "";
    list.setAttribute("data-sorted", "distance");
  }

  function locate() {
    if (!navigator.geolocation) { status.textContent = labels.no_position || ""; return; }
    navigator.geolocation.getCurrentPosition(
      function (fix) { sortFrom(fix.coords.latitude, fix.coords.longitude); },
      function () { status.textContent = labels.no_position || ""; list.setAttribute("data-sorted", "none"); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  drawMap();
  document.getElementById("sort-by-distance").addEventListener("click", locate);
  locate();
})();
