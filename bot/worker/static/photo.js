// Photos on the worker's forms: shrink each picked or taken photo in the browser before upload (a phone
// photo of 4-8 MB becomes ~300 KB: quicker on a weak signal), and fill the form's position from the device.
// Without this script the form still works: the server takes the original (up to its size limit).
"use strict";
(function () {
  var MAX_SIDE = 1600, QUALITY = 0.85;
  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (done) {
        canvas.toBlob(function (blob) {
          done(blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });  // undecodable here: let the server say why
  }
  function locate(form) {
    if (!form.elements.lat || form.elements.lat.value || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lng.value = pos.coords.longitude.toFixed(6);
    }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-resize]"), function (input) {
    var form = input.form, button = form.querySelector("button[type=submit]");
    var hint = form.querySelector(".hint"), idle = hint ? hint.textContent : "";
    input.addEventListener("change", function () {
      if (!window.DataTransfer || !input.files.length) return;
      locate(form);
      if (button) button.disabled = true;
      if (hint) hint.textContent = hint.dataset.working;
      Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        var list = new DataTransfer();
        files.forEach(function (f) { list.items.add(f); });
        input.files = list.files;
      }).finally(function () {
        if (button) button.disabled = false;
        if (hint) hint.textContent = idle;
        input.dataset.ready = String(input.files.length);
      });
    });
  });
  // A staff photo is served once its watermark is drawn, just after the step's answer; the server waits a
  // few seconds for it, then says 503: try again a few times (the first photo after a restart takes longest).
  Array.prototype.forEach.call(document.querySelectorAll("#photos img"), function (img) {
    var tries = 0;
    function again() {
      if (++tries > 5) return;
      setTimeout(function () { img.src = img.src.split("?")[0] + "?try=" + tries; }, 2000);
    }
    img.addEventListener("error", again);
    if (img.complete && !img.naturalWidth) again();
  });
})();
