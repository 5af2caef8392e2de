// gridline worker pages: the service worker (release __WORKER__). Plain JS, no framework.
// Shell: the versioned static files, cache-first. Pages: network first, the last copy when offline.
"use strict";
var V = "__VERSION__", SHELL = "gl-shell-" + V, PAGES = "gl-pages";
// The shell: every script a kept page loads (photo.js shrinks the photos a worker takes offline).
var ASSETS = ["/worker/static/worker.css?v=" + V, "/worker/static/offline.js?v=" + V, "/worker/static/photo.js?v=" + V,
              "/worker/static/position.js?v=" + V, "/worker/static/report.js?v=" + V];
// Which pages a worker may need offline: my tasks, a case, the alerts, my page, the patrol form (never
// sign-in or forms' answers).
var KEEP = /^\/worker\/(cases\/[0-9-]{1,40}|alerts|me|report)?$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("gl-shell-") === 0 && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/worker/static/") === 0) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  } else if (req.mode === "navigate" && KEEP.test(url.pathname)) {
    e.respondWith(page(req, url.pathname));
  }
});

function page(req, key) {
  return fetch(req).then(function (resp) {
    if (resp.ok && !resp.redirected) {
      var copy = resp.clone();
      caches.open(PAGES).then(function (c) { return c.put(key, copy); });
    }
    return resp;
  }).catch(function () {
    return caches.open(PAGES).then(function (c) {
      return c.match(key).then(function (hit) { return hit || c.match("/worker/"); });
    }).then(function (hit) { return hit || Response.error(); });
  });
}

// From the pages: "keep" the pages of my open tasks (the list replaces the last one), "forget" all (sign-out).
self.addEventListener("message", function (e) {
  var msg = e.data || {};
  if (msg.type === "forget") {
    e.waitUntil(caches.delete(PAGES));
  } else if (msg.type === "keep" && Array.isArray(msg.urls)) {
    e.waitUntil(keep(msg.urls.filter(function (u) { return typeof u === "string" && KEEP.test(u); })));
  }
});

function keep(urls) {
  return caches.open(PAGES).then(function (c) {
    return c.keys().then(function (old) {
      var drop = old.filter(function (r) {
        var path = new URL(r.url).pathname;
        return path.indexOf("/worker/cases/") === 0 && urls.indexOf(path) < 0;  // closed tasks leave the phone
      });
      return Promise.all(drop.map(function (r) { return c.delete(r); }));
    }).then(function () {
      return Promise.all(urls.map(function (u) {
        return fetch(u, { credentials: "same-origin", redirect: "manual" }).then(function (resp) {
          if (resp.ok) return c.put(u, resp);
        }).catch(function () { /* offline now: the last copy stays */ });
      }));
    });
  });
}
