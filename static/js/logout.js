/* Logging out forgets the pages kept for offline use (they show the person's name and tasks);
   check-ins waiting in the outbox live in IndexedDB and are kept. */
(function () {
  "use strict";
  var form = document.getElementById("logout-form");
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    if (!window.caches) { return; }
    event.preventDefault();
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("gridreach-") === 0; })
        .map(function (k) { return caches.delete(k); }));
    }).catch(function () {}).then(function () { form.submit(); });
  });
})();
