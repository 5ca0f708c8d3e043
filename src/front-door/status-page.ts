/**
 * The --server-status page's figures and its two forms: the HTML page and `?auto`,
 * Apache mod_status's machine-readable text (modules/generators/mod_status.c), so that
 * tools which scrape mod_status (apache_exporter, collectd, Datadog, munin) keep working.
 * Pure functions of a snapshot, unit tested apart from the server.
 */
import type { PoolStatus } from "../daemon/pool.js";

export interface StatusFigures {
  readonly uptimeSeconds: number;
  readonly accesses: number;
  readonly bodyBytes: number;
  readonly busy: number;
  readonly idle: number;
  /** One character a slot: `_` idle, `W` busy, `G` busy in a process on its way out
   *  (Apache: gracefully finishing), `.` open slot (no thread connected there). */
  readonly scoreboard: string;
  readonly pool: PoolStatus;
}

export function statusFigures(
  pool: PoolStatus,
  totals: { readonly accesses: number; readonly bodyBytes: number },
  uptimeSeconds: number,
): StatusFigures {
  let board = "";
  let serving = 0;
  for (const daemon of pool.processes) {
    if (daemon.serving) serving += 1;
    let slots = "";
    for (const thread of daemon.threads) {
      if (thread.request === null) slots += daemon.serving ? "_" : ".";
      else slots += daemon.serving ? "W" : "G";
    }
    board += slots.padEnd(Math.max(pool.threadsPerProcess, slots.length), ".");
  }
  // Processes not (yet) running: their slots are open, as Apache shows a dead child's.
  board += ".".repeat(Math.max(0, pool.processSlots - serving) * pool.threadsPerProcess);
  return {
    uptimeSeconds,
    accesses: totals.accesses,
    bodyBytes: totals.bodyBytes,
    busy: count(board, "W") + count(board, "G"),
    idle: count(board, "_"),
    scoreboard: board,
    pool,
  };
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

/** A float as C's %g prints it (six significant digits, no trailing zeros), which is
 *  what mod_status uses for ReqPerSec, BytesPerSec and BytesPerReq. */
export function formatG(value: number): string {
  if (!Number.isFinite(value)) return "0";
  const text = value.toPrecision(6);
  // C writes at least two exponent digits: 1.23457e+06.
  if (text.includes("e")) return text.replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** `?auto`: Apache's "Key: value" lines, in its order. The rates are printed only once
 *  there is an uptime (and BytesPerReq once there is a request), as Apache does. */
export function autoText(f: StatusFigures): string {
  const lines = [
    `ServerUptimeSeconds: ${f.uptimeSeconds}`,
    `ServerUptime: ${humanDuration(f.uptimeSeconds)}`,
    `Total Accesses: ${f.accesses}`,
    `Total kBytes: ${Math.floor(f.bodyBytes / 1024)}`,
    `Uptime: ${f.uptimeSeconds}`,
  ];
  if (f.uptimeSeconds > 0) {
    lines.push(`ReqPerSec: ${formatG(f.accesses / f.uptimeSeconds)}`);
    lines.push(`BytesPerSec: ${formatG(f.bodyBytes / f.uptimeSeconds)}`);
  }
  if (f.accesses > 0) lines.push(`BytesPerReq: ${formatG(f.bodyBytes / f.accesses)}`);
  lines.push(
    `BusyWorkers: ${f.busy}`,
    `IdleWorkers: ${f.idle}`,
    // Not in Apache's list (its queue is the kernel's listen backlog); parsers of these
    // lines skip keys they do not know.
    `QueuedRequests: ${f.pool.waiting}`,
    `Scoreboard: ${f.scoreboard}`,
  );
  return lines.join("\n") + "\n";
}

/** "1 day 2 hours 3 minutes 4 seconds", Apache's ServerUptime wording. */
export function humanDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [unit, size] of [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Request URIs come from clients: always escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function htmlPage(f: StatusFigures, serverName: string): string {
  const rate = f.uptimeSeconds > 0 ? formatG(f.accesses / f.uptimeSeconds) : "0";
  const rows: string[] = [];
  for (const daemon of f.pool.processes) {
    for (const thread of daemon.threads) {
      const state = thread.request === null ? "_" : daemon.serving ? "W" : "G";
      const seconds = thread.request === null ? "" : (thread.busyMs / 1000).toFixed(1);
      rows.push(
        `<tr><td>${daemon.pid}</td><td>${thread.thread}</td><td>${state}</td>` +
          `<td>${seconds}</td><td>${escapeHtml(thread.request ?? "")}</td></tr>`,
      );
    }
  }
  const title = `Server Status for ${escapeHtml(serverName)}`;
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body>
<h1>${title}</h1>
<dl>
<dt>Server uptime: ${humanDuration(f.uptimeSeconds)}</dt>
<dt>Total accesses: ${f.accesses} - Total Traffic: ${Math.floor(f.bodyBytes / 1024)} kB</dt>
<dt>${rate} requests/sec</dt>
<dt>${f.busy} requests currently being processed, ${f.idle} idle workers</dt>
<dt>${f.pool.waiting} requests waiting for a thread</dt>
</dl>
<pre>${f.scoreboard}</pre>
<p>Scoreboard Key: "<b><code>_</code></b>" Waiting for Connection, "<b><code>W</code></b>"
Sending Reply, "<b><code>G</code></b>" Gracefully finishing, "<b><code>.</code></b>"
Open slot with no current process</p>
<table border="1">
<tr><th>PID</th><th>Thread</th><th>M</th><th>SS</th><th>Request</th></tr>
${rows.join("\n")}
</table>
</body></html>
`;
}
