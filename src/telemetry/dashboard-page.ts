/** The dashboard's HTML page: a grid of charts and the slow-requests table. */

export function dashboardPage(intervalSeconds: number, slowThreshold: number | null): string {
  const slow =
    slowThreshold === null
      ? "<p>Slow requests are recorded with <code>--slow-requests SECONDS</code>.</p>"
      : `<p>Requests slower than ${String(slowThreshold)} s, slowest first.</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>wsgi-express telemetry</title>
<link rel="stylesheet" href="uPlot.min.css">
<style>
body { font: 14px system-ui, sans-serif; margin: 1em 2em; color: #222; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1em; }
.chart { min-height: 240px; }
table { border-collapse: collapse; margin-top: .5em; }
td, th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; }
#updated { color: #777; }
</style></head>
<body>
<h1>wsgi-express telemetry</h1>
<p>A sample every ${String(intervalSeconds)} s. <span id="updated"></span>
Also as <a href="metrics">Prometheus metrics</a>.</p>
<div class="grid">
<div class="chart" id="requests"></div><div class="chart" id="latency"></div>
<div class="chart" id="phases"></div><div class="chart" id="threads"></div>
<div class="chart" id="status"></div><div class="chart" id="restarts"></div>
<div class="chart" id="cpu"></div><div class="chart" id="memory"></div>
</div>
<h2>Slow requests</h2>
${slow}
<p id="slow-none">None yet.</p>
<table><thead><tr><th>ended</th><th>method</th><th>path</th><th>status</th><th>total</th>
<th>front end</th><th>queued</th><th>application</th><th>pid / thread</th></tr></thead>
<tbody id="slow-rows"></tbody></table>
<script>window.telemetryInterval = ${String(intervalSeconds)};</script>
<script src="uPlot.min.js"></script>
<script src="dashboard.js"></script>
</body></html>
`;
}
