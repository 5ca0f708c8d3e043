/**
 * `npm run bench`: wsgi-express against its peers (issue #6). For each app, every peer
 * is started, warmed up, then measured in interleaved repeats (A, B, C, A, B, C) so the
 * machine's noise is shared; the medians go to stdout and bench/results/DATE.md
 * (DATE-2.md for a second run that day, and on).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPS, type AppSpec } from "./lib/apps.js";
import { readConfig, selectByName, type BenchConfig } from "./lib/config.js";
import { loadAverage, machineFacts } from "./lib/machine.js";
import { measure, startPeer } from "./lib/measure.js";
import { RESULTS_DIR } from "./lib/paths.js";
import { missingReason, PEERS, type PeerSpec } from "./lib/peers.js";
import { LEGEND, renderApp } from "./lib/render.js";
import { makeScratch, type Scratch } from "./lib/scratch.js";
import type { ServerProcess } from "./lib/server-process.js";
import { summarize, type Cell } from "./lib/stats.js";
import { renderTargets } from "./lib/targets.js";
import { benchTls, renderTls, tlsNotes, type TlsCell } from "./lib/tls-bench.js";

const running = new Set<ServerProcess>();
const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

function newCell(peer: PeerSpec): Cell {
  const reason = missingReason(peer);
  return {
    peer,
    status: reason ? "missing" : "ok",
    reason: reason ?? "",
    idleRss: 0,
    idleRootRss: 0,
    samples: [],
  };
}

async function startAll(
  app: AppSpec,
  cells: Cell[],
  scratch: Scratch,
): Promise<Map<Cell, ServerProcess>> {
  const servers = new Map<Cell, ServerProcess>();
  for (const cell of cells.filter((c) => c.status === "ok")) {
    const server = await startPeer(cell.peer, app, scratch, cell);
    if (server) {
      running.add(server);
      servers.set(cell, server);
    } else log(`${app.name}: ${cell.peer.name} failed to start: ${cell.reason}`);
  }
  return servers;
}

async function benchApp(
  app: AppSpec,
  peers: readonly PeerSpec[],
  config: BenchConfig,
  scratch: Scratch,
): Promise<Cell[]> {
  const cells = peers.filter((peer) => peer.supports(app)).map(newCell);
  const servers = await startAll(app, cells, scratch);
  try {
    for (const [cell, server] of servers) {
      log(`${app.name}: warm-up ${cell.peer.name} (${config.warmupSec}s)`);
      await measure(server, app, config.warmupSec);
    }
    for (let repeat = 1; repeat <= config.repeats; repeat++) {
      for (const [cell, server] of servers) {
        const sample = await measure(server, app, config.durationSec);
        cell.samples.push(sample);
        const { rps, errors } = sample.wrk;
        log(
          `${app.name}: ${cell.peer.name} run ${repeat}/${config.repeats}: ${rps.toFixed(0)} req/s, ${errors} errors`,
        );
      }
    }
  } catch (error) {
    log(`${app.name}: aborted: ${error instanceof Error ? error.message : String(error)}`);
    for (const cell of servers.keys()) if (cell.samples.length === 0) cell.status = "failed";
  } finally {
    await Promise.all([...servers.values()].map((server) => stopServer(server)));
  }
  return cells;
}

async function stopServer(server: ServerProcess): Promise<void> {
  await server.stop();
  running.delete(server);
}

function report(
  config: BenchConfig,
  facts: [string, string][],
  results: Map<AppSpec, Cell[]>,
  peers: readonly PeerSpec[],
  tls: Map<AppSpec, TlsCell[]>,
): string {
  const date = new Date().toISOString().slice(0, 10);
  const lookup = (app: string, peer: string): ReturnType<typeof summarize> => {
    const cells = [...results].find(([spec]) => spec.name === app)?.[1];
    const cell = cells?.find((c) => c.peer.name === peer);
    return cell ? summarize(cell) : null;
  };
  const missing = [...new Set([...results.values()].flat().filter((c) => c.status === "missing"))];
  return [
    `# wsgi-express benchmark, ${date}`,
    "",
    `\`npm run bench\` with BENCH_DURATION=${config.durationSec}s, BENCH_REPEATS=${config.repeats}, warm-up ${config.warmupSec}s.`,
    "Load: wrk from Debian, one thread, 50 keep-alive connections (200 for sleep_10ms), `--latency`,",
    "on the same machine as the servers, 127.0.0.1 only. Every server of an app runs at once, warmed up,",
    "then measured in interleaved repeats; figures are medians of the repeats.",
    "",
    "## Machine",
    "",
    "| | |",
    "| --- | --- |",
    ...facts.map(([key, value]) => `| ${key} | ${value} |`),
    "",
    "## Servers",
    "",
    "| server | configuration |",
    "| --- | --- |",
    ...peers.map((peer) => `| ${peer.label} | ${peer.note} |`),
    ...(tls.size > 0 ? tlsNotes() : []),
    "",
    ...(missing.length
      ? ["Missing:", ...new Set(missing.map((c) => `- ${c.peer.label}: ${c.reason}`)), ""]
      : []),
    "## Targets",
    "",
    renderTargets(lookup),
    "",
    "## Results",
    "",
    ...[...results].map(([app, cells]) => `${renderApp(app, cells)}\n`),
    ...(tls.size > 0 ? ["## HTTPS and HTTP/2 (bench/lib/tls-bench.ts)", ""] : []),
    ...[...tls].map(([app, cells]) => {
      const plain = (peer: string): number | null =>
        lookup(app.name, peer)?.cpuUsPerRequest ?? null;
      return `${renderTls(app, cells, plain)}\n`;
    }),
    LEGEND,
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const peers = selectByName(PEERS, config.peers, "peer");
  const apps = selectByName(APPS, config.apps, "app");
  for (const peer of peers) {
    const reason = missingReason(peer);
    if (reason) log(`${peer.name} is missing: ${reason}`);
  }
  const facts = await machineFacts();
  const scratch = makeScratch();
  const results = new Map<AppSpec, Cell[]>();
  const tls = new Map<AppSpec, TlsCell[]>();
  try {
    for (const app of apps) {
      results.set(app, await benchApp(app, peers, config, scratch));
      // HTTPS and HTTP/2 rows for the small-answer apps; BENCH_TLS=0 leaves them out.
      if (process.env.BENCH_TLS !== "0" && ["hello", "flask_json"].includes(app.name)) {
        tls.set(app, await benchTls(app, config, scratch, log));
      }
    }
  } finally {
    scratch.remove();
  }
  facts.push(["load average after the run", loadAverage()]);
  const text = report(config, facts, results, peers, tls);
  process.stdout.write(text);
  if (config.write) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = unusedResultFile(new Date().toISOString().slice(0, 10));
    writeFileSync(file, text);
    log(`written to ${file}`);
  }
}

/** bench/results/DATE.md, or DATE-2.md and on for later runs that day: a run that
 *  documents and the README cite is never overwritten. */
function unusedResultFile(date: string): string {
  for (let run = 1; ; run += 1) {
    const file = join(RESULTS_DIR, run === 1 ? `${date}.md` : `${date}-${String(run)}.md`);
    if (!existsSync(file)) return file;
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping ${running.size} servers`);
    void Promise.all([...running].map((server) => server.stop())).finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  void Promise.all([...running].map((server) => server.stop())).finally(() => process.exit(1));
});
