// 巡查上报: fill the hidden lat/lng from the device's position (WGS-84) when the worker asks for it.
// The button comes disabled and is enabled here, once it listens: on a slow signal the page shows before
// this script arrives, and a tap on a live button with no listener was silently lost.
"use strict";
(function () {
  var button = document.getElementById("locate"), where = document.getElementById("where");
  var form = document.getElementById("patrol");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
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
})();
