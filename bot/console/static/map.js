// The console map: grid cells per view (canvas), open cases as clustered markers by SLA light, a heat
// map by category group and period, a cell's summary on click, cases inside a drawn polygon.
"use strict";
(function () {
  const el = document.getElementById("map");
  const panel = document.getElementById("panel");
  const t = function (key) { return el.dataset["l" + key] || key; };
  const renderer = L.canvas({padding: 0.2});
  const map = L.map(el, {preferCanvas: true, renderer: renderer, minZoom: 8, maxZoom: 19});
  el.leafletMap = map;  // for the browser tests, which click a cell at its place on the screen
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {subdomains: "1234", attribution: el.dataset.attribution, maxZoom: 19}).addTo(map);
  }
  const cellLayer = L.layerGroup().addTo(map);
  const clusters = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false}).addTo(map);
  const LIGHTS = {green: "#2da44e", yellow: "#d4a72c", red: "#cf222e"};
  let heat = null;
  let drawing = null;

  async function get(url) {
    const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }
  function bbox() {
    const b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (v, i) { return Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5); }).join(",");
  }
  function text(tag, words) { const node = document.createElement(tag); node.textContent = words; return node; }

  async function drawCells() {
    const view = await get("/console/map/cells.json?zoom=" + map.getZoom() + "&bbox=" + bbox());
    cellLayer.clearLayers();
    view.cells.forEach(function (cell) {
      const shape = L.polygon(cell.g, {renderer: renderer, weight: 1, color: "#0b4f9c", fillOpacity: 0.04});
      shape.on("click", function () { if (!drawing || document.getElementById("draw-done").hidden) showCell(cell.c); });
      shape.bindTooltip(cell.n, {sticky: true});
      cellLayer.addLayer(shape);
    });
    el.dataset.cells = String(view.cells.length);
    el.dataset.level = view.level;
  }
  async function drawCases() {
    clusters.clearLayers();
    if (!document.getElementById("show-cases").checked) { el.dataset.markers = "0"; return; }
    const found = await get("/console/map/cases.json?bbox=" + bbox());
    clusters.addLayers(found.cases.map(function (c) {
      const dot = L.circleMarker([c[0], c[1]], {radius: 7, color: "#fff", weight: 1, fillOpacity: 0.9,
                                               fillColor: LIGHTS[c[2]] || "#888"});
      dot.bindPopup('<a href="/console/cases/' + encodeURIComponent(c[3]) + '">' + c[3] + "</a>");
      return dot;
    }));
    el.dataset.markers = String(found.cases.length);
  }
  async function drawHeat() {
    if (heat) { map.removeLayer(heat); heat = null; }
    if (!document.getElementById("show-heat").checked) { el.dataset.heat = "off"; return; }
    const q = "days=" + document.getElementById("heat-days").value + "&group=" + document.getElementById("heat-group").value;
    const data = await get("/console/map/heat.json?" + q);
    const most = data.points.reduce(function (m, p) { return Math.max(m, p[2]); }, 1);
    heat = L.heatLayer(data.points, {radius: 25, blur: 15, minOpacity: 0.35, max: Math.max(1, most / 3)}).addTo(map);
    el.dataset.heat = String(data.points.length);
  }
  async function showCell(code) {
    const cell = await get("/console/map/cells/" + encodeURIComponent(code) + ".json");
    panel.replaceChildren(text("h2", cell.name), text("p", cell.code));
    panel.append(text("p", t("Worker") + ": " + (cell.worker ? cell.worker[1] : t("None"))));
    const f = cell.figures || {};
    const dl = document.createElement("dl");
    dl.className = "figures";
    [["Received", f.received], ["Closed", f.closed], ["Ontime", f.on_time_rate === undefined || f.on_time_rate === null ? "—" :
      Math.round(f.on_time_rate * 100) + "%"], ["Overdue", f.overdue_now]].forEach(function (row) {
      dl.append(text("dt", t(row[0])), text("dd", row[1] === undefined ? "0" : String(row[1])));
    });
    panel.append(dl, text("h3", t("Open") + " (" + cell.open_cases.length + ")"));
    panel.append(caseList(cell.open_cases));
    const link = text("a", t("Stats"));
    link.href = "/console/stats?by=grid&area=" + encodeURIComponent(code);
    panel.append(link);
    panel.dataset.cell = code;
  }
  function caseList(cases) {
    const ul = document.createElement("ul");
    cases.forEach(function (c) {
      const li = document.createElement("li");
      const a = text("a", c.case_no);
      a.href = "/console/cases/" + encodeURIComponent(c.case_no);
      li.append(a, document.createTextNode(" " + c.status));
      ul.append(li);
    });
    return ul;
  }

  // Drawing: each click adds a corner; "Find cases inside" sends the polygon to the server.
  document.getElementById("draw").addEventListener("click", function () {
    if (drawing) { map.removeLayer(drawing); }
    drawing = L.polygon([], {color: "#8250df", renderer: renderer}).addTo(map);
    document.getElementById("draw-done").hidden = false;
    el.classList.add("drawing");
  });
  map.on("click", function (e) { if (drawing && !document.getElementById("draw-done").hidden) drawing.addLatLng(e.latlng); });
  document.getElementById("draw-done").addEventListener("click", async function () {
    const points = drawing.getLatLngs()[0].map(function (p) { return p.lat.toFixed(6) + "," + p.lng.toFixed(6); });
    document.getElementById("draw-done").hidden = true;
    const body = new URLSearchParams({csrf: el.dataset.csrf, points: points.join(" ")});
    const response = await fetch("/console/map/inside", {method: "POST", body: body, credentials: "same-origin"});
    const answer = await response.json();
    panel.replaceChildren(text("h2", t("Inside")));
    if (!response.ok) { panel.append(text("p", answer.message)); return; }
    panel.append(text("p", String(answer.count)), caseList(answer.cases));
    panel.dataset.inside = String(answer.count);
  });

  function redraw() { drawCells().catch(function () {}); drawCases().catch(function () {}); }
  ["show-cases"].forEach(function (id) { document.getElementById(id).addEventListener("change", drawCases); });
  ["show-heat", "heat-group", "heat-days"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", drawHeat);
  });
  map.on("moveend", redraw);
  // First view: the user's whole area at street level, then its bounds.
  get("/console/map/cells.json?zoom=10").then(function (view) {
    const bounds = L.latLngBounds([]);
    view.cells.forEach(function (c) { c.g.forEach(function (ring) { bounds.extend(ring); }); });
    if (bounds.isValid()) map.fitBounds(bounds); else map.setView([22.55, 114.1], 11);
  });
})();
