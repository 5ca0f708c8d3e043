/**
 * Slow-client benchmark (issue #7): opens SLOWLORIS connections that send a request head
 * a byte at a time, SLOW_READERS that ask for a 256 KiB response and never read it,
 * LARGE_READERS that ask for 12 MiB (more than --response-buffer-size, 8 MiB) and never
 * read it (by default more of them than --max-clients, 20: a response the application
 * has finished no longer holds a slot), and UPLOADERS that send a 1 MiB body at 1 KiB a second (fast enough for the
 * body read timeout, which wants 500 bytes a second), then measures normal requests
 * meanwhile. Target: p99 under 50 ms, zero failures. `--body-spool-size 0` and
 * `--response-spool-size 0` show what the spools buy: without them every uploader, and
 * every large reader, holds a daemon thread. The front end's peak RSS shows what
 * --response-memory-size bounds.
 *
 *   npm run build && node dist/bench/slow-clients.js [--slowloris 1000] [--readers 1000]
 *     [--large-readers 25] [--uploaders 100] [--seconds 10] [--concurrency 4]
 *     [--body-spool-size BYTES] [--response-spool-size BYTES]
 *     [--response-memory-size BYTES]
 *
 * A benchmark, not a test: it prints its figures and exits 0 even past the target.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Each slow uploader's body: never all sent in a run. */
const UPLOAD_SIZE = 1024 * 1024;
/** Each large reader's response, in MiB: past the 8 MiB the front end queues per client. */
const LARGE_RESPONSE_MIB = 12;
const { values } = parseArgs({
  options: {
    slowloris: { type: "string", default: "1000" },
    readers: { type: "string", default: "1000" },
    "large-readers": { type: "string", default: "25" },
    uploaders: { type: "string", default: "100" },
    "body-spool-size": { type: "string" },
    "response-spool-size": { type: "string" },
    "response-memory-size": { type: "string" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "4" },
  },
});

/** An option given to this script, for the server. */
function passed(
  name: "body-spool-size" | "response-spool-size" | "response-memory-size",
): string[] {
  const value = values[name];
  return value === undefined ? [] : [`--${name}`, value];
}

/** Connections that send `head` once connected and then read nothing. */
function stalledReaders(port: number, count: number, head: string): Promise<Socket[]> {
  return openMany(count, () => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.write(head);
      socket.pause();
    });
    return socket;
  });
}

async function startServer(): Promise<{ port: number; pid: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "wsgi-express.js"),
      "start-server",
      join(ROOT, "test", "fixtures", "apps", "streaming.wsgi"),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--server-root",
      mkdtempSync(join(tmpdir(), "wsgi-express-slow-")),
      ...passed("body-spool-size"),
      ...passed("response-spool-size"),
      ...passed("response-memory-size"),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /^Server URL\s*: http:\/\/[^:]+:(\d+)\//m.exec(out);
      if (match && /^Application\s*:/m.test(out)) resolve(Number(match[1]));
    });
    child.once("exit", (code) => {
      reject(new Error(`server exited with ${String(code)}`));
    });
  });
  return { port, pid: child.pid ?? 0, stop: () => child.kill("SIGTERM") };
}

function openMany(count: number, open: () => Socket): Promise<Socket[]> {
  const sockets: Socket[] = [];
  return new Promise((resolve) => {
    let left = count;
    if (left === 0) resolve(sockets);
    for (let i = 0; i < count; i += 1) {
      const socket = open();
      socket.on("error", () => undefined);
      socket.once("connect", () => {
        if (--left === 0) resolve(sockets);
      });
      sockets.push(socket);
    }
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(port: number, seconds: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const deadline = Date.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = request({ port, host: "127.0.0.1", path: "/?chunks=1&size=12", agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else failures += 1;
          resolve();
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        failures += 1;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { latencies, failures };
}

async function main(): Promise<void> {
  const server = await startServer();
  const { port } = server;
  try {
    const slowloris = await openMany(Number(values.slowloris), () => connect(port, "127.0.0.1"));
    const head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ";
    let byte = 0;
    const drip = setInterval(() => {
      for (const socket of slowloris)
        if (!socket.destroyed) socket.write(head[byte % head.length] ?? "x");
      byte += 1;
    }, 1000);
    const readers = await stalledReaders(
      port,
      Number(values.readers),
      "GET /?chunks=4&size=65536 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    const largeReaders = await stalledReaders(
      port,
      Number(values["large-readers"]),
      `GET /?chunks=${String(LARGE_RESPONSE_MIB)}&size=1048576 HTTP/1.1\r\nHost: a\r\n\r\n`,
    );
    const upload = Buffer.alloc(1024, 0x61);
    const uploaders = await openMany(Number(values.uploaders), () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.write(
          `POST /?chunks=1&size=12 HTTP/1.1\r\nHost: a\r\nContent-Length: ${String(UPLOAD_SIZE)}\r\n\r\n`,
        );
        socket.write(upload);
      });
      return socket;
    });
    const trickle = setInterval(() => {
      for (const socket of uploaders) if (!socket.destroyed) socket.write(upload);
    }, 1000);
    const { latencies, failures } = await measure(
      port,
      Number(values.seconds),
      Number(values.concurrency),
    );
    clearInterval(drip);
    clearInterval(trickle);
    const alive = (list: Socket[]): number => list.filter((s) => !s.destroyed).length;
    const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
    process.stdout.write(
      [
        `slowloris connections: ${slowloris.length} (${alive(slowloris)} still open at the end)`,
        `slow readers:          ${readers.length} (${alive(readers)} still open at the end)`,
        `large slow readers:    ${largeReaders.length} of ${String(LARGE_RESPONSE_MIB)} MiB (${alive(largeReaders)} still open at the end), --response-spool-size ${values["response-spool-size"] ?? "default"}`,
        `slow uploaders:        ${uploaders.length} (${alive(uploaders)} still open at the end), --body-spool-size ${values["body-spool-size"] ?? "default"}`,
        `normal requests:       ${latencies.length} ok, ${failures} failed, concurrency ${values.concurrency}`,
        `latency:               p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, max ${fmt(latencies[latencies.length - 1] ?? NaN)}`,
        `front end peak RSS:    ${peakRss(server.pid)}, --response-memory-size ${values["response-memory-size"] ?? "default"}`,
        `target:                p99 < 50 ms and 0 failures: ${percentile(latencies, 99) < 50 && failures === 0 ? "met" : "NOT met"}`,
        "",
      ].join("\n"),
    );
    for (const socket of [...slowloris, ...readers, ...largeReaders, ...uploaders]) {
      socket.destroy();
    }
  } finally {
    server.stop();
  }
}

/** The process's peak resident memory so far (VmHWM in Linux's /proc). */
function peakRss(pid: number): string {
  const status = readFileSync(`/proc/${String(pid)}/status`, "utf8");
  const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return `${(kib / 1024).toFixed(1)} MiB`;
}

await main();
