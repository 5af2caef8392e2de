// gridline sandbox: plays WeChat's server in the browser. Every action becomes the callback
// XML WeChat would send, signed with the sandbox token, POSTed to /wechat; replies and pushes
// are shown as a 公众号 chat. No framework, no build step, nothing loaded from outside.

const $ = (sel) => document.querySelector(sel);
const state = { token: "", toUser: "gh_sandbox", openid: "", since: 0, after: "", lastTime: 0, seq: 0, voice: false };
// Labels come from the server (gettext): item.label for each message kind, states[key].label for its delivery.

// ---- signing and XML -------------------------------------------------------------------

async function sha1Hex(text) {
  const data = new TextEncoder().encode(text);
  // crypto.subtle exists only in secure contexts (https, localhost): opened from a LAN
  // address the page would be unable to sign, so a small SHA-1 stands in there.
  const digest = crypto.subtle ? new Uint8Array(await crypto.subtle.digest("SHA-1", data)) : sha1(data);
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function sha1(bytes) {
  const words = new Uint32Array((((bytes.length + 8) >> 6) + 1) * 16);
  bytes.forEach((b, i) => { words[i >> 2] |= b << (24 - (i % 4) * 8); });
  words[bytes.length >> 2] |= 0x80 << (24 - (bytes.length % 4) * 8);
  words[words.length - 1] = bytes.length * 8;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  for (let off = 0; off < words.length; off += 16) {
    const w = new Uint32Array(80);
    for (let t = 0; t < 80; t++) w[t] = t < 16 ? words[off + t] : rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      const [f, k] = t < 20 ? [(b & c) | (~b & d), 0x5a827999] : t < 40 ? [b ^ c ^ d, 0x6ed9eba1]
        : t < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
      [e, d, c, b, a] = [d, c, rotl(b, 30), a, (rotl(a, 5) + f + e + k + w[t]) >>> 0];
    }
    [a, b, c, d, e].forEach((v, i) => { h[i] = (h[i] + v) >>> 0; });
  }
  return new Uint8Array(h.flatMap((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]));
}

