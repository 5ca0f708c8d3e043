import { test } from "node:test";
import assert from "node:assert/strict";
import type { PoolStatus } from "../../../src/daemon/pool.js";
import {
  autoText,
  formatG,
  htmlPage,
  humanDuration,
  statusFigures,
} from "../../../src/front-door/status-page.js";
import { queryValue, wantsAuto } from "../../../src/front-door/server-status.js";

const idle = (thread: number) => ({ thread, request: null, busyMs: 0 });
const busy = (thread: number, request: string, busyMs: number) => ({ thread, request, busyMs });

/** --processes 2 --threads 3: one process with a busy thread, one still connecting. */
const POOL: PoolStatus = {
  processSlots: 2,
  threadsPerProcess: 3,
  processes: [
    { pid: 101, serving: true, threads: [idle(0), busy(1, "GET /slow?x=<b>", 2500), idle(2)] },
    { pid: 102, serving: true, threads: [idle(0)] },
  ],
  waiting: 4,
};

test("?auto is Apache mod_status's key: value lines, rates with %g", () => {
  const figures = statusFigures(POOL, { accesses: 10, bodyBytes: 5000 }, 4);
  assert.equal(
    autoText(figures),
    [
      "ServerUptimeSeconds: 4",
      "ServerUptime: 4 seconds",
      "Total Accesses: 10",
      "Total kBytes: 4",
      "Uptime: 4",
      "ReqPerSec: 2.5",
      "BytesPerSec: 1250",
      "BytesPerReq: 500",
      "BusyWorkers: 1",
      "IdleWorkers: 3",
      "QueuedRequests: 4",
      "Scoreboard: _W__..",
      "",
    ].join("\n"),
  );
});

test("no uptime and no request yet: no rates, as Apache leaves them out", () => {
  const text = autoText(statusFigures(POOL, { accesses: 0, bodyBytes: 0 }, 0));
  assert.doesNotMatch(text, /ReqPerSec|BytesPerSec|BytesPerReq/);
  assert.match(text, /^Total Accesses: 0$/m);
});

test("the scoreboard: open slots for processes not running, G for a draining one's busy threads", () => {
  const pool: PoolStatus = {
    processSlots: 2,
    threadsPerProcess: 2,
    processes: [
      { pid: 7, serving: false, threads: [busy(0, "GET /", 10), idle(1)] },
      { pid: 8, serving: true, threads: [idle(0), idle(1)] },
    ],
    waiting: 0,
  };
  const figures = statusFigures(pool, { accesses: 1, bodyBytes: 0 }, 1);
  assert.equal(figures.scoreboard, "G.__..");
  assert.equal(figures.busy, 1);
  assert.equal(figures.idle, 2);
  const none = statusFigures({ ...pool, processes: [] }, { accesses: 0, bodyBytes: 0 }, 1);
  assert.equal(none.scoreboard, "....");
});

test("formatG prints as C's %g", () => {
  assert.equal(formatG(2.5), "2.5");
  assert.equal(formatG(1 / 3), "0.333333");
  assert.equal(formatG(1250), "1250");
  assert.equal(formatG(1234567), "1.23457e+06");
  assert.equal(formatG(0), "0");
});

test("humanDuration words the uptime as Apache does", () => {
  assert.equal(humanDuration(0), "0 seconds");
  assert.equal(humanDuration(61), "1 minute 1 second");
  assert.equal(humanDuration(90061), "1 day 1 hour 1 minute 1 second");
  assert.equal(humanDuration(7200), "2 hours");
});

test("the HTML page lists each busy thread's request, escaped, and for how long", () => {
  const page = htmlPage(statusFigures(POOL, { accesses: 3, bodyBytes: 0 }, 1), "wsgi-express");
  assert.match(
    page,
    /<td>101<\/td><td>1<\/td><td>W<\/td><td>2.5<\/td><td>GET \/slow\?x=&lt;b&gt;<\/td>/,
  );
  assert.match(page, /1 requests currently being processed, 3 idle workers/);
  assert.match(page, /4 requests waiting for a thread/);
  assert.doesNotMatch(page, /<script/i);
});

test("?auto is one of the query's &-separated words", () => {
  assert.equal(wantsAuto("/server-status?auto"), true);
  assert.equal(wantsAuto("/server-status?refresh=5&auto"), true);
  assert.equal(wantsAuto("/server-status?AUTO"), true);
  assert.equal(wantsAuto("/server-status"), false);
  assert.equal(wantsAuto("/server-status?automatic"), false);
});

test("?format=prometheus: a name=value word of the query", () => {
  assert.equal(queryValue("/server-status?format=prometheus", "format"), "prometheus");
  assert.equal(queryValue("/server-status?auto&format=prometheus", "format"), "prometheus");
  assert.equal(queryValue("/server-status?format", "format"), "");
  assert.equal(queryValue("/server-status?formats=x", "format"), null);
  assert.equal(queryValue("/server-status", "format"), null);
});
