// The classifier pages' partial updates: triage decisions by key or click, the label file check,
// the retrain progress bar and the live "this text would go to" box. Every POST carries the form's
// CSRF field; without this script each form still works as a plain post.
"use strict";
(function () {
  async function post(url, data) {
    const response = await fetch(url, {method: "POST", body: data, credentials: "same-origin", cache: "no-store"});
    return response.text();
  }
  function typing(target) {
    return target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  // Triage: the decision posts in the background and the next case replaces this one.
  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!form.matches("[data-decide]")) return;
    event.preventDefault();
    const data = new FormData(form, event.submitter || undefined);
    data.append("partial", "1");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    const html = await post(form.action, data);
    const here = document.getElementById("triage-case");
    if (here) here.outerHTML = html;
  });
  document.addEventListener("keydown", function (event) {
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const button = document.querySelector("#triage-case [data-key='" + event.key + "']");
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });

  // Labels: "Check the file" shows the preview in place; only a clean file enables the import.
  const upload = document.getElementById("label-import");
  if (upload) {
    const importButton = upload.querySelector("[data-import]");
    upload.querySelector("input[type=file]").addEventListener("change", function () { importButton.disabled = true; });
    upload.addEventListener("submit", async function (event) {
      if (!event.submitter || !event.submitter.matches("[data-check]")) return;  // the import posts normally
      event.preventDefault();
      const html = await post(upload.dataset.preview, new FormData(upload));
      const box = document.getElementById("label-preview");
      box.innerHTML = html;
      importButton.disabled = !box.querySelector("[data-ok='1']");
    });
  }

  // Retrain: poll the job until it is done, moving the bar; then show the new version.
  const job = document.getElementById("job");
  if (job && !/^(done|failed)$/.test(job.dataset.status)) {
    const bar = job.querySelector("progress"), stage = job.querySelector("[data-stage]");
    const timer = setInterval(async function () {
      try {
        const response = await fetch("/console/nlp/jobs/" + job.dataset.job + ".json", {cache: "no-store"});
        if (!response.ok) return;
        const state = await response.json();
        bar.value = state.progress; stage.textContent = state.stage || state.status;
        job.dataset.status = state.status;
        if (state.status === "done" || state.status === "failed") { clearInterval(timer); location.reload(); }
      } catch (e) { /* a moment offline: the next tick tries again */ }
    }, 500);
  }

  // Try it and the rules' test box: the answer appears below the form, also while typing.
  document.querySelectorAll("form[data-live]").forEach(function (form) {
    const box = document.getElementById("try-result");
    let waiting = null;
    async function ask() {
      if (!form.elements.text.value.trim()) { box.innerHTML = ""; return; }
      box.innerHTML = await post(form.dataset.live, new FormData(form));
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); ask(); });
    form.elements.text.addEventListener("input", function () { clearTimeout(waiting); waiting = setTimeout(ask, 400); });
  });
})();
