/** Issue #25: the recycle rules inside an embedded worker, on mock timers. */
import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";
import { resolveConfig } from "../../../src/config/resolve.js";
import { processUsage, RecycleWatch } from "../../../src/embedded/recycle-watch.js";
import { whenStuck } from "../../../src/lifecycle/stuck-thread.js";
import { systemTimers, type Timers } from "../../../src/process/timers.js";
import { fakeContext, parseArgs } from "../config/fakes.js";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

const timers: Timers = { ...systemTimers, now: () => Date.now() };

interface Fixture {
  readonly watch: RecycleWatch;
  readonly asked: string[];
  readonly activity: { requests: number; activeRequests: number; lastActivity: number | null };
  readonly usage: { rss: number | null; cpu: number };
}

async function watching(args: string[]): Promise<Fixture> {
  const context = fakeContext();
  const argv = ["start-server", "app.wsgi", "--embedded-mode", ...args];
  const config = await resolveConfig(parseArgs(argv, context.env), context);
  const asked: string[] = [];
  const activity = { requests: 0, activeRequests: 0, lastActivity: null as number | null };
  const usage = { rss: null as number | null, cpu: 0 };
  const reader = { rssBytes: () => usage.rss, cpuMs: () => usage.cpu };
  const watch = new RecycleWatch(config, activity, reader, timers, (reason) => asked.push(reason));
  watch.start();
  return { watch, asked, activity, usage };
}

test("--maximum-requests: asked as the request that reaches it ends, once", async () => {
  const { watch, asked, activity } = await watching(["--maximum-requests", "3"]);
  activity.requests = 2;
  watch.afterRequest();
  assert.deepEqual(asked, []);
  activity.requests = 3;
  watch.afterRequest();
  activity.requests = 4;
  watch.afterRequest();
  assert.deepEqual(asked, ["maximum_requests"]);
});

test("--restart-interval counts from the start, checked each second", async () => {
  const { asked } = await watching(["--restart-interval", "5"]);
  mock.timers.tick(4_000);
  assert.deepEqual(asked, []);
  mock.timers.tick(1_000);
  assert.deepEqual(asked, ["restart_interval"]);
  mock.timers.tick(10_000);
  assert.deepEqual(asked, ["restart_interval"], "asked once; the checks stop");
});

test("--memory-limit on the worker's RSS; --cpu-time-limit on its CPU time", async () => {
  const memory = await watching(["--memory-limit", "1000"]);
  memory.usage.rss = 1000;
  mock.timers.tick(1_000);
  assert.deepEqual(memory.asked, []);
  memory.usage.rss = 1001;
  mock.timers.tick(1_000);
  assert.deepEqual(memory.asked, ["memory_limit"]);
  memory.watch.stop();
  const cpu = await watching(["--cpu-time-limit", "2"]);
  cpu.usage.cpu = 1_999;
  mock.timers.tick(1_000);
  assert.deepEqual(cpu.asked, []);
  cpu.usage.cpu = 2_000;
  mock.timers.tick(1_000);
  assert.deepEqual(cpu.asked, ["cpu_time_limit"]);
});

test("--inactivity-timeout: from the last activity, never while a request runs", async () => {
  const { asked, activity } = await watching(["--inactivity-timeout", "3"]);
  mock.timers.tick(10_000);
  assert.deepEqual(asked, [], "no request yet");
  activity.lastActivity = Date.now();
  activity.activeRequests = 1;
  mock.timers.tick(5_000);
  assert.deepEqual(asked, [], "busy");
  activity.activeRequests = 0;
  activity.lastActivity = Date.now();
  mock.timers.tick(2_000);
  assert.deepEqual(asked, []);
  mock.timers.tick(1_000);
  assert.deepEqual(asked, ["inactivity_timeout"]);
});

test("no rule: no timer; stopped (its drain began): no ask from the ticks", async () => {
  const idle = await watching([]);
  mock.timers.tick(1e9);
  assert.deepEqual(idle.asked, []);
  const stopped = await watching(["--restart-interval", "1"]);
  stopped.watch.stop();
  mock.timers.tick(5_000);
  assert.deepEqual(stopped.asked, []);
});

test("a timed-out request whose thread is still in it at --interrupt-timeout: replaced", async () => {
  const { watch, asked } = await watching(["--interrupt-timeout", "2"]);
  const channel = { busy: true, serial: 7, isClosed: false };
  watch.timedOut(channel);
  mock.timers.tick(1_999);
  assert.deepEqual(asked, []);
  mock.timers.tick(1);
  assert.deepEqual(asked, ["request_timeout"]);
});

test("whenStuck: nothing if the thread left the request (idle, another one, or closed)", () => {
  const fired: string[] = [];
  const cases: [string, { busy: boolean; serial: number; isClosed: boolean }][] = [
    ["idle", { busy: false, serial: 1, isClosed: false }],
    ["next request", { busy: true, serial: 2, isClosed: false }],
    ["closed", { busy: true, serial: 1, isClosed: true }],
  ];
  for (const [name, after] of cases) {
    const channel = { busy: true, serial: 1, isClosed: false };
    whenStuck(channel, 1, timers, () => fired.push(name));
    Object.assign(channel, after);
  }
  mock.timers.tick(1_000);
  assert.equal(fired.join(), "");
  // --interrupt-timeout 0: decided at once.
  whenStuck({ busy: true, serial: 1, isClosed: false }, 0, timers, () => fired.push("now"));
  assert.deepEqual(fired, ["now"]);
});

test("the process's own usage: RSS in bytes, CPU time in ms", () => {
  assert.ok((processUsage.rssBytes() ?? 0) > 1024 * 1024);
  assert.ok(processUsage.cpuMs() > 0);
});
