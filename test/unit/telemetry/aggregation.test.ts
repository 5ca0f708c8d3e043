import { test } from "node:test";
import assert from "node:assert/strict";
import { LogHistogram } from "../../../src/telemetry/histogram.js";
import { Interval } from "../../../src/telemetry/interval.js";
import type { RunningRequest } from "../../../src/telemetry/records.js";
import { record } from "./records.js";
import { statusClass } from "../../../src/telemetry/records.js";
import { SlowRequests } from "../../../src/telemetry/slow-requests.js";

test("LogHistogram: quantiles within a bucket's width (~9 %) of the true value", () => {
  const histogram = new LogHistogram();
  assert.equal(histogram.quantile(0.5), null);
  assert.equal(histogram.mean, null);
  for (let ms = 1; ms <= 1000; ms++) histogram.record(ms / 1000);
  assert.equal(histogram.count, 1000);
  for (const [q, expected] of [
    [0.5, 0.5],
    [0.9, 0.9],
    [0.99, 0.99],
  ] as const) {
    const value = histogram.quantile(q) ?? 0;
    assert.ok(value >= expected && value <= expected * 1.1, `p${String(q)}: ${String(value)}`);
  }
  assert.equal(histogram.quantile(1), 1);
  assert.equal(histogram.max, 1);
  assert.ok(Math.abs(Number(histogram.mean) - 0.5005) < 1e-9);
  histogram.record(-1); // a clock step backwards counts as 0
  assert.equal(histogram.quantile(0), histogram.quantile(0.0001));
  histogram.record(1e9); // past the last bucket: kept in it
  assert.equal(histogram.quantile(1), 1e9);
  histogram.reset();
  assert.deepEqual([histogram.count, histogram.sum, histogram.max], [0, 0, 0]);
  assert.equal(histogram.quantile(0.5), null);
});

test("statusClass: the hundreds, anything else as 5xx", () => {
  assert.deepEqual([100, 204, 302, 404, 503, 0, 600].map(statusClass), [
    "1xx",
    "2xx",
    "3xx",
    "4xx",
    "5xx",
    "5xx",
    "5xx",
  ]);
});

test("Interval: counts, quantiles and mean phases, then starts afresh", () => {
  let now = 0;
  const interval = new Interval(() => now, new Set());
  interval.record(
    record({ status: 200, total: 0.1, server: 0.01, queue: 0.02, application: 0.07 }),
    false,
  );
  interval.record(
    record({ status: 404, total: 0.3, server: 0.03, queue: 0.04, application: 0.23 }),
    true,
  );
  interval.record(
    record({ status: 504, total: 2, queue: 2, application: null, pid: null, startedAt: null }),
    false,
  );
  interval.restarted({ pid: 100, reason: "maximum_requests" });
  now = 2000;
  const figures = interval.cut();
  assert.equal(figures.seconds, 2);
  assert.equal(figures.requests, 3);
  assert.deepEqual(figures.status, { "1xx": 0, "2xx": 1, "3xx": 0, "4xx": 1, "5xx": 1 });
  assert.equal(figures.latency.max, 2);
  assert.ok((figures.latency.p50 ?? 0) >= 0.3 && (figures.latency.p50 ?? 0) < 0.33);
  assert.ok(Math.abs((figures.phases.application ?? 0) - 0.15) < 1e-9, "two ran");
  assert.ok(Math.abs((figures.phases.queue ?? 0) - (0.02 + 0.04 + 2) / 3) < 1e-9);
  assert.deepEqual(figures.restarts, [{ pid: 100, reason: "maximum_requests" }]);
  assert.equal(figures.slow, 1);
  now = 3000;
  const next = interval.cut();
  assert.equal(next.seconds, 1);
  assert.equal(next.requests, 0);
  assert.deepEqual(next.latency, { p50: null, p90: null, p99: null, max: null });
  assert.deepEqual(next.phases, { server: null, queue: null, application: null });
  assert.deepEqual([next.restarts, next.slow, next.busy.size], [[], 0, 0]);
});

test("Interval: busy threads are each run's overlap with the interval, running ones too", () => {
  let now = 1000;
  const running = new Set<RunningRequest>();
  const interval = new Interval(() => now, running);
  // Began before this interval (at 500), ended at 1500: 500 ms of it falls here.
  interval.record(record({ pid: 7, startedAt: 500, endedAt: 1500 }), false);
  // Runs on pid 8 from 1200 across the cut at 2000: 800 ms here...
  let run: { pid: number; startedAt: number; endedAt: number | null } | null = {
    pid: 8,
    startedAt: 1200,
    endedAt: null,
  };
  running.add({ running: () => run });
  running.add({ running: () => null }); // queued, not running: counts nothing
  // Its thread is done at 1900, its response still going out at the cut: 400 ms here.
  const sending = { running: () => ({ pid: 9, startedAt: 1500, endedAt: 1900 }) };
  running.add(sending);
  now = 2000;
  let figures = interval.cut();
  assert.deepEqual(
    [...figures.busy],
    [
      [7, 0.5],
      [8, 0.8],
      [9, 0.4],
    ],
  );
  // Recorded after the cut: nothing more of it counts.
  running.delete(sending);
  interval.record(record({ pid: 9, startedAt: 1500, endedAt: 1900 }), false);
  // ...and it ends at 2600: only the 600 ms after the cut count in the next interval.
  now = 2600;
  run = null;
  interval.record(record({ pid: 8, startedAt: 1200, endedAt: 2600 }), false);
  now = 3000;
  figures = interval.cut();
  assert.deepEqual([...figures.busy], [[8, 0.6]]);
});

test("SlowRequests: keeps those over the threshold, the newest 'capacity' of them", () => {
  let wall = 1000;
  const slow = new SlowRequests(0.5, () => wall, 3);
  assert.equal(slow.offer(record({ total: 0.5 })), null, "at the threshold is not over it");
  for (const path of ["/a", "/b", "/c", "/d"]) {
    wall += 1;
    const entry = slow.offer(
      record({ path, total: 0.9, userAgent: path === "/d" ? "curl" : null }),
    );
    assert.equal(entry?.path, path);
  }
  const recent = slow.recent();
  assert.deepEqual(
    recent.map((r) => [r.path, r.time]),
    [
      ["/b", 1002],
      ["/c", 1003],
      ["/d", 1004],
    ],
  );
  assert.equal(recent[2]?.userAgent, "curl");
  assert.equal("userAgent" in (recent[0] ?? {}), false);
  assert.deepEqual(
    [recent[0]?.pid, recent[0]?.thread, recent[0]?.application, recent[0]?.status],
    [100, 1, 0.01, 200],
  );
});
