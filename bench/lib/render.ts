/**
 * The results as markdown: one table per app with the ratios to wsgi-express from the
 * same run. The same text goes to stdout and to bench/results/DATE.md.
 */
import type { AppSpec } from "./apps.js";
import { summarize, type Cell, type Summary } from "./stats.js";

export const REFERENCE = "wsgi-express";

const MIB = 1024 * 1024;

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export const mib = (bytes: number): string => `${fmt(bytes / MIB, 1)} MiB`;
const ms = (value: number): string => `${fmt(value, value < 10 ? 2 : 1)} ms`;
const ratio = (a: number, b: number): string =>
  a > 0 && b > 0 && Number.isFinite(a / b) ? `${fmt(a / b, 2)}x` : "-";

const HEADER =
  "| server | req/s | p50 | p99 | errors | CPU µs/req | idle RSS | peak RSS | wx ÷ peer req/s | wx ÷ peer CPU/req |";
const RULE = "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

function row(cell: Cell, summary: Summary | null, reference: Summary | null): string {
  const name = cell.peer.label;
  if (!summary) {
    const what = cell.status === "missing" ? "missing" : "failed";
    return `| ${name} | ${what}: ${cell.reason.split("\n")[0] ?? ""} | | | | | | | | |`;
  }
  const cells = [
    fmt(summary.rps),
    ms(summary.p50Ms),
    ms(summary.p99Ms),
    fmt(summary.errors),
    fmt(summary.cpuUsPerRequest),
    mib(summary.idleRss),
    mib(summary.peakRss),
    reference ? ratio(reference.rps, summary.rps) : "-",
    reference ? ratio(reference.cpuUsPerRequest, summary.cpuUsPerRequest) : "-",
  ];
  return `| ${name} | ${cells.join(" | ")} |`;
}

export function renderApp(app: AppSpec, cells: readonly Cell[]): string {
  const reference = cells.find((cell) => cell.peer.name === REFERENCE);
  const referenceSummary = reference ? summarize(reference) : null;
  const lines = [`### ${app.name}: ${app.title}`, "", HEADER, RULE];
  for (const cell of cells) lines.push(row(cell, summarize(cell), referenceSummary));
  for (const cell of cells) {
    const summary = summarize(cell);
    if (summary && summary.served < app.connections / 2) {
      lines.push(
        "",
        `${cell.peer.label}: only ~${fmt(summary.served)} of ${app.connections} connections were in ` +
          "service at a time (req/s x mean latency); the others waited to be accepted or " +
          "reconnected, so its latencies describe the served requests only.",
      );
    }
  }
  for (const cell of cells) {
    const spread = spreadNote(cell, app.connections);
    if (spread !== null) lines.push("", spread);
  }
  if (referenceSummary) {
    lines.push(
      "",
      `wsgi-express front end (node process alone): idle ${mib(referenceSummary.idleRootRss)}, ` +
        `peak ${mib(referenceSummary.peakRootRss)}.`,
    );
  }
  return lines.join("\n");
}

/** A connection held by one worker this much of the time or more is a lopsided split. */
const LOPSIDED = 0.75;

/** For a peer whose workers accept for themselves, when one of them held most of wrk's
 *  connections in some run: the split in each run (bench/lib/connections.ts). */
function spreadNote(cell: Cell, connections: number): string | null {
  if (cell.peer.workersAccept !== true) return null;
  const spreads = cell.samples.map((sample) => sample.connectionSpread);
  const lopsided = spreads.some((spread) => {
    const held = spread.reduce((sum, count) => sum + count, 0);
    return held >= connections / 2 && (spread[0] ?? 0) >= LOPSIDED * held;
  });
  if (!lopsided) return null;
  const runs = spreads.map((spread) => (spread.length > 0 ? spread.join(" + ") : "none seen"));
  return (
    `${cell.peer.label}: one worker held most of wrk's connections in some run, and a ` +
    `connection stays with its worker; held per process, mid-run: ${runs.join("; ")}.`
  );
}

export const LEGEND = [
  "req/s, p50 and p99 are medians over the measured runs; errors are summed (socket",
  "errors plus non-2xx responses). CPU µs/req is the user+sys time of the server's whole",
  "process tree (reaped children included) divided by the requests wrk completed. RSS is",
  "the sum over the tree (shared pages count once per process): idle after start-up and",
  "one request, peak sampled every 100 ms under load. The ratio columns divide",
  "wsgi-express's figure by the peer's: above 1x wsgi-express serves more requests/s,",
  "or spends more CPU per request.",
].join("\n");
