/** Issue #25: the embedded workers' supervision, on fake workers and mock timers. */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, mock, test } from "node:test";
import type { ToWorker } from "../../../src/embedded/worker-messages.js";
import { KILL_SLACK_MS, WorkerSet, type Ready } from "../../../src/embedded/worker-set.js";
import { ErrorLog } from "../../../src/log/error-log.js";
import { systemTimers, type Timers } from "../../../src/process/timers.js";

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout", "Date"] });
});
afterEach(() => {
  mock.timers.reset();
});

let nextPid = 100;

class FakeWorker extends EventEmitter {
  readonly pid = nextPid++;
  readonly sent: ToWorker[] = [];
  readonly killed: string[] = [];
  send(message: ToWorker): void {
    this.sent.push(message);
  }
  kill(signal: NodeJS.Signals): void {
    this.killed.push(signal);
    this.exit(null, signal);
  }
  ready(port = 8000): void {
    const report: Ready = {
      type: "ready",
      port,
      app: { loaded: true, error: null },
      python: { version: "3.11.7", prefix: "/p", executable: "/p/bin/python" },
    };
    this.emit("message", report);
  }
  exit(code: number | null, signal: string | null): void {
    this.emit("exit", code, signal);
  }
}

function fixture(count: number): { set: WorkerSet; spawned: FakeWorker[]; log: string[] } {
  const log: string[] = [];
  const spawned: FakeWorker[] = [];
  const timers: Timers = { ...systemTimers, now: () => Date.now() };
  const errorLog = new ErrorLog({ write: (line: string) => log.push(line) }, "info");
  const set = new WorkerSet(
    count,
    () => {
      const worker = new FakeWorker();
      spawned.push(worker);
      return worker;
    },
    errorLog,
    timers,
    { gracefulTimeout: 15, evictionTimeout: 0, shutdownTimeout: 5 },
  );
  return { set, spawned, log };
}

test("start resolves with the first report once every worker is ready", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start();
  assert.equal(spawned.length, 2);
  spawned[1]?.ready(8123);
  spawned[0]?.ready(8123);
  const result = await started;
  assert.ok(typeof result !== "string");
  assert.equal(result.port, 8123);
  assert.deepEqual(
    set.pids,
    spawned.map((worker) => worker.pid),
  );
});

test("a worker that fails or dies before it is ready fails the start", async () => {
  const failing = fixture(2);
  const first = failing.set.start();
  failing.spawned[0]?.emit("message", { type: "failed", message: "no libpython" });
  assert.equal(await first, "no libpython");
  const dying = fixture(1);
  const second = dying.set.start();
  dying.spawned[0]?.exit(null, "SIGSEGV");
  const message = await second;
  assert.equal(typeof message, "string");
  assert.match(message as string, /exited with signal SIGSEGV before it was ready/);
});

test("workers that do not load the app within the startup timeout fail the start", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start(15_000);
  spawned[0]?.ready();
  mock.timers.tick(15_000);
  const result = await started;
  assert.equal(typeof result, "string");
  assert.match(result as string, /did not load the application within --startup-timeout \(15 s\)/);
  spawned[1]?.ready();
});

test("a crash is logged with its signal and replaced, with back-off when quick", async () => {
  const { set, spawned, log } = fixture(2);
  const started = set.start();
  for (const worker of spawned) worker.ready();
  await started;
  mock.timers.tick(5_000);
  spawned[0]?.exit(null, "SIGABRT");
  assert.match(log.join(""), /embedded worker \d+ exited with signal SIGABRT; .*; restarting\n/);
  assert.equal(spawned.length, 3, "replaced at once after a long life");
  spawned[2]?.ready();
  // Dies at once: the next replacement waits.
  spawned[2]?.exit(7, null);
  assert.match(log.join(""), /exited with status 7; .*restarting in 0\.1s/);
  assert.equal(spawned.length, 3);
  mock.timers.tick(100);
  assert.equal(spawned.length, 4);
});

test("stop asks each worker to stop, kills the ones left at the deadline", async () => {
  const { set, spawned } = fixture(2);
  const started = set.start();
  for (const worker of spawned) worker.ready();
  await started;
  const stopped = set.stop(1_000);
  for (const worker of spawned) assert.deepEqual(worker.sent, [{ type: "stop" }]);
  spawned[0]?.exit(0, null);
  mock.timers.tick(1_000);
  await stopped;
  assert.deepEqual(spawned[1]?.killed, ["SIGKILL"]);
  assert.equal(spawned.length, 2, "no replacement while stopping");
});

async function running(count: number): Promise<ReturnType<typeof fixture>> {
  const world = fixture(count);
  const started = world.set.start();
  for (const worker of world.spawned) worker.ready();
  await started;
  return world;
}

