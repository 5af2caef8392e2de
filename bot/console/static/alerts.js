// The alert pages: compose (signal × colour, a drawn or picked area, the preview before Send) and follow
// (per-cell coverage, polled). No tiles: the map draws gridline's own cells (nothing leaves the network).
(function () {
  "use strict";
  var STATE_COLOUR = { targeted: "#8c959f", reached: "#0b4f9c", failed: "#cf222e", acknowledged: "#2da44e",
                       escalated: "#bf8700" };
  var AREA_COLOUR = { blue: "#0969da", yellow: "#d4a72c", orange: "#e16f24", red: "#cf222e" };

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) { el.textContent = value; } }
  function pairs(obj) {
    var keys = Object.keys(obj || {});
    return keys.length ? keys.map(function (k) { return k + " " + obj[k]; }).join(", ") : "0";
  }
  function newMap(el) {
    var map = L.map(el, { preferCanvas: true, doubleClickZoom: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Leaflet");
    return map;
  }
  function drawRings(layer, shapes, style) {
    var drawn = {};
    Object.keys(shapes).forEach(function (code) {
      drawn[code] = L.polygon(shapes[code], style(code)).bindTooltip(code).addTo(layer);
    });
    return drawn;
  }
  function post(url, form) {
    return fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); });
  }
  function showPreview(p) {
    $("preview").hidden = false;
    text("pv-cells", String(p.cells));
    text("pv-residents", String(p.residents));
    text("pv-bindings", pairs(p.by_binding));
    text("pv-channels", pairs(p.by_channel));
    text("pv-groups", p.groups.length + (p.groups.length ? " (" + p.groups.slice(0, 8).join(", ") + ")" : ""));
    text("pv-nogroup", String(p.cells_without_group.length));
    var when = $("pv-when");
    when.textContent = p.test ? when.dataset.test + " (" + p.staff.join(", ") + ")"
      : p.held_until ? when.dataset.held + " " + p.held_text : when.dataset.now;
    when.dataset.held_until = p.held_until || "";
  }
  function showError(message) {
    var el = $("pv-error");
    el.hidden = !message;
    el.textContent = message || "";
  }

  // -- compose ------------------------------------------------------------------------------------
  function compose() {
    var form = $("compose");
    var signals = JSON.parse($("signals").textContent);
    var outline = JSON.parse($("outline").textContent);
    var sig = $("signal"), col = $("colour"), msg = $("message");
    var edited = msg.value !== "";
    msg.addEventListener("input", function () { edited = true; });

    function current() { return signals.filter(function (s) { return s.code === sig.value; })[0]; }
    function level() { return current().colours.filter(function (c) { return c.colour === col.value; })[0]; }
    function fillColours() {
      var chosen = col.value || col.dataset.chosen;
      col.innerHTML = "";
      current().colours.forEach(function (c) {  // only the colours this signal has
        var o = document.createElement("option");
        o.value = c.colour; o.textContent = c.zh; o.selected = c.colour === chosen;
        col.appendChild(o);
      });
      fillText();
    }
    function fillText() {
      var lv = level();
      text("criteria", lv.title + ": " + lv.criteria);
      if (!edited) { msg.value = lv.title + "：" + lv.criteria; }
    }
    sig.addEventListener("change", fillColours);
    col.addEventListener("change", fillText);
    fillColours();

    var map = newMap("map"), backdrop = L.layerGroup().addTo(map), cells = L.layerGroup().addTo(map);
    var drawn = L.layerGroup().addTo(map);
    drawRings(backdrop, outline, function () { return { color: "#57606a", weight: 1, fill: false }; });
    var all = Object.keys(outline).map(function (k) { return outline[k]; });
    if (all.length) { map.fitBounds(L.polygon(all).getBounds()); } else { map.setView([22.6, 114.3], 11); }

    var area = { polygon: null, circle: null }, tool = null, points = [], sketch = null, centre = null;
    function stale() { $("send-btn").disabled = true; }
    form.addEventListener("input", stale);
    form.addEventListener("change", stale);
    function pickTool(name) {
      tool = name === "clear" ? null : name; points = []; centre = null;
      if (sketch) { drawn.removeLayer(sketch); sketch = null; }
      if (name === "clear") { area = { polygon: null, circle: null }; drawn.clearLayers(); cells.clearLayers(); }
      map.getContainer().classList.toggle("drawing", !!tool);
      stale();
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-tool]"), function (b) {
      b.addEventListener("click", function () { pickTool(b.dataset.tool); });
    });
    function closePolygon() {
      if (points.length < 3) { return; }
      if (sketch) { drawn.removeLayer(sketch); sketch = null; }
      drawn.eachLayer(function (l) { if (l instanceof L.Polygon) { drawn.removeLayer(l); } });
      L.polygon(points, { color: "#0969da", weight: 2 }).addTo(drawn);
      area.polygon = points.map(function (p) { return [p.lng, p.lat]; });
      points = []; tool = null; map.getContainer().classList.remove("drawing"); stale();
    }
    map.on("click", function (e) {
      if (tool === "polygon") {
        if (points.length >= 3 && map.latLngToContainerPoint(points[0]).distanceTo(e.containerPoint) < 10) {
          closePolygon(); return;
        }
        points.push(e.latlng);
        if (sketch) { drawn.removeLayer(sketch); }
        sketch = L.polyline(points, { color: "#0969da", dashArray: "4" }).addTo(drawn);
      } else if (tool === "circle") {
        if (!centre) { centre = e.latlng; sketch = L.circleMarker(centre, { radius: 4 }).addTo(drawn); return; }
        if (sketch) { drawn.removeLayer(sketch); sketch = null; }
        drawn.eachLayer(function (l) { if (l instanceof L.Circle) { drawn.removeLayer(l); } });
        var metres = map.distance(centre, e.latlng);
        L.circle(centre, { radius: metres, color: "#0969da", weight: 2 }).addTo(drawn);
        area.circle = { lng: centre.lng, lat: centre.lat, radius_km: Math.round(metres) / 1000 };
        centre = null; tool = null; map.getContainer().classList.remove("drawing"); stale();
      }
    });
    map.on("dblclick", function () { if (tool === "polygon") { closePolygon(); } });

    function picked(id) {
      return Array.prototype.filter.call($(id).options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    }
    function areaJson() {
      var grids = picked("streets").concat(picked("communities"))
        .concat($("cells").value.split(/\s+/).filter(function (s) { return s; }));
      var out = {};
      if (area.polygon) { out.polygon = area.polygon; }
      if (area.circle) { out.circle = area.circle; }
      if (grids.length) { out.grids = grids; }
      return JSON.stringify(out);
    }
    $("preview-btn").addEventListener("click", function () {
      $("area").value = areaJson();
      showError("");
      post("/console/alerts/preview", form).then(function (r) {
        if (!r.ok) { showError(r.body.error || "error"); $("preview").hidden = true; return; }
        showPreview(r.body);
        cells.clearLayers();
        var c = AREA_COLOUR[col.value] || "#0969da";
        var shown = drawRings(cells, r.body.shapes, function () { return { color: c, weight: 1, fillOpacity: 0.35 }; });
        var codes = Object.keys(shown);
        if (codes.length) { map.fitBounds(L.featureGroup(codes.map(function (k) { return shown[k]; })).getBounds()); }
        $("send-btn").disabled = false;
      }).catch(function (e) { showError(String(e)); });
    });
    form.addEventListener("submit", function () { $("area").value = areaJson(); });
    try { restore(); } catch (e) { showError(String(e)); }

    function restore() {  // a refused send comes back with its area: draw and pick it again
      var saved;
      try { saved = JSON.parse($("area").value || "{}"); } catch (e) { return; }
      if (!saved || typeof saved !== "object") { return; }
      var grids = Array.isArray(saved.grids) ? saved.grids.map(String) : [], rest = [];
      grids.forEach(function (code) {
        var opt = document.querySelector("#streets option[value='" + code + "'], #communities option[value='" + code + "']");
        if (opt && /^\d+$/.test(code)) { opt.selected = true; } else { rest.push(code); }
      });
      $("cells").value = rest.join("\n");
      if (Array.isArray(saved.polygon) && saved.polygon.length >= 3) {
        area.polygon = saved.polygon;
        L.polygon(saved.polygon.map(function (p) { return [p[1], p[0]]; }), { color: "#0969da", weight: 2 }).addTo(drawn);
      }
      var c = saved.circle;
      if (c && isFinite(c.lat) && isFinite(c.lng) && Math.abs(c.lat) <= 90 && Math.abs(c.lng) <= 180) {
        area.circle = c;
        L.circle([c.lat, c.lng], { radius: Number(c.radius_km) * 1000 || 1, color: "#0969da", weight: 2 }).addTo(drawn);
      }
    }
  }

  // -- follow -------------------------------------------------------------------------------------
  function follow() {
    var root = $("follow"), url = root.dataset.coverage, map = newMap("map"), polys = {};
    function row(r) {
      var tr = document.createElement("tr");
      tr.dataset.grid = r.grid; tr.dataset.state = r.state;
      [r.grid, r.targeted, r.reached === null ? "–" : r.reached, r.failed === null ? "–" : r.failed,
       r.acks ? r.acks + " (" + r.households + (r.support ? ", !" : "") + ")" : "0", r.escalated ? "!" : ""]
        .forEach(function (v) { var td = document.createElement("td"); td.textContent = String(v); tr.appendChild(td); });
      var state = document.createElement("td");
      state.textContent = root.dataset["label" + r.state] || r.state;
      tr.appendChild(state);
      return tr;
    }
    function cellStyle(r) {  // a cell nobody lives in (as far as gridline knows) stays faint
      var c = STATE_COLOUR[r.state] || "#8c959f";
      return { color: c, fillColor: c, weight: r.state === "targeted" && !r.targeted ? 0.5 : 1.5,
               fillOpacity: r.state === "targeted" && !r.targeted ? 0.12 : 0.6 };
    }
    function render(body) {
      ["cells", "targeted", "reached", "failed", "acknowledged", "escalated", "households"].forEach(function (k) {
        text("t-" + k, String(body[k]));
      });
      root.dataset.status = body.status;
      var tbody = $("cover-rows");
      tbody.innerHTML = "";
      body.rows.forEach(function (r) {
        tbody.appendChild(row(r));
        if (polys[r.grid]) { polys[r.grid].setStyle(cellStyle(r)); }
      });
    }
    function poll(first) {
      return fetch(url + (first ? "?shapes=1" : ""), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (first && body.shapes) {
            var byGrid = {};
            body.rows.forEach(function (r) { byGrid[r.grid] = r; });
            polys = drawRings(map, body.shapes, function (code) { return cellStyle(byGrid[code] || {}); });
            var codes = Object.keys(polys);
            if (codes.length) { map.fitBounds(L.featureGroup(codes.map(function (k) { return polys[k]; })).getBounds()); }
            else { map.setView([22.6, 114.3], 11); }
          }
          render(body);
        });
    }
    poll(true).catch(function () { map.setView([22.6, 114.3], 11); });
    setInterval(function () { poll(false).catch(function () {}); }, Number(root.dataset.every || 4000));

    var upd = $("update");
    if (upd) {
      upd.addEventListener("input", function () { $("update-btn").disabled = true; });
      $("preview-btn").addEventListener("click", function () {
        showError("");
        post(upd.dataset.preview, upd).then(function (r) {
          if (!r.ok) { showError(r.body.error || "error"); return; }
          showPreview(r.body);
          $("update-btn").disabled = false;
        }).catch(function (e) { showError(String(e)); });
      });
    }
  }

  if ($("compose")) { compose(); }
  if ($("follow")) { follow(); }
}());