const cdata = (s) => `<![CDATA[${String(s).replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
const randomDigits = (n) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b % 10).join("");

function messageXml(openid, fields) {
  // As WeChat writes it: text in CDATA, numbers bare, the envelope first.
  const now = Math.floor(Date.now() / 1000);
  // Events are deduplicated on (sender, CreateTime, event): two clicks in one second must differ.
  state.lastTime = Math.max(now, state.lastTime + 1);
  const all = { ToUserName: state.toUser, FromUserName: openid, CreateTime: state.lastTime, ...fields };
  if (all.MsgType !== "event") all.MsgId = `${Date.now()}${String(state.seq++ % 1000).padStart(3, "0")}`;
  const nodes = Object.entries(all).map(([k, v]) => `<${k}>${typeof v === "number" ? v : cdata(v)}</${k}>`);
  return `<xml>${nodes.join("")}</xml>`;
}

async function deliver(openid, fields) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomDigits(10);
  const signature = await sha1Hex([state.token, timestamp, nonce].sort().join(""));
  const query = new URLSearchParams({ signature, timestamp, nonce, openid });
  const resp = await fetch(`/wechat?${query}`, { method: "POST", body: messageXml(openid, fields),
    headers: { "Content-Type": "text/xml" } });
  const body = await resp.text();
  if (!resp.ok) return addEntry({ who: "system", text: `回调被拒绝（HTTP ${resp.status}）：${body}` }, openid);
  if (body === "success" || !body) return; // no passive reply: any answer comes as a push
  const doc = new DOMParser().parseFromString(body, "application/xml");
  addEntry({ who: "bot", text: doc.querySelector("Content")?.textContent ?? body }, openid);
}

// ---- chat --------------------------------------------------------------------------------

const history = (openid = state.openid) => JSON.parse(localStorage.getItem(`sandbox.chat.${openid}`) || "[]");

// `openid` is whose chat it belongs to: a reply may arrive after the page switched resident.
function addEntry(entry, openid = state.openid, save = true) {
  if (save) {
    // A photo's blob: URL dies with the page, so the saved chat keeps only its caption.
    const kept = [...history(openid), { ...entry, image: undefined }].slice(-200);
    localStorage.setItem(`sandbox.chat.${openid}`, JSON.stringify(kept));
  }
  if (openid !== state.openid) return;
  const li = document.createElement("li");
  li.className = `msg ${entry.who}`;
  if (entry.tag) li.append(Object.assign(document.createElement("span"), { className: "tag", textContent: entry.tag }));
  if (entry.image) li.append(Object.assign(document.createElement("img"), { src: entry.image, alt: "照片" }));
  li.append(Object.assign(document.createElement("div"), { className: "text", textContent: entry.text }));
  if (entry.push) paintBubble(li, entry);
  $("#chat").append(li);
  li.scrollIntoView({ block: "end" });
}

// One callback at a time, like one resident's phone: a place picked while the text before it
// is still being answered must reach the dialogue second, not race it.
let queue = Promise.resolve();

function send(entry, fields) {
  const openid = state.openid;
  addEntry(entry, openid);
  queue = queue.then(() => deliver(openid, fields))
    .catch((err) => addEntry({ who: "system", text: `发送失败：${err}` }, openid));
  return queue;
}

function sendText(text) {
  if (!text.trim()) return;
  if (state.voice) {
    return send({ who: "me", tag: "语音", text }, { MsgType: "voice", MediaId: `sandbox-voice-${randomDigits(12)}`,
      Format: "amr", Recognition: text });
  }
  return send({ who: "me", text }, { MsgType: "text", Content: text });
}

function sendLocation(lat, lng, label) {
  drawPin(lat, lng);
  return send({ who: "me", tag: "位置", text: `${label}\n${lat.toFixed(5)}, ${lng.toFixed(5)}` },
    { MsgType: "location", Location_X: lat, Location_Y: lng, Scale: 15, Label: label });
}

// ---- residents ---------------------------------------------------------------------------

function residents() { return JSON.parse(localStorage.getItem("sandbox.residents") || "[]"); }

function switchTo(openid) {
  state.openid = openid;
  state.since = 0;
  state.after = "";
  localStorage.setItem("sandbox.current", openid);
  $("#resident").replaceChildren(...residents().map((id) => new Option(id, id, false, id === openid)));
  $("#chat").replaceChildren();
  for (const list of ["#pushes-resident", "#pushes-group"]) $(list).replaceChildren();
  $("#push-count").textContent = "0";
  $("#map .pin")?.remove(); // the pin was the previous resident's place
  $("#map-status").textContent = "";
  pushes.clear();
  history().forEach((entry) => addEntry(entry, openid, false));
}

async function newResident() {
  // OpenIDs are 28 characters; the prefix marks sandbox residents in the database.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const tail = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => alphabet[b % alphabet.length]).join("");
  localStorage.setItem("sandbox.residents", JSON.stringify([...residents(), `oSandbox${tail}`]));
  switchTo(`oSandbox${tail}`);
  await send({ who: "event", text: "关注了公众号" }, { MsgType: "event", Event: "subscribe", EventKey: "" });
}

// ---- pushes ------------------------------------------------------------------------------

// What the page has listed for the current resident, by key: states change after an item is listed.
const pushes = new Map();

async function poll() {
  const openid = state.openid;
  try {
    const query = new URLSearchParams({ openid, since: state.since, after: state.after });
    const body = await (await fetch(`/sandbox/api/pushes?${query}`)).json();
    if (openid !== state.openid) return; // switched resident while waiting
    if (body.reset && state.after) switchTo(openid); // the server restarted: show its pushes afresh
    Object.assign(state, { since: body.next, after: body.last_key ?? "" });
    body.items.forEach((item) => showPush(item, body.states[item.key]));
    for (const [key, delivery] of Object.entries(body.states ?? {})) updatePush(key, delivery);
  } finally {
    setTimeout(poll, 1500);
  }
}

// Deadlines come in UTC; residents and workers read Beijing time.
const localTime = (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai",
  month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }) : "—");
const UNKNOWN = { state: "unknown", label: "", reason: "" };

function showPush(item, delivery = UNKNOWN) {
  const p = item.payload;
  const toGroup = item.recipient.kind === "grid_group";
  const detail = item.kind === "wechat.reply" ? p.text
    : toGroup ? `${p.category_name ?? "待分类"} · ${p.grid_name ?? item.recipient.ref} · 时限 ${localTime(p.deadline)}`
    : p.resident_text ?? [p.category_name, p.note].filter(Boolean).join(" · ");
  const li = document.createElement("li");
  li.dataset.key = item.key;
  li.innerHTML = '<div class="push-head"><b></b><span class="mono"></span></div><div class="push-body"></div>'
    + '<div class="push-state"></div>';
  li.querySelector("b").textContent = item.label ?? item.kind;
  li.querySelector(".mono").textContent = item.case_no ?? "";
  li.querySelector(".push-body").textContent = detail || item.label;
  $(toGroup ? "#pushes-group" : "#pushes-resident").prepend(li);
  $("#push-count").textContent = String(Number($("#push-count").textContent) + 1);
  pushes.set(item.key, { item, toGroup, text: detail || item.label });
  updatePush(item.key, delivery);
}

// A push's delivery as the outbox has it; a resident's push joins the chat, held ones drawn apart.
function updatePush(key, delivery) {
  const known = pushes.get(key);
  if (!known) return;
  const li = document.querySelector(`.push-list li[data-key="${CSS.escape(key)}"]`);
  if (li) {
    li.dataset.state = delivery.state;
    li.querySelector(".push-state").textContent = [delivery.label, delivery.reason].filter(Boolean).join("：");
  }
  // Answered inside the callback's own reply: the chat already shows it.
  if (known.toGroup || delivery.channel === "passive_reply" || delivery.state === "unknown") return;
  const entry = { who: "bot", push: key, tag: known.item.label, text: delivery.text ?? known.text,
    state: delivery.state, stateLabel: delivery.label, reason: delivery.reason };
  const saved = history();
  const at = saved.findIndex((e) => e.push === key);
  if (at < 0) return addEntry(entry);
  if (saved[at].state === entry.state) return;
  saved[at] = entry;
  localStorage.setItem(`sandbox.chat.${state.openid}`, JSON.stringify(saved));
  const bubble = document.querySelector(`#chat li[data-key="${CSS.escape(key)}"]`);
  if (bubble) paintBubble(bubble, entry);
}

