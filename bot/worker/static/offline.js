// Offline: register the service worker, give every action form an idempotency key, and queue the forms
// sent without a signal in IndexedDB ("waiting to send"), to send them in order when the signal returns.
// A queued step the server refuses (the case moved on) stays on the page with the server's words.
// Photo forms (multipart) queue too: the photos, already shrunk by photo.js, are copied into IndexedDB as
// Blobs, and the key goes in the Idempotency-Key header (the server does not read a multipart body for it).
"use strict";
(function () {
  var me = document.currentScript, words = me ? me.dataset : {};
  var DB = "gridline-worker", STORE = "outbox", busy = false, again = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function keyed(form) {
    var input = form.querySelector("input[name=idem]");
    if (!input) { input = document.createElement("input"); input.type = "hidden"; input.name = "idem"; form.appendChild(input); }
    input.value = newKey();
    if (form.enctype === "multipart/form-data") {  // online too: a double tap on a photo form applies once
      // (attributes, not form.action: the case forms have an input named "action" that shadows it)
      var target = (form.getAttribute("action") || location.pathname).split("?")[0];
      form.setAttribute("action", target + "?idem=" + encodeURIComponent(input.value));
    }
  }

  function db() {
    return new Promise(function (ok, fail) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
      open.onsuccess = function () { ok(open.result); };
      open.onerror = function () { fail(open.error); };
    });
  }

  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (ok, fail) {
        var t = d.transaction(STORE, mode), result = work(t.objectStore(STORE));
        t.oncomplete = function () { ok(result && "result" in result ? result.result : undefined); };
        t.onerror = function () { fail(t.error); };
      });
    });
  }

  function all() { return tx("readonly", function (s) { return s.getAll(); }); }  // in key order: the order sent

  // A photo as stored: its bytes copied into a Blob of its own (a File picked from the gallery may be a
  // reference to a file the phone later moves or deletes), with its name for the multipart part.
  function stored(value) {
    if (!(value instanceof Blob)) return Promise.resolve(value);
    if (!value.size) return Promise.resolve(null);  // a file input left empty
    return value.arrayBuffer().then(function (bytes) {
      return { photo: new Blob([bytes], { type: value.type || "application/octet-stream" }), name: value.name || "photo.jpg" };
    });
  }

  function queue(form, submitter) {
    var data = new FormData(form), pairs = [];
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    data.forEach(function (value, name) { pairs.push([name, value]); });
    return Promise.all(pairs.map(function (p) { return stored(p[1]); })).then(function (values) {
      var fields = [];
      values.forEach(function (v, i) { if (v !== null) fields.push([pairs[i][0], v]); });
      var item = { url: new URL(form.getAttribute("action") || location.pathname, location.href).pathname, fields: fields,
                   key: data.get("idem"), multipart: form.enctype === "multipart/form-data", at: Date.now(), state: "waiting",
                   photos: fields.filter(function (f) { return f[1] && f[1].photo; }).length,
                   label: (submitter && submitter.textContent.trim()) || form.id, page: location.pathname };
      return tx("readwrite", function (s) { return s.add(item); });
    });
  }

  function send(item) {
    var idem = item.fields.filter(function (f) { return f[0] === "idem"; })[0], token = document.querySelector("input[name=csrf]");
    var multipart = item.multipart || item.fields.some(function (f) { return f[1] instanceof Blob || (f[1] && f[1].photo); });
    var body = multipart ? new FormData() : new URLSearchParams(), key = item.key || (idem && idem[1]);
    item.fields.forEach(function (f) {  // signed in again since: this page's token is the session's
      if (f[1] && f[1].photo) body.append(f[0], f[1].photo, f[1].name);
      else body.append(f[0], f[0] === "csrf" && token ? token.value : f[1]);
    });
    var headers = { Accept: "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", headers: headers })
      .then(function (resp) {
        return resp.json().catch(function () { return { kind: "error", text: String(resp.status) }; })
          .then(function (answer) { answer.status = resp.status; return answer; });
      });
  }

  function flush() {
    if (!navigator.onLine) return Promise.resolve(0);
    // A signal that returns while a pass is still sending (the last one failing) asks for one more pass
    // when that one ends: dropped, the queue would wait for the next "online" or page load.
    if (busy) { again = true; return Promise.resolve(0); }
    busy = true;
    var sent = 0;
    return all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      return waiting.reduce(function (chain, item) {  // one after another, in the order they were taken
        return chain.then(function (go) {
          if (!go) return false;
          return send(item).then(function (answer) {
            if (answer.status === 409 || answer.status === 401) return false;  // busy, or signed out: keep them
            if (answer.status === 200 && answer.kind === "ok") {
              sent += 1;
              return tx("readwrite", function (s) { return s.delete(item.id); }).then(function () { return true; });
            }
            item.state = "conflict"; item.text = answer.text || "";
            return tx("readwrite", function (s) { return s.put(item); }).then(function () { return true; });
          }, function () { return false; });  // no signal after all: keep the rest for the next try
        });
      }, Promise.resolve(true));
    }).then(function () { return sent; }, function () { return sent; }).then(function (done) {
      busy = false;
      if (!again) return done;
      again = false;
      return flush().then(function (more) { return done + more; });
    });
  }

  function show() {
    return all().then(function (items) {
      var box = document.getElementById("outbox"), main = document.querySelector("main");
      if (!items.length) { if (box) box.remove(); return; }
      if (!box) { box = document.createElement("section"); box.id = "outbox"; box.className = "outbox"; main.insertBefore(box, main.firstChild); }
      box.textContent = "";
      var h = document.createElement("h2"); h.textContent = words.title + " (" + items.length + ")"; box.appendChild(h);
      var list = document.createElement("ol"); box.appendChild(list);
      items.forEach(function (item) {
        var li = document.createElement("li"), what = document.createElement("span");
        li.className = "queued " + item.state; li.dataset.url = item.url;
        what.textContent = item.label + " · " + item.url.split("/").pop() + (item.photos ? " · 📷 " + item.photos : "") + " — " +
          (item.state === "waiting" ? words.waiting : words.conflict + ": " + item.text);
        li.appendChild(what);
        if (item.state !== "waiting") {
          var ok = document.createElement("button"); ok.type = "button"; ok.className = "link"; ok.textContent = words.dismiss;
          ok.addEventListener("click", function () { tx("readwrite", function (s) { return s.delete(item.id); }).then(show); });
          li.appendChild(ok);
        }
        list.appendChild(li);
      });
    });
  }

  function sync() {
    return flush().then(function (sent) { return show().then(function () { if (sent) location.reload(); }); });
  }

  document.querySelectorAll("main form[method=post]").forEach(keyed);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.closest("main") || navigator.onLine) return;  // online: the form posts as it always does
    e.preventDefault();
    queue(form, e.submitter).then(function () { keyed(form); form.reset(); return show(); });
  });
  document.querySelectorAll("form.out").forEach(function (form) {  // signing out: this phone keeps no pages
    form.addEventListener("submit", function () {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: "forget" });
    });
  });
  window.addEventListener("online", sync);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/worker/sw.js", { scope: "/worker/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var tasks = document.querySelectorAll(".tasks a[href^='/worker/cases/']");
      if (reg.active && location.pathname === "/worker/") {  // 我的任务: keep my open tasks' pages on the phone
        var urls = Array.prototype.map.call(tasks, function (a) { return a.getAttribute("href"); });
        urls.push("/worker/alerts", "/worker/me", "/worker/report");
        reg.active.postMessage({ type: "keep", urls: urls });
      }
    }).catch(function () { /* no service worker (private mode, old browser): pages work online */ });
  }
  if (window.indexedDB) sync();
})();
