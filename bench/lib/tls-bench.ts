/**
 * The HTTPS and HTTP/2 rows (issue #19): wsgi-express, Granian and uWSGI serving the
 * same app over TLS with one self-signed P-256 certificate, HTTP/1.1 over TLS driven by
 * wrk (50 keep-alive connections) and HTTP/2 over TLS by h2load from Debian's
 * nghttp2-client (10 connections x 5 concurrent streams: the same 50 requests in flight).
 * As in run.ts, every server runs at once, each (server, protocol) is warmed up, then
 * measured in interleaved repeats; the figures are medians, with the CPU of the server's
 * whole process tree per request, and that CPU as a multiple of the same server's
 * plain-HTTP figure from the same run (what TLS, or TLS and HTTP/2, cost it).
 *
 * uWSGI has no HTTP/2 (its --https is an HTTP/1.1 router process in front of the
 * workers); its plain figure to compare with is --http11-socket, which has no router.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { AppSpec } from "./apps.js";
import type { BenchConfig } from "./config.js";
import { VENV, VENV_BIN, WSGI_EXPRESS_BIN } from "./paths.js";
import type { PeerContext } from "./peers.js";
import { treeCpuSeconds } from "./proc-tree.js";
import { fmt } from "./render.js";
import { freePort, type Scratch } from "./scratch.js";
import { ServerProcess, type Launch } from "./server-process.js";
import { median } from "./stats.js";
import { runWrk } from "./wrk.js";
import { runH2load } from "./h2load.js";

const HOST = "127.0.0.1";
const PYTHON = join(VENV_BIN, "python");

export type TlsProtocol = "HTTP/1.1 + TLS" | "HTTP/2 + TLS";

interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

interface TlsPeer {
  readonly name: string;
  readonly label: string;
  readonly note: string;
  readonly requires: readonly string[];
  readonly protocols: readonly TlsProtocol[];
  /** The run.ts peer whose plain-HTTP CPU per request this one's is compared with. */
  readonly plainPeer: string;
  readonly launch: (ctx: PeerContext, files: TlsFiles) => Launch;
}

const script = (ctx: PeerContext): string => join(ctx.appsDir, `${ctx.app.name}.py`);

const PEERS: readonly TlsPeer[] = [
  {
    name: "wsgi-express",
    label: "wsgi-express",
    note: "--https-port --http2 (h2 by ALPN, HTTP/1.1 otherwise), --processes 2 --threads 4",
    requires: [WSGI_EXPRESS_BIN, PYTHON],
    protocols: ["HTTP/1.1 + TLS", "HTTP/2 + TLS"],
    plainPeer: "wsgi-express",
    launch: (ctx, files) => ({
      command: process.execPath,
      args: [
        ...[WSGI_EXPRESS_BIN, "start-server", script(ctx), "--host", HOST, "--port", "0"],
        ...["--https-port", "0", "--server-name", HOST, "--http2"],
        ...["--ssl-certificate-file", files.cert, "--ssl-certificate-key-file", files.key],
        ...["--processes", "2", "--threads", "4", "--python-executable", PYTHON],
        ...["--server-root", join(ctx.workDir, "root")],
      ],
      port: null,
      portPattern: /Server URL \(HTTPS\)\s*: https:\/\/[^:]+:(\d+)\//,
      secure: true,
    }),
  },
  {
    name: "granian",
    label: "Granian",
    note: "--http auto (h2 by ALPN) --ssl-certificate --ssl-keyfile --workers 2 --blocking-threads 4",
    requires: [join(VENV_BIN, "granian")],
    protocols: ["HTTP/1.1 + TLS", "HTTP/2 + TLS"],
    plainPeer: "granian",
    launch: (ctx, files) => ({
      command: join(VENV_BIN, "granian"),
      args: [
        ...["--interface", "wsgi", "--host", HOST, "--port", String(ctx.port), "--http", "auto"],
        ...["--ssl-certificate", files.cert, "--ssl-keyfile", files.key],
        ...["--workers", "2", "--blocking-threads", "4", "--log-level", "warning"],
        ...["--working-dir", ctx.appsDir, `${ctx.app.name}:application`],
      ],
      env: { PYTHONPATH: ctx.appsDir },
      port: ctx.port,
      secure: true,
    }),
  },
  {
    name: "uwsgi",
    label: "uWSGI --https",
    note: "--https (its HTTP router, keep-alive on) --master --processes 2 --threads 4; no HTTP/2",
    requires: [join(VENV_BIN, "uwsgi")],
    protocols: ["HTTP/1.1 + TLS"],
    plainPeer: "uwsgi-http11-socket",
    launch: (ctx, files) => ({
      command: join(VENV_BIN, "uwsgi"),
      args: [
        ...["--https", `${HOST}:${ctx.port},${files.cert},${files.key}`, "--http-keepalive"],
        ...["--wsgi-file", script(ctx), "--master", "--processes", "2", "--threads", "4"],
        ...["--listen", "1024", "--virtualenv", VENV, "--chdir", ctx.appsDir],
        ...["--die-on-term", "--disable-logging", "--need-app"],
      ],
      port: ctx.port,
      secure: true,
    }),
  },
];

interface TlsSample {
  readonly requests: number;
  readonly rps: number;
  readonly meanMs: number;
  readonly errors: number;
  readonly cpuSeconds: number;
}

export interface TlsCell {
  readonly peer: TlsPeer;
  readonly protocol: TlsProtocol;
  status: "ok" | "missing" | "failed";
  reason: string;
  readonly samples: TlsSample[];
}