function paintBubble(li, entry) {
  li.dataset.key = entry.push;
  li.dataset.state = entry.state ?? "";
  li.classList.toggle("pending", entry.state !== "delivered");
  let note = li.querySelector(".delivery");
  if (!note) note = li.appendChild(Object.assign(document.createElement("div"), { className: "delivery" }));
  note.textContent = [entry.stateLabel, entry.state === "delivered" ? "" : entry.reason].filter(Boolean).join("：");
  const text = li.querySelector(".text");
  if (text) text.textContent = entry.text;
}

// ---- map ---------------------------------------------------------------------------------

// Equirectangular around the middle latitude (a degree of longitude is cos(lat) of one of
// latitude): at a district's size it is as good as any, and trivially inverted for clicks.
const map = { width: 1000, height: 0, box: [0, 0, 1, 1], cos: 1, scale: 1 };

function project(lng, lat) { return [(lng - map.box[0]) * map.scale * map.cos, (map.box[3] - lat) * map.scale]; }
function unproject(x, y) { return [x / (map.scale * map.cos) + map.box[0], map.box[3] - y / map.scale]; }

function svg(tag, attrs, parent) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
  return parent ? parent.appendChild(el) : el;
}

function pathData(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flat().map((ring) => `M${ring.map(([x, y]) => project(x, y).map((v) => v.toFixed(1)).join(",")).join("L")}Z`).join("");
}

function drawMap(fc, places) {
  map.box = fc.bbox;
  map.cos = Math.cos(((fc.bbox[1] + fc.bbox[3]) / 2) * Math.PI / 180);
  map.scale = map.width / ((fc.bbox[2] - fc.bbox[0]) * map.cos);
  map.height = Math.ceil(project(fc.bbox[0], fc.bbox[1])[1]);
  const el = $("#map");
  el.setAttribute("viewBox", `-10 -10 ${map.width + 20} ${map.height + 20}`);
  const layers = ["community", "street"].map((level) => svg("g", { class: `layer ${level}` }, el));
  for (const f of fc.features) {
    const path = svg("path", { d: pathData(f.geometry), "data-code": f.properties.code, class: f.properties.level },
      layers[f.properties.level === "street" ? 1 : 0]);
    svg("title", {}, path).textContent = f.properties.name;
  }
  const labels = svg("g", { class: "labels" }, el);
  for (const f of fc.features.filter((f) => f.properties.level === "street")) {
    const [x, y] = project(...f.properties.label);
    svg("text", { x, y, class: "street-label" }, labels).textContent = f.properties.name;
  }
  for (const p of places.filter((p) => p.kind !== "community")) {
    const [x, y] = project(p.lng, p.lat);
    svg("circle", { cx: x, cy: y, r: 6, class: "place" }, labels);
    svg("text", { x: x + 9, y: y + 7, class: "place-label" }, labels).textContent = p.name;
  }
  el.addEventListener("click", (ev) => {
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(el.getScreenCTM().inverse());
    const [lng, lat] = unproject(pt.x, pt.y);
    const where = ev.target.closest("path")?.querySelector("title")?.textContent ?? "地图选点";
    sendLocation(lat, lng, where);
  });
}

