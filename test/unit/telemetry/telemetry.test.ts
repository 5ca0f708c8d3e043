import { test } from "node:test";
import assert from "node:assert/strict";
import type { PoolStatus } from "../../../src/daemon/pool.js";
import { parseUsage, type ProcessUsage } from "../../../src/telemetry/proc-usage.js";
import { sampleLine } from "../../../src/telemetry/collector.js";
import type { Sample } from "../../../src/telemetry/sample.js";
import { Telemetry } from "../../../src/telemetry/telemetry.js";
import { record } from "./records.js";

function pool(pids: number[], waiting = 0): PoolStatus {
  return {
    processSlots: pids.length,
    threadsPerProcess: 2,
    processes: pids.map((pid) => ({
      pid,
      serving: true,
      threads: [
        { thread: 1, request: null, busyMs: 0 },
        { thread: 2, request: null, busyMs: 0 },
      ],
    })),
    waiting,
  };
}

/** Telemetry on node:test's mock timers (Date.now is the monotonic clock here too). */
function mockTelemetry(
  status: () => PoolStatus,
  usage: (pid: number) => ProcessUsage | null,
  slowRequestSeconds: number | null = null,
): Telemetry {
  return new Telemetry(
    { intervalSeconds: 1, slowRequestSeconds },
    {
      pool: { status },
      readUsage: (pid) => Promise.resolve(usage(pid)),
      timers: {
        now: () => Date.now(),
        setInterval: (callback, ms) => setInterval(callback, ms),
        clearInterval: (handle) => {
          clearInterval(handle);
        },
      },
      wallClock: () => Date.now() / 1000,
    },
  );
}

/** Lets the tick's reads of /proc (resolved promises) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

test("Telemetry: a sample every interval, with the rate, the CPU used and the memory", async (t) => {
  t.mock.timers.enable({ apis: ["setInterval", "Date"], now: 1_000_000 });
  let cpu = 1;
  const telemetry = mockTelemetry(
    () => pool([41, 42], 3),
    (pid) => (pid === 41 ? { cpuSeconds: cpu, rss: 50 * 1024 * 1024 } : null),
    0.5,
  );
  const samples: Sample[] = [];
  telemetry.onSample((sample) => samples.push(sample));
  telemetry.start();
  t.after(() => {
    telemetry.stop();
  });
  for (let i = 0; i < 4; i++) telemetry.record(record({ pid: 41, status: 200 }));
  telemetry.record(record({ pid: 41, status: 500, total: 0.75, path: "/slow" }));
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(samples.length, 1);
  const [first] = samples;
  assert.ok(first);
  assert.deepEqual([first.time, first.interval, first.requests, first.rate], [1001, 1, 5, 5]);
  assert.deepEqual([first.status["2xx"], first.status["5xx"], first.queued], [4, 1, 3]);
  assert.equal(first.capacity, 4);
  assert.deepEqual(
    first.slow.map((slow) => slow.path),
    ["/slow"],
  );
  const [p41, p42] = first.processes;
  assert.deepEqual(
    [p41?.pid, p41?.cpu, p41?.rss, p42?.cpu, p42?.rss],
    [41, null, 52428800, null, null],
  );

  cpu = 1.25; // a quarter of a core over the next second
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(samples.length, 2);
  const second = samples[1];
  assert.ok(second);
  assert.equal(second.processes[0]?.cpu, 0.25);
  assert.deepEqual([second.requests, second.slow.length], [0, 0]);
  assert.deepEqual(
    telemetry.samplesSince(1001).map((sample) => sample.time),
    [1002],
  );
  assert.equal(telemetry.samplesSince(0).length, 2);
  assert.equal(telemetry.slow?.recent().length, 1);

  const text = (await telemetry.metrics.exposition()).text;
  assert.match(text, /^wsgi_express_requests_total\{status_class="2xx"\} 4$/m);
  assert.match(text, /^wsgi_express_requests_total\{status_class="3xx"\} 0$/m);
  assert.match(text, /^wsgi_express_queued_requests 3$/m);
  assert.match(text, /^wsgi_express_process_cpu_seconds_total\{pid="41"\} 1.25$/m);
  assert.match(text, /^wsgi_express_slow_requests_total 1$/m);

  telemetry.stop();
  t.mock.timers.tick(5000);
  await settle();
  assert.equal(samples.length, 2, "no tick after stop()");
});

test("Telemetry: restarts by reason, and a process gone loses its series", async (t) => {
  t.mock.timers.enable({ apis: ["setInterval", "Date"], now: 0 });
  let pids = [1, 2];
  const telemetry = mockTelemetry(
    () => pool(pids),
    () => ({ cpuSeconds: 2, rss: 1000 }),
  );
  telemetry.restarted(2, "maximum_requests");
  telemetry.restarted(3, "exit");
  const first = await telemetry.tick();
  assert.deepEqual(first.restarts, [
    { pid: 2, reason: "maximum_requests" },
    { pid: 3, reason: "exit" },
  ]);
  pids = [1];
  const second = await telemetry.tick();
  assert.deepEqual(second.restarts, []);
  const text = (await telemetry.metrics.exposition()).text;
  assert.match(text, /^wsgi_express_process_restarts_total\{reason="maximum_requests"\} 1$/m);
  assert.match(text, /^wsgi_express_process_resident_memory_bytes\{pid="1"\} 1000$/m);
  assert.doesNotMatch(text, /pid="2"/);
});

test("parseUsage: utime + stime in ticks and VmRSS, a command name with spaces too", () => {
  const stat = "123 (my (odd) app) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 1 2 3";
  const status = "Name:\tx\nVmRSS:\t   2048 kB\nThreads:\t5\n";
  assert.deepEqual(parseUsage(stat, status), { cpuSeconds: 3, rss: 2048 * 1024 });
  assert.equal(parseUsage(stat, "Name:\tx\n"), null);
  assert.equal(parseUsage("garbage", status), null);
});

test("sampleLine: one JSON object of type sample, newline-terminated", async () => {
  const telemetry = mockTelemetry(
    () => pool([]),
    () => null,
  );
  const line = sampleLine(await telemetry.tick());
  assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
  const parsed = JSON.parse(line) as { type: string; requests: number };
  assert.deepEqual([parsed.type, parsed.requests], ["sample", 0]);
});

test("Telemetry: a listener that throws costs that sample, not the next ones", async (t) => {
  t.mock.timers.enable({ apis: ["setInterval", "Date"], now: 0 });
  const telemetry = mockTelemetry(
    () => pool([]),
    () => null,
  );
  let calls = 0;
  telemetry.onSample(() => {
    calls += 1;
    if (calls === 1) throw new Error("a listener's bug");
  });
  telemetry.start();
  t.after(() => {
    telemetry.stop();
  });
  t.mock.timers.tick(1000);
  await settle();
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(calls, 2);
  assert.equal(telemetry.samplesSince(0).length, 2);
});
