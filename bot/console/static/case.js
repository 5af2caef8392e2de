// The case page's keyboard shortcuts: r 立案, d dispatch, s 督办, c comment (each focuses or submits its
// form, the server decides whether the step is open), g back to the desk.
"use strict";
(function () {
  const forms = {r: "register", d: "dispatch", s: "supervise", c: "comment"};
  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    if (ev.key === "g") { location.href = "/console/"; return; }
    const form = forms[ev.key] && document.querySelector("form[data-action=" + forms[ev.key] + "]");
    if (!form) return;
    ev.preventDefault();
    const field = form.querySelector("select, textarea, input:not([type=hidden])");
    if (field) field.focus(); else form.requestSubmit();
  });
  // The shortcuts answer from here on (a key pressed while this script was still loading did nothing).
  document.documentElement.dataset.keys = "on";
})();
