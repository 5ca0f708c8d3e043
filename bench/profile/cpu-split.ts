/**
 * Where wsgi-express's CPU goes under load, per process: the front end (node) and each
 * daemon (python), in µs per request, from /proc before and after a wrk run. With
 * PROFILE_DIR set, the front end runs under `node --cpu-prof` and its profile is
 * ranked by function and by area afterwards.
 *
 *   node dist/bench/profile/cpu-split.js [APP] [SECONDS]
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { APPS } from "../lib/apps.js";
import { measure, startPeer } from "../lib/measure.js";
import { PEERS } from "../lib/peers.js";
import { listProcesses, treeOf, CLOCK_TICKS } from "../lib/proc-tree.js";
import { makeScratch } from "../lib/scratch.js";
import type { Cell } from "../lib/stats.js";
import { summarize } from "./cpuprofile-summary.js";

const appName = process.argv[2] ?? "hello";
const seconds = Number(process.argv[3] ?? 10);
const profileDir = process.env.PROFILE_DIR;

function perProcessTicks(root: number): Map<number, { ticks: number; sys: number }> {
  const tree = treeOf(root, listProcesses());
  return new Map(tree.map((stat) => [stat.pid, { ticks: stat.ticks, sys: stat.sysTicks }]));
}

const perRequest = (ticks: number, requests: number): string =>
  ((ticks / CLOCK_TICKS / requests) * 1e6).toFixed(1);

async function main(): Promise<void> {
  const app = APPS.find((spec) => spec.name === appName);
  const peer = PEERS.find((spec) => spec.name === "wsgi-express");
  if (!app || !peer) throw new Error(`unknown app ${appName}`);
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    process.env.BENCH_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profileDir}`;
  }
  const scratch = makeScratch();
  const cell: Cell = { peer, status: "ok", reason: "", idleRss: 0, idleRootRss: 0, samples: [] };
  const server = await startPeer(peer, app, scratch, cell);
  if (!server) throw new Error(cell.reason);
  try {
    await measure(server, app, 2);
    const before = perProcessTicks(server.pid);
    const sample = await measure(server, app, seconds);
    const after = perProcessTicks(server.pid);
    const requests = sample.wrk.requests;
    console.log(`${app.name}: ${requests} requests, ${sample.wrk.rps.toFixed(0)} req/s`);
    const daemons = { ticks: 0, sys: 0 };
    for (const [pid, now] of after) {
      const then = before.get(pid) ?? { ticks: 0, sys: 0 };
      const used = { ticks: now.ticks - then.ticks, sys: now.sys - then.sys };
      if (pid !== server.pid) {
        daemons.ticks += used.ticks;
        daemons.sys += used.sys;
      }
      const role = pid === server.pid ? "front end (node)" : `daemon pid ${pid} (python)`;
      const figures = `${perRequest(used.ticks, requests)} µs (${perRequest(used.sys, requests)} in the kernel)`;
      console.log(`  ${role}: ${figures} per request of the run`);
    }
    const together = `${perRequest(daemons.ticks, requests)} µs (${perRequest(daemons.sys, requests)} in the kernel)`;
    console.log(`  daemons together: ${together} per request`);
    console.log(`  whole tree: ${((sample.cpuSeconds * 1e6) / requests).toFixed(1)} µs/request`);
    if (profileDir) await report(server.stop(), profileDir, requests + 2 * sample.wrk.rps);
  } finally {
    await server.stop();
    scratch.remove();
  }
}

async function report(stopped: Promise<void>, dir: string, requests: number): Promise<void> {
  await stopped;
  const file = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .sort()
    .pop();
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const { byFunction, byArea, busy } = summarize(join(dir, file));
  const line = (name: string, micros: number): string =>
    `  ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / requests).toFixed(2).padStart(7)} µs/req  ${name}`;
  console.log(
    `front end profile ${file}: ${(busy / requests).toFixed(1)} µs/request busy (approx.)`,
  );
  console.log("by area:");
  for (const entry of byArea) console.log(line(entry.name, entry.micros));
  console.log("by function (self time):");
  for (const entry of byFunction) console.log(line(entry.name, entry.micros));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