function drawPin(lat, lng) {
  $("#map .pin")?.remove();
  const [x, y] = project(lng, lat);
  svg("path", { d: `M${x},${y}l-11,-24a12,12 0 1 1 22,0z`, class: "pin" }, $("#map"));
  $("#map-status").textContent = `已发送位置 ${lat.toFixed(5)}, ${lng.toFixed(5)}`;
}

function closePopups() {
  document.querySelectorAll(".popup").forEach((p) => { p.hidden = true; });
  document.querySelectorAll("[aria-expanded]").forEach((b) => b.setAttribute("aria-expanded", "false"));
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  const [config, fc] = await Promise.all(["/sandbox/api/config", "/sandbox/api/map"].map((u) => fetch(u).then((r) => r.json())));
  if (!config.token) return addEntry({ who: "system", text: `沙盒不可用：${config.message ?? "没有令牌"}` }, "", false);
  Object.assign(state, { token: config.token, toUser: config.to_user });
  const groups = { landmark: "地标", road: "道路", community: "社区" };
  for (const [kind, label] of Object.entries(groups)) {
    const group = Object.assign(document.createElement("optgroup"), { label });
    config.places.filter((p) => p.kind === kind).forEach((p) => group.append(new Option(p.name, JSON.stringify(p))));
    $("#place").append(group);
  }
  drawMap(fc, config.places);
  $("#place").addEventListener("change", (ev) => {
    if (!ev.target.value) return;
    const p = JSON.parse(ev.target.value);
    ev.target.value = "";
    sendLocation(p.lat, p.lng, p.name);
  });
  $("#composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sendText($("#message").value);
    $("#message").value = "";
  });
  $("#voice-toggle").addEventListener("click", (ev) => {
    state.voice = !state.voice;
    ev.currentTarget.setAttribute("aria-pressed", String(state.voice));
    $("#message").placeholder = state.voice ? "说的话（作为语音识别结果发送）" : "输入文字，回车发送";
  });
  $("#photo").addEventListener("click", () => { closePopups(); $("#photo-file").click(); });
  for (const [toggle, popup] of [["#service-toggle", "#service-menu"], ["#plus", "#plus-menu"]]) {
    $(toggle).addEventListener("click", () => {
      const open = $(popup).hidden;
      closePopups();
      $(popup).hidden = !open;
      $(toggle).setAttribute("aria-expanded", String(open));
    });
  }
  // WeChat's location_select opens a map; here the map and the place list are that picker.
  document.querySelectorAll("[data-location]").forEach((b) => b.addEventListener("click", () => {
    closePopups();
    $("#place").focus();
    $("#map-status").textContent = "请在地图上点选位置，或从上方列表选择地名";
  }));
  $("#photo-file").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    // WeChat would host the picture; the server only ever sees a MediaId and a PicUrl.
    const media = `sandbox-media-${randomDigits(12)}`;
    send({ who: "me", tag: "照片", text: file.name, image: URL.createObjectURL(file) },
      { MsgType: "image", PicUrl: `http://mmbiz.qpic.cn/sandbox/${media}`, MediaId: media });
    ev.target.value = "";
  });
  document.querySelectorAll(".menu button[data-key]").forEach((b) => b.addEventListener("click", () => {
    closePopups();
    send({ who: "event", text: `点击菜单「${b.textContent}」` }, { MsgType: "event", Event: "CLICK", EventKey: b.dataset.key });
  }));
  $("#resident").addEventListener("change", (ev) => switchTo(ev.target.value));
  $("#new-resident").addEventListener("click", newResident);
  const current = localStorage.getItem("sandbox.current");
  if (current && residents().includes(current)) switchTo(current); else await newResident();
  document.body.dataset.ready = "true"; // tests wait for this
  poll();
}

start();
