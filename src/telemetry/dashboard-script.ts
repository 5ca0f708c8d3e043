/**
 * The dashboard's script, run in the browser (served as /dashboard.js). It polls
 * /samples for what is new since its last sample and plots it with uPlot (bundled: no
 * CDN, it works offline). Series that come and go (one per daemon pid, one per restart
 * reason) rebuild their chart when the set changes. `window.telemetryCharts` holds the
 * uPlot instances, so their data can be read back (the e2e test does).
 */
export const DASHBOARD_SCRIPT = String.raw`"use strict";
(function () {
  var MAX = 600;
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var samples = [];
  var since = 0;
  var charts = {};
  var shapes = {};
  window.telemetryCharts = charts;

  function fixed(keys) { return function () { return keys; }; }
  function pids(samples) {
    var seen = {};
    samples.forEach(function (s) { s.processes.forEach(function (p) { seen[p.pid] = true; }); });
    return Object.keys(seen).sort().map(function (pid) { return { key: pid, label: "pid " + pid }; });
  }
  function perPid(field, scale) {
    return function (s, key) {
      var p = s.processes.find(function (p) { return String(p.pid) === key; });
      return p && p[field] !== null ? p[field] * scale : null;
    };
  }
  function ms(v) { return v === null || v === undefined ? null : v * 1000; }

  var CHARTS = [
    { id: "requests", title: "Requests per second", unit: "req/s",
      keys: fixed([{ key: "rate", label: "requests/s" }]), value: function (s) { return s.rate; } },
    { id: "latency", title: "Response time percentiles", unit: "ms",
      keys: fixed([{ key: "p50", label: "p50" }, { key: "p90", label: "p90" }, { key: "p99", label: "p99" }]),
      value: function (s, k) { return ms(s.latency[k]); } },
    { id: "phases", title: "Mean time in the front end, queued, in the application", unit: "ms",
      keys: fixed([{ key: "server", label: "front end" }, { key: "queue", label: "queued" },
        { key: "application", label: "application" }]),
      value: function (s, k) { return ms(s.phases[k]); } },
    { id: "threads", title: "Busy threads per process (average) against capacity", unit: "threads",
      keys: function (all) { return pids(all).concat([{ key: "capacity", label: "capacity", dash: true }]); },
      value: function (s, k) { return k === "capacity" ? s.capacity : perPid("busy", 1)(s, k) || 0; } },
    { id: "status", title: "Responses per second by status class", unit: "resp/s",
      keys: fixed(["1xx", "2xx", "3xx", "4xx", "5xx"].map(function (c) { return { key: c, label: c }; })),
      value: function (s, k) { return s.status[k] / s.interval; } },
    { id: "cpu", title: "CPU per process", unit: "% of a core", keys: pids, value: perPid("cpu", 100) },
    { id: "memory", title: "Resident memory per process", unit: "MiB", keys: pids,
      value: perPid("rss", 1 / 1048576) },
    { id: "restarts", title: "Process restarts by reason", unit: "restarts",
      keys: function (all) {
        var seen = {};
        all.forEach(function (s) { s.restarts.forEach(function (r) { seen[r.reason] = true; }); });
        var keys = Object.keys(seen).sort();
        return (keys.length ? keys : ["none"]).map(function (r) { return { key: r, label: r }; });
      },
      value: function (s, k) { return s.restarts.filter(function (r) { return r.reason === k; }).length; } }
  ];

  function draw(def) {
    var keys = def.keys(samples);
    var shape = keys.map(function (k) { return k.key; }).join(",");
    var data = [samples.map(function (s) { return s.time; })];
    keys.forEach(function (k) { data.push(samples.map(function (s) { return def.value(s, k.key); })); });
    if (charts[def.id] && shapes[def.id] === shape) { charts[def.id].setData(data); return; }
    var el = document.getElementById(def.id);
    if (charts[def.id]) charts[def.id].destroy();
    el.textContent = "";
    shapes[def.id] = shape;
    charts[def.id] = new uPlot({
      title: def.title, width: Math.max(el.clientWidth, 320), height: 200,
      scales: { x: { time: true } },
      axes: [{}, { label: def.unit }],
      series: [{}].concat(keys.map(function (k, i) {
        return { label: k.label, stroke: COLORS[i % COLORS.length], width: 2, dash: k.dash ? [6, 4] : undefined,
          spanGaps: false };
      }))
    }, data, el);
  }

  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
  function seconds(v) { return v === null ? "-" : (v * 1000).toFixed(1) + " ms"; }
  function slowTable(slow) {
    var body = document.getElementById("slow-rows");
    body.textContent = "";
    slow.slice().sort(function (a, b) { return b.total - a.total; }).slice(0, 25).forEach(function (r) {
      var row = document.createElement("tr");
      cell(row, new Date(r.time * 1000).toLocaleTimeString());
      cell(row, r.method); cell(row, r.path); cell(row, String(r.status));
      cell(row, seconds(r.total)); cell(row, seconds(r.server)); cell(row, seconds(r.queue));
      cell(row, seconds(r.application));
      cell(row, r.pid === null ? "-" : r.pid + " / " + r.thread);
      body.appendChild(row);
    });
    document.getElementById("slow-none").hidden = slow.length > 0;
  }

  function poll() {
    fetch("samples?since=" + since, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (answer) {
      answer.samples.forEach(function (s) { samples.push(s); since = s.time; });
      if (samples.length > MAX) samples.splice(0, samples.length - MAX);
      if (samples.length) CHARTS.forEach(draw);
      slowTable(answer.slow);
      document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
    }).catch(function (e) {
      document.getElementById("updated").textContent = "no answer from the server: " + e;
    }).then(function () { setTimeout(poll, window.telemetryInterval * 1000); });
  }
  poll();
})();
`;
