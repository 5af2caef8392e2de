// 核实 / 处置 / 核查 / 协办: fill a form's hidden lat/lng from the device's position (WGS-84) when asked.
// The buttons come disabled and are enabled once they listen (a tap before this script ran was lost).
"use strict";
(function () {
  var buttons = document.querySelectorAll("button.locate");
  Array.prototype.forEach.call(buttons, function (button) {
    var form = button.form, where = form.querySelector(".where");
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        where.textContent = form.elements.lat.value + ", " + form.elements.lng.value +
          " (±" + Math.round(pos.coords.accuracy) + " m)";
      }, function () { where.textContent = where.dataset.failed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    button.disabled = false;
  });
})();
