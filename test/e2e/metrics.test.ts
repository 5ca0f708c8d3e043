import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { ROOT, app, eventually, request, startServer } from "./harness.js";

/** What test/fixtures/apps/metrics.wsgi answers on /metrics. */
interface Answer {
  readonly pid: number;
  readonly process: Record<string, unknown> | null;
  readonly request: Record<string, unknown> | null;
  readonly server: Scoreboard | null;
}

interface Scoreboard {
  readonly server_limit: number;
  readonly thread_limit: number;
  readonly processes: readonly {
    readonly pid: number;
    readonly quiescing: boolean;
    readonly workers: readonly Record<string, unknown>[];
  }[];
}

async function get(url: string, path: string, status = 200): Promise<Buffer> {
  const response = await request(new URL(path, url).href);
  assert.equal(response.status, status, path);
  return response.body;
}

async function metrics(url: string): Promise<Answer> {
  return JSON.parse((await get(url, "/metrics")).toString()) as Answer;
}

function assertTypes(values: Record<string, unknown>, types: Record<string, string>): void {
  for (const [key, type] of Object.entries(types)) {
    assert.equal(typeof values[key], type, key);
    if (type === "number") assert.ok(Number.isFinite(values[key]), key);
  }
}

const PROCESS_KEYS = {
  pid: "number",
  restart_time: "number",
  current_time: "number",
  running_time: "number",
  request_count: "number",
  request_busy_time: "number",
  request_threads: "number",
  active_requests: "number",
  cpu_user_time: "number",
  cpu_system_time: "number",
  cpu_time: "number",
  memory_rss: "number",
  memory_max_rss: "number",
};

const REQUEST_KEYS = {
  pid: "number",
  start_time: "number",
  stop_time: "number",
  sample_period: "number",
  request_count: "number",
  request_throughput: "number",
  capacity_utilization: "number",
  request_threads_maximum: "number",
  server_time: "number",
  queue_time: "number",
  daemon_time: "number",
  application_time: "number",
  request_time: "number",
  application_time_max_us: "number",
  cpu_utilization: "number",
  memory_rss: "number",
};

test("process_metrics() and request_metrics() are None until start_recording_metrics(), then count every request", async (t) => {
  const server = await startServer([app("metrics.wsgi"), "--processes", "1", "--threads", "2"]);
  t.after(() => server.stop());
  const before = await metrics(server.url);
  assert.deepEqual([before.process, before.request, before.server], [null, null, null]);
  await get(server.url, "/start");
  await get(server.url, "/start"); // idempotent
  const first = await metrics(server.url);
  assert.ok(first.process && first.request);
  assert.equal(first.process.pid, first.pid);
  assertTypes(first.process, PROCESS_KEYS);
  // Counted from process start: /metrics, /start, /start; the one in flight is not.
  assert.equal(first.process.request_count, 3);
  assert.equal(first.process.active_requests, 1);
  assert.equal(first.process.request_threads, 2);
  assert.deepEqual(
    (first.process.threads as { thread_id: number }[]).map((thread) => thread.thread_id),
    [1, 2],
  );

  for (let i = 0; i < 5; i++) await get(server.url, "/hello");
  for (let i = 0; i < 2; i++) await get(server.url, "/status/404", 404);
  await get(server.url, "/status/302", 302);
  const second = await metrics(server.url);
  assert.ok(second.process && second.request);
  // Exactly the requests made since: the previous /metrics and these eight.
  assert.equal(second.process.request_count, 3 + 1 + 8);
  const threads = second.process.threads as { request_count: number }[];
  assert.equal(
    threads.reduce((sum, thread) => sum + thread.request_count, 0),
    12,
  );
  const sample = second.request;
  assertTypes(sample, REQUEST_KEYS);
  assert.equal(sample.request_count, 9);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => sample[`status_${String(n)}xx`]),
    [0, 6, 1, 2, 0],
  );
  assert.equal(sample.start_time, first.request.stop_time);
  assert.equal(sample.request_threads_maximum, 2);
  for (const phase of ["server", "queue", "daemon", "application", "request"]) {
    const buckets = sample[`${phase}_time_buckets`] as number[];
    assert.equal(buckets.length, 65, phase);
    assert.equal(
      buckets.reduce((sum, count) => sum + count, 0),
      9,
      phase,
    );
  }
  assert.equal((sample.request_threads_completed as number[]).length, 2);
  assert.equal(
    (sample.request_threads_completed as number[]).reduce((sum, count) => sum + count, 0),
    9,
  );
  // The interval was drained: the next one holds only the /metrics call just made.
  assert.equal((await metrics(server.url)).request?.request_count, 1);
});

