// The desk: live queue counts (with the page's filters) pushed by the server as server-sent events, or polled
// every 30 s where the browser or the server cannot stream; "select all"; keyboard shortcuts (1–9 a queue,
// j/k move, x tick, o/Enter open, / filters). The list itself changes on reload only.
"use strict";
(function () {
  const filters = new URLSearchParams(location.search);
  filters.delete("queue");
  function show(counts) {
    document.querySelectorAll("[data-queue]").forEach(function (el) {
      const n = counts[el.dataset.queue];
      if (typeof n === "number") el.textContent = String(n);
    });
  }
  async function refresh() {
    try {
      const response = await fetch("/console/counts.json?" + filters.toString(),
                                   {credentials: "same-origin", cache: "no-store"});
      if (response.ok) show(await response.json());
    } catch (e) { /* offline for a moment: the next tick tries again */ }
  }
  let polling = null;
  function poll() {
    document.body.dataset.live = "polling";
    if (polling === null) polling = setInterval(refresh, 30000);
  }
  function listen() {
    if (typeof EventSource === "undefined") { poll(); return; }
    const live = new EventSource("/console/counts/stream?" + filters.toString());
    document.body.dataset.live = "connecting";
    live.addEventListener("open", function () { document.body.dataset.live = "open"; });
    live.addEventListener("counts", function (ev) { show(JSON.parse(ev.data)); });
    live.addEventListener("end", function () {  // signed out or revoked: the reload asks for a sign-in
      live.close();
      document.body.dataset.live = "ended";
      location.reload();
    });
    live.addEventListener("error", function () {  // refused (429, signed out): the browser gives up, so poll
      if (live.readyState === EventSource.CLOSED) poll();
    });
  }
  listen();

  const all = document.getElementById("all");
  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input[name=case_no]").forEach(function (box) { box.checked = all.checked; });
  });

  const rows = Array.from(document.querySelectorAll("tr[data-case]"));
  let at = -1;
  function mark(i) {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("at", n === at); });
    rows[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    const queue = document.querySelector("[data-key='" + ev.key + "']");
    if (queue) { location.href = queue.href; return; }
    if (ev.key === "j") mark(at + 1);
    else if (ev.key === "k") mark(at - 1);
    else if (ev.key === "x" && at >= 0) { const box = rows[at].querySelector("input"); box.checked = !box.checked; }
    else if ((ev.key === "o" || ev.key === "Enter") && at >= 0) location.href = rows[at].querySelector("a").href;
    else if (ev.key === "/") { ev.preventDefault(); document.querySelector("#filters select, #filters input[type=text]").focus(); }
  });
})();
