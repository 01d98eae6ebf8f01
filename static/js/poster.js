/* The poster page's print button. */
(function () {
  "use strict";
  var button = document.getElementById("print-btn");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
