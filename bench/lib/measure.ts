/**
 * Starting the peers for one app, and one measured wrk run against a started peer.
 */
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { apacheConf } from "./apache-conf.js";
import type { AppSpec } from "./apps.js";
import type { PeerSpec } from "./peers.js";
import { connectionsPerProcess } from "./connections.js";
import { RssSampler, treeCpuSeconds, treeRss } from "./proc-tree.js";
import { freePort, type Scratch } from "./scratch.js";
import { fetchOnce, ServerProcess } from "./server-process.js";
import type { Cell, Sample } from "./stats.js";
import { runWrk } from "./wrk.js";

const APACHE_USER = "www-data";
const SETTLE_MS = 1000;

/** Starts the peer, proves it runs the app with one request, and records its idle RSS. */
export async function startPeer(
  peer: PeerSpec,
  app: AppSpec,
  scratch: Scratch,
  cell: Cell,
): Promise<ServerProcess | null> {
  const workDir = scratch.dirFor(app.name, peer.name);
  const ctx = { app, port: await freePort(), appsDir: scratch.appsDir, workDir };
  if (peer.name === "mod_wsgi") {
    const conf = apacheConf({
      ...ctx,
      serverRoot: workDir,
      script: `${scratch.appsDir}/${app.name}.py`,
      user: APACHE_USER,
    });
    writeFileSync(`${workDir}/httpd.conf`, conf);
  }
  let server: ServerProcess | null = null;
  try {
    server = await ServerProcess.start(peer.name, peer.launch(ctx));
    const answer = await fetchOnce(server.port, app.check.method, app.check.bodyBytes);
    const sizeOk = app.expectedBytes < 0 || answer.bytes === app.expectedBytes;
    if (answer.status !== 200 || !sizeOk) {
      throw new Error(`check request got ${answer.status} with ${answer.bytes} bytes`);
    }
    await sleep(SETTLE_MS);
    const idle = treeRss(server.pid);
    cell.idleRss = idle.total;
    cell.idleRootRss = idle.root;
    return server;
  } catch (error) {
    cell.status = "failed";
    cell.reason = error instanceof Error ? error.message : String(error);
    await server?.stop();
    return null;
  }
}

/** One wrk run with the tree's CPU sampled before and after, its RSS sampled throughout,
 *  and how its processes share the connections looked at mid-run. */
export async function measure(
  server: ServerProcess,
  app: AppSpec,
  seconds: number,
): Promise<Sample> {
  const url = `http://127.0.0.1:${server.port}/`;
  const cpuBefore = treeCpuSeconds(server.pid);
  const sampler = new RssSampler(server.pid);
  let connectionSpread: number[] = [];
  const midRun = setTimeout(
    () => {
      connectionSpread = connectionsPerProcess(server.pid, server.port);
    },
    (seconds * 1000) / 2,
  );
  try {
    const wrk = await runWrk({ url, connections: app.connections, seconds, script: app.wrkScript });
    const cpuSeconds = treeCpuSeconds(server.pid) - cpuBefore;
    const { peak, rootPeak } = sampler.stop();
    return { wrk, cpuSeconds, peakRss: peak, rootPeakRss: rootPeak, connectionSpread };
  } finally {
    clearTimeout(midRun);
    sampler.stop();
  }
}