function missingFile(paths: readonly string[]): string | null {
  for (const path of paths) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      return `${path} not found (run bench/install-peers.sh)`;
    }
  }
  return null;
}

/** A self-signed P-256 certificate for 127.0.0.1 in `dir`. */
function makeTlsFiles(dir: string): TlsFiles {
  const cert = join(dir, "bench.crt");
  const key = join(dir, "bench.key");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

async function load(
  protocol: TlsProtocol,
  port: number,
  app: AppSpec,
  seconds: number,
): Promise<Omit<TlsSample, "cpuSeconds">> {
  const url = `https://${HOST}:${port}/`;
  if (protocol === "HTTP/1.1 + TLS") {
    const wrk = await runWrk({ url, connections: app.connections, seconds, script: null });
    return { requests: wrk.requests, rps: wrk.rps, meanMs: wrk.meanMs, errors: wrk.errors };
  }
  const streams = 5;
  const connections = Math.max(1, Math.round(app.connections / streams));
  return runH2load(url, connections, streams, seconds);
}

/** Every TLS peer on `app` (hello, flask_json: the apps with a small answer). */
export async function benchTls(
  app: AppSpec,
  config: BenchConfig,
  scratch: Scratch,
  log: (line: string) => void,
): Promise<TlsCell[]> {
  const files = makeTlsFiles(scratch.dirFor(app.name, "tls"));
  const cells: TlsCell[] = [];
  const servers = new Map<TlsPeer, ServerProcess>();
  // BENCH_PEERS names run.ts's peers: a TLS peer runs with its plain one.
  const selected = PEERS.filter(
    (peer) => config.peers === null || config.peers.includes(peer.plainPeer),
  );
  try {
    for (const peer of selected) {
      const missing = missingFile(peer.requires);
      const mine = peer.protocols.map((protocol): TlsCell => ({
        peer,
        protocol,
        status: "ok",
        reason: "",
        samples: [],
      }));
      cells.push(...mine);
      if (missing) {
        for (const cell of mine) Object.assign(cell, { status: "missing", reason: missing });
        continue;
      }
      const workDir = scratch.dirFor(app.name, `${peer.name}-tls`);
      const ctx = { app, port: await freePort(), appsDir: scratch.appsDir, workDir };
      try {
        servers.set(peer, await ServerProcess.start(`${peer.name} (TLS)`, peer.launch(ctx, files)));
      } catch (error) {
        const reason =
          error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
        for (const cell of mine) Object.assign(cell, { status: "failed", reason });
        log(`${app.name}: ${peer.name} over TLS failed to start: ${reason}`);
      }
    }
    await measureAll(app, config, cells, servers, log);
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  return cells;
}

async function measureAll(
  app: AppSpec,
  config: BenchConfig,
  cells: readonly TlsCell[],
  servers: ReadonlyMap<TlsPeer, ServerProcess>,
  log: (line: string) => void,
): Promise<void> {
  const live = cells.filter((cell) => cell.status === "ok" && servers.has(cell.peer));
  const once = async (cell: TlsCell, seconds: number): Promise<TlsSample> => {
    const server = servers.get(cell.peer) as ServerProcess;
    const before = treeCpuSeconds(server.pid);
    const result = await load(cell.protocol, server.port, app, seconds);
    return { ...result, cpuSeconds: treeCpuSeconds(server.pid) - before };
  };
  for (const cell of live) {
    try {
      await once(cell, config.warmupSec);
    } catch (error) {
      cell.status = "failed";
      cell.reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    }
  }
  for (let repeat = 1; repeat <= config.repeats; repeat++) {
    for (const cell of live.filter((c) => c.status === "ok")) {
      const sample = await once(cell, config.durationSec);
      cell.samples.push(sample);
      log(
        `${app.name}: ${cell.peer.name} ${cell.protocol} run ${repeat}/${config.repeats}: ${sample.rps.toFixed(0)} req/s, ${sample.errors} errors`,
      );
    }
  }
}

const HEADER =
  "| server | protocol | req/s | mean latency | errors | CPU µs/req | CPU/req ÷ its plain HTTP/1.1 |";
const RULE = "| --- | --- | ---: | ---: | ---: | ---: | ---: |";

/** The app's TLS table; `plainCpu` gives a run.ts peer's CPU µs/req from the same run. */
export function renderTls(
  app: AppSpec,
  cells: readonly TlsCell[],
  plainCpu: (peer: string) => number | null,
): string {
  const lines = [`### ${app.name} over TLS`, "", HEADER, RULE];
  for (const cell of cells) {
    const name = `${cell.peer.label} | ${cell.protocol}`;
    if (cell.status !== "ok" || cell.samples.length === 0) {
      lines.push(`| ${name} | ${cell.status}: ${cell.reason} | | | | |`);
      continue;
    }
    const { samples } = cell;
    const cpu = median(
      samples.map((s) => (s.requests > 0 ? (s.cpuSeconds * 1e6) / s.requests : NaN)),
    );
    const plain = plainCpu(cell.peer.plainPeer);
    const share = plain && plain > 0 ? `${fmt(cpu / plain, 2)}x` : "-";
    const errors = samples.reduce((sum, s) => sum + s.errors, 0);
    const meanMs = median(samples.map((s) => s.meanMs));
    lines.push(
      `| ${name} | ${fmt(median(samples.map((s) => s.rps)))} | ${fmt(meanMs, 2)} ms | ${fmt(errors)} | ${fmt(cpu)} | ${share} |`,
    );
  }
  return lines.join("\n");
}

/** The servers' TLS configurations, for the results file. */
export function tlsNotes(): string[] {
  return PEERS.map((peer) => `| ${peer.label} (TLS) | ${peer.note} |`);
}