test("server_metrics() answers only with --server-metrics: this process and its threads", async (t) => {
  const server = await startServer([
    app("metrics.wsgi"),
    "--processes",
    "1",
    "--threads",
    "3",
    "--server-metrics",
  ]);
  t.after(() => server.stop());
  for (let i = 0; i < 4; i++) await get(server.url, "/hello");
  const answer = await metrics(server.url);
  // No start_recording_metrics() here: only server_metrics() answers.
  assert.equal(answer.process, null);
  const board = answer.server;
  assert.ok(board);
  assert.equal(board.server_limit, 1);
  assert.equal(board.thread_limit, 3);
  const [own] = board.processes;
  assert.ok(own);
  assert.equal(own.pid, answer.pid);
  assert.equal(own.quiescing, false);
  assert.equal(own.workers.length, 3);
  const busy = own.workers.filter((worker) => worker.status === "W");
  assert.equal(busy.length, 1);
  const [current] = busy;
  assert.ok(current);
  assert.equal(current.request, "GET /metrics HTTP/1.1");
  assert.equal(current.client, "127.0.0.1");
  assert.deepEqual(
    own.workers.filter((worker) => worker !== current).map((worker) => worker.status),
    ["_", "_"],
  );
  const served = own.workers.reduce((sum, worker) => sum + (worker.access_count as number), 0);
  assert.equal(served, 4);
  assert.doesNotMatch(server.stderr(), /server-metrics/);
});

test("a service script reads mod_wsgi's metrics for its own process", async (t) => {
  const server = await startServer([
    app("hello.wsgi"),
    "--server-metrics",
    "--service-script",
    "stats",
    join(ROOT, "test", "fixtures", "services", "metrics_service.py"),
    "--service-log-file",
    "stats",
    "stats.log",
  ]);
  t.after(() => server.stop());
  const logPath = join(server.serverRoot, "stats.log");
  const log = await eventually(
    () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
    (text) => /metrics: \{/.test(text),
  );
  const report = JSON.parse(/metrics: (\{.*\})$/m.exec(log)?.[1] ?? "{}") as Answer & {
    before: unknown;
  };
  assert.equal(report.before, null);
  assert.ok(report.process && report.request && report.server);
  assertTypes(report.process, PROCESS_KEYS);
  assert.equal(report.process.pid, report.pid);
  assert.equal(report.process.request_count, 0);
  assert.deepEqual(report.process.threads, []);
  assert.equal(report.request.request_count, 0);
  const [own] = report.server.processes;
  assert.ok(own);
  assert.deepEqual(own.workers, []);
  assert.equal(own.pid, report.pid);
});

test("mod_wsgi.queue_start is when the request was queued: a body read ahead counts as server time", async (t) => {
  const server = await startServer([app("environ.wsgi")]);
  t.after(() => server.stop());
  // The headers now, the body 300 ms later: the front end reads it before queueing.
  const socket = connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => socket.on("end", resolve));
  socket.write(
    "POST /e HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nConnection: close\r\n\r\n",
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.write("body");
  await ended;
  const text = Buffer.concat(chunks).toString();
  const environ = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as Record<string, number>;
  const requestStart = environ["mod_wsgi.request_start"] ?? 0;
  const queueStart = environ["mod_wsgi.queue_start"] ?? 0;
  assert.ok(queueStart - requestStart >= 0.25, `${String(requestStart)} -> ${String(queueStart)}`);
  assert.ok(queueStart - requestStart < 30);
});
