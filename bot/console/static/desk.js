// Refresh the queue counts every 30 s from /console/counts.json; the list itself changes on reload only.
"use strict";
(function () {
  async function refresh() {
    try {
      const response = await fetch("/console/counts.json", {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) return;
      const counts = await response.json();
      document.querySelectorAll("[data-queue]").forEach(function (el) {
        const n = counts[el.dataset.queue];
        if (typeof n === "number") el.textContent = String(n);
      });
    } catch (e) { /* offline for a moment: the next tick tries again */ }
  }
  setInterval(refresh, 30000);
})();