test("a replacement is ready before the old worker is told to drain, then killed past its time", async () => {
  const { set, spawned, log } = await running(1);
  const old = spawned[0] as FakeWorker;
  set.replace(0, "restart_signal", 0);
  assert.equal(spawned.length, 2);
  assert.match(log.join(""), /recycling embedded worker \d+ \(SIGHUP\): starting its replacement/);
  assert.deepEqual(old.sent, [], "serves on while its replacement starts");
  assert.equal(set.alive, 2);
  assert.deepEqual(set.pids, [spawned[1]?.pid]);
  spawned[1]?.ready();
  // Its drain time (0 for SIGHUP) plus --shutdown-timeout (5 s).
  assert.deepEqual(old.sent, [{ type: "drain", reason: "restart_signal", withinMs: 5_000 }]);
  mock.timers.tick(5_000 + KILL_SLACK_MS - 1);
  assert.deepEqual(old.killed, []);
  mock.timers.tick(1);
  assert.deepEqual(old.killed, ["SIGKILL"]);
  assert.match(log.join(""), /embedded worker \d+ stopped \(restart_signal; signal SIGKILL\)/);
  assert.equal(set.alive, 1);
  assert.equal(spawned.length, 2, "a retired worker's exit is not a crash");
});

test("a retired worker that exits within its drain is not killed nor replaced", async () => {
  const { set, spawned, log } = await running(2);
  set.restartAll("graceful_signal", 15);
  assert.equal(spawned.length, 4);
  spawned[2]?.ready();
  spawned[3]?.ready();
  assert.deepEqual(spawned[0]?.sent, [
    { type: "drain", reason: "graceful_signal", withinMs: 20_000 },
  ]);
  spawned[0].exit(0, null);
  spawned[1]?.exit(0, null);
  mock.timers.tick(60_000);
  assert.deepEqual(spawned[0].killed, []);
  assert.equal(spawned.length, 4);
  assert.doesNotMatch(log.join(""), /connections were lost/);
});

test("a worker's own recycle request is replaced with --graceful-timeout; SIGUSR1 to it by the eviction rule", async () => {
  const { spawned } = await running(2);
  spawned[0]?.emit("message", { type: "recycle", reason: "maximum_requests" });
  spawned[1]?.emit("message", { type: "recycle", reason: "graceful_signal" });
  assert.equal(spawned.length, 4);
  spawned[2]?.ready();
  spawned[3]?.ready();
  assert.deepEqual(spawned[0]?.sent, [
    { type: "drain", reason: "maximum_requests", withinMs: 20_000 },
  ]);
  assert.deepEqual(spawned[1]?.sent, [
    { type: "drain", reason: "graceful_signal", withinMs: 20_000 },
  ]);
  // A retiring worker asking again is not replaced twice.
  spawned[0].emit("message", { type: "recycle", reason: "memory_limit" });
  assert.equal(spawned.length, 4);
});

test("asked while its replacement starts, a slot is replaced again once that one is ready", async () => {
  const { set, spawned } = await running(1);
  set.replace(0, "maximum_requests", 15);
  set.replace(0, "restart_signal", 0);
  assert.equal(spawned.length, 2, "one replacement at a time");
  spawned[1]?.ready();
  assert.equal(spawned.length, 3, "the starting one may have loaded the old code");
  spawned[2]?.ready();
  assert.deepEqual(spawned[1]?.sent, [
    { type: "drain", reason: "restart_signal", withinMs: 5_000 },
  ]);
});

test("a replacement that dies before it is ready: the old worker serves on until one is", async () => {
  const { set, spawned, log } = await running(1);
  mock.timers.tick(60_000);
  set.replace(0, "restart_interval", 15);
  spawned[1]?.exit(1, null);
  assert.match(log.join(""), /exited with status 1; .*restarting in 0\.1s/);
  assert.deepEqual(spawned[0]?.sent, []);
  mock.timers.tick(100);
  assert.equal(spawned.length, 3);
  spawned[2]?.ready();
  assert.deepEqual(spawned[0].sent, [
    { type: "drain", reason: "restart_interval", withinMs: 20_000 },
  ]);
});

test("stop reaches the retiring workers too; nothing is replaced while stopping", async () => {
  const { set, spawned } = await running(1);
  set.replace(0, "restart_signal", 0);
  const stopped = set.stop(1_000);
  set.replace(0, "restart_signal", 0);
  assert.equal(spawned.length, 2);
  assert.deepEqual(spawned[0]?.sent, [{ type: "stop" }]);
  assert.deepEqual(spawned[1]?.sent, [{ type: "stop" }]);
  spawned[1].exit(0, null);
  spawned[0].exit(0, null);
  await stopped;
  assert.equal(set.alive, 0);
});
