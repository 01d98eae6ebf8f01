/* The warning outcome form: attach the phone's position when it allows (the form works without it). */
(function () {
  "use strict";
  var status = document.getElementById("position");
  if (!status || !navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
    document.getElementById("lng").value = pos.coords.longitude.toFixed(6);
    status.textContent = status.getAttribute("data-attached").replace("{m}", Math.round(pos.coords.accuracy));
  }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
})();
