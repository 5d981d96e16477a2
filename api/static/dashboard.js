// Grid operators' dashboard: live oracle actions (server-sent events, resumed by the
// browser with Last-Event-ID), interval prices and volumes against the tariffs, and
// battery commands with their acknowledgement state. No build step, no dependencies.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { token: "", source: null, lastSeq: 0 };

function authHeaders() {
  return { Authorization: "Bearer " + state.token };
}

async function getJson(path) {
  const reply = await fetch(path, { headers: authHeaders() });
  if (!reply.ok) throw new Error(path + ": " + reply.status);
  return reply.json();
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "-" : String(text);
  row.appendChild(td);
}

function showAction(seq, action) {
  const li = document.createElement("li");
  li.dataset.seq = String(seq);
  li.className = action.status || "ok";
  const when = action.at_ms ? new Date(action.at_ms).toISOString().slice(11, 19) : "";
  const parts = [when, action.oracle, action.action, action.status];
  if (action.interval !== null && action.interval !== undefined) parts.push("interval " + action.interval);
  if (action.subject_id) parts.push(action.subject_id);
  if (action.detail) parts.push(action.detail);
  li.textContent = parts.filter(Boolean).join("  ");
  const feed = $("#feed");
  feed.insertBefore(li, feed.firstChild);
  while (feed.children.length > 200) feed.removeChild(feed.lastChild);
}

function connectFeed() {
  if (state.source) state.source.close();
  const url = "/operator/feed?access_token=" + encodeURIComponent(state.token);
  const source = new EventSource(url);
  source.addEventListener("open", () => {
    $("#status").textContent = "live";
    $("#status").dataset.state = "live";
  });
  source.addEventListener("oracle-action", (event) => {
    state.lastSeq = Number(event.lastEventId);
    showAction(event.lastEventId, JSON.parse(event.data));
  });
  source.addEventListener("error", () => {
    $("#status").textContent = "reconnecting";
    $("#status").dataset.state = "error";
  });
  state.source = source;
}

function drawChart(intervals) {
  const svg = $("#chart");
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const rows = intervals.slice().reverse();
  if (rows.length === 0) return;
  const ns = "http://www.w3.org/2000/svg";
  const w = 600, h = 220, pad = 30;
  const prices = rows.flatMap((r) => [r.connection_price_per_kwh, r.import_tariff_per_kwh, r.feed_in_tariff_per_kwh]).filter((v) => v !== null);
  const maxPrice = Math.max(1, ...prices);
  const maxVolume = Math.max(1, ...rows.map((r) => r.volume_wh));
  const step = (w - 2 * pad) / Math.max(1, rows.length);
  const y = (v, max) => h - pad - (v / max) * (h - 2 * pad);
  rows.forEach((r, i) => {
    const bar = document.createElementNS(ns, "rect");
    bar.setAttribute("x", String(pad + i * step + step * 0.2));
    bar.setAttribute("width", String(step * 0.6));
    bar.setAttribute("y", String(y(r.volume_wh, maxVolume)));
    bar.setAttribute("height", String(h - pad - y(r.volume_wh, maxVolume)));
    bar.setAttribute("fill", "#9ec5ea");
    svg.appendChild(bar);
  });
  const series = [
    ["connection_price_per_kwh", "#12355b"],
    ["import_tariff_per_kwh", "#d9534f"],
    ["feed_in_tariff_per_kwh", "#5cb85c"],
  ];
  for (const [key, colour] of series) {
    const points = rows
      .map((r, i) => (r[key] === null ? null : (pad + i * step + step / 2) + "," + y(r[key], maxPrice)))
      .filter(Boolean);
    if (points.length === 0) continue;
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", "2");
    svg.appendChild(line);
  }
}

async function refreshIntervals() {
  const body = await getJson("/intervals?limit=24");
  const tbody = $("#intervals tbody");
  tbody.textContent = "";
  for (const r of body.data) {
    const tr = document.createElement("tr");
    cell(tr, r.interval);
    cell(tr, r.status);
    cell(tr, r.connection_price_per_kwh);
    cell(tr, r.import_tariff_per_kwh);
    cell(tr, r.feed_in_tariff_per_kwh);
    cell(tr, r.volume_wh);
    cell(tr, r.welfare_credit);
    cell(tr, r.verification ? (r.verification.certificate_ok ? "yes" : "NO") : null);
    tbody.appendChild(tr);
  }
  drawChart(body.data);
}

async function refreshBatteries() {
  const body = await getJson("/operator/batteries?limit=50");
  const tbody = $("#batteries tbody");
  tbody.textContent = "";
  for (const c of body.data) {
    const tr = document.createElement("tr");
    cell(tr, c.command_id.slice(0, 14) + "…");
    cell(tr, c.battery_id.slice(0, 12));
    cell(tr, c.interval);
    cell(tr, c.power_w);
    cell(tr, c.ack_status);
    cell(tr, c.reason);
    tbody.appendChild(tr);
  }
}

async function refresh() {
  try {
    await Promise.all([refreshIntervals(), refreshBatteries()]);
  } catch (err) {
    $("#status").textContent = "API: " + err.message;
    $("#status").dataset.state = "error";
  }
}

function start(token) {
  state.token = token;
  sessionStorage.setItem("tem-token", token);
  connectFeed();
  refresh();
}

$("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  start($("#token").value.trim());
});

const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
const saved = fromHash || sessionStorage.getItem("tem-token");
if (fromHash) history.replaceState(null, "", location.pathname);
if (saved) start(saved);
setInterval(() => { if (state.token) refresh(); }, 5000);
