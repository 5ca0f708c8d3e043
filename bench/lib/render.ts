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
    const spread = spreadNote(cell);
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

/** For a peer whose processes split wrk's connections in some run: how, in each run. */
function spreadNote(cell: Cell): string | null {
  const spreads = cell.samples.map((sample) => sample.connectionSpread);
  if (!spreads.some((spread) => spread.length > 1)) return null;
  const runs = spreads.map((spread) => (spread.length > 0 ? spread.join(" + ") : "none seen"));
  return (
    `${cell.peer.label}: connections held by each process, mid-run, in each repeat: ` +
    `${runs.join("; ")}. A connection stays with the worker that accepted it.`
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
